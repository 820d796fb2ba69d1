// A local cluster for the benchmark: `scripts/dev.mjs` (D1 migrations + wrangler
// dev) on a free port with its own state directory, as test/e2e/cluster.ts does.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

const ROOT = new URL("..", import.meta.url).pathname;
const TOKEN = /API_TOKEN=(.*)/.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"))[1].trim();

// wrangler dev serves https with a self-signed certificate.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/**
 * @param {Record<string, string>} vars wrangler `--var`s, e.g. DEFAULT_NODE_COUNT
 * @param {number} startTimeoutMs
 */
export async function startCluster(vars, startTimeoutMs = 120_000) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "edgekube-bench-"));
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  let output = "";
  const child = spawn(
    process.execPath,
    [join(ROOT, "scripts/dev.mjs"), "--port", String(port), "--persist-to", join(dir, "state"), "--inspector-port", "0", ...varArgs],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const url = `https://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      for (const sig of ["SIGTERM", "SIGKILL"]) {
        try {
          process.kill(-child.pid, sig);
        } catch {
          /* already gone */
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output.slice(-4000)}`);
    try {
      if ((await fetch(`${url}/version`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    url,
    /** Authenticated JSON request. @returns {Promise<{ status: number, body: any }>} */
    async api(path, init = {}) {
      const res = await fetch(url + path, { ...init, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) } });
      const text = await res.text();
      let body;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      return { status: res.status, body };
    },
    logs: () => output,
    stop,
  };
}
