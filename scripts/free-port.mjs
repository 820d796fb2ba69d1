// A local port for a server about to be started (wrangler dev, its inspector, kubectl
// port-forward), for the tests and the benchmarks.
//
// Asking the kernel for port 0 and closing it hands back a port from the ephemeral range
// (net.ipv4.ip_local_port_range, 32768-60999 by default), which is where every outgoing
// connection and `listen(0)` on a busy machine lands too: between our close and the
// server's bind, workerd's own sockets (in a neighbouring test file, say) can take it.
// So draw below that range, where the kernel hands nothing out, and check the port is
// bindable now. Two drawers can still pick the same number: a start that finds its port
// taken (`portTaken`) tries another.
import { createServer } from "node:net";
import { readFileSync } from "node:fs";

const LOW = 20_000;

function ephemeralStart() {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > LOW + 1_000) return low;
  } catch {
    /* not Linux */
  }
  return 32_768;
}

const HIGH = ephemeralStart();

/** @param {number} port */
function bindable(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** @returns {Promise<number>} a port on 127.0.0.1 that nothing listens on right now */
export async function freePort() {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}

/**
 * Whether a server's output says its port was taken first (workerd's and kubectl's words).
 * @param {string} output
 */
export function portTaken(output) {
  return /address already in use|EADDRINUSE/i.test(output);
}
