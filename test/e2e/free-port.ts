// A local port for a server a test is about to start (wrangler dev, kubectl port-forward).
//
// Asking the kernel for port 0 and closing it hands back a port from the ephemeral range
// (net.ipv4.ip_local_port_range, 32768-60999 by default), which is where every other
// outgoing connection and `listen(0)` on a busy machine lands too: between our close and
// the server's bind, workerd's own sockets in a neighbouring test file can take it. So
// pick below that range, where nothing is handed out, and check the port is bindable
// now; callers still retry a start that reports the port taken (two test files can
// draw the same number).
import { createServer } from "node:net";
import { readFileSync } from "node:fs";

const LOW = 20_000;

function ephemeralStart(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > LOW + 1_000) return low;
  } catch {
    /* not Linux: the IANA dynamic range starts at 49152 */
  }
  return 32_768;
}

const HIGH = ephemeralStart();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}

/** What wrangler dev (workerd) and kubectl print when their port was taken first. */
export function portTaken(output: string): boolean {
  return /address already in use|EADDRINUSE/i.test(output);
}
