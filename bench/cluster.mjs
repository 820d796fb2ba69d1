// A local cluster for the benchmark. The worker is bundled ONCE, from
// bench/worker.mts (the real worker plus /__bench endpoints), into a temporary
// directory, and `wrangler dev` serves that bundle unbundled: other people editing
// src/ meanwhile cannot make wrangler reload the cluster mid-run. Served over plain
// http (TLS handshakes would cost the client more CPU than the requests).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { localDevEnv } from "../scripts/local-dev-env.mjs";
import { freePort } from "../scripts/free-port.mjs";

// Benchmarks start their inspectors on one too.
export { freePort };

const ROOT = new URL("..", import.meta.url).pathname;
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
export const TOKEN = /^API_TOKEN=(.*)$/m.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"))[1].trim();
// Wrangler needs Node >= 22.12: children run the same node as this script (npm run puts the project's first).
// wrangler dev's own local explorer and observability off, as `npm run dev` has them (scripts/local-dev-env.mjs).
const ENV = localDevEnv({ PATH: `${dirname(process.execPath)}:${process.env.PATH}`, CI: "true", FORCE_COLOR: "0" });

// The bench worker's own Durable Object: bare alarms, the floor a heartbeat costs.
const BENCH_BINDINGS = `
[[durable_objects.bindings]]
name = "BENCH_BARE_ALARM"
class_name = "BareAlarm"

[[migrations]]
tag = "bench-bare-alarm"
new_sqlite_classes = ["BareAlarm"]
`;

/** wrangler.toml with another entry point; .dev.vars goes next to it (wrangler reads it from there). */
function writeConfig(dir, mainLine) {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, mainLine)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = "${join(ROOT, "migrations")}"`)
    .replace(/^directory = "public"$/m, `directory = "${join(ROOT, "public")}"`);
  writeFileSync(join(dir, "wrangler.toml"), toml + BENCH_BINDINGS);
  copyFileSync(join(ROOT, ".dev.vars"), join(dir, ".dev.vars"));
  return join(dir, "wrangler.toml");
}

/** Bundle bench/worker.mts as `wrangler deploy` would; returns a config that serves the bundle. */
export function buildBench() {
  const dir = mkdtempSync(join(tmpdir(), "edgekube-bench-build-"));
  const buildConfig = writeConfig(dir, `main = "${join(ROOT, "bench/worker.mts")}"`);
  const out = join(dir, "dist");
  const r = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", out, "--config", buildConfig], { env: ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bundling failed:\n${r.stdout}\n${r.stderr}`);
  const entry = readdirSync(out).find((f) => f.endsWith(".js"));
  const config = writeConfig(dir, `main = "${join(out, entry)}"\nno_bundle = true`);
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * @param {string} config from buildBench()
 * @param {Record<string, string>} vars wrangler `--var`s, e.g. DEFAULT_NODE_COUNT
 * @param {{ startTimeoutMs?: number, inspectorPort?: number, protocol?: "http" | "https", stateDir?: string }} [options] a fixed
 *   inspector port lets a profiler attach (Chrome DevTools protocol); by default any free one.
 *   kubectl sends its token only over https. `stateDir` is where the local D1 database and
 *   the Durable Objects' storage live (a temporary directory under it; by default the
 *   system's temporary directory): on a disk, their SQLite syncs block the runtime's one
 *   thread, which a big database makes long; /dev/shm (memory) takes the disk out.
 */
export async function startCluster(config, vars, { startTimeoutMs = 120_000, inspectorPort = 0, protocol = "http", stateDir = tmpdir() } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(stateDir, "edgekube-bench-"));
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  let output = "";
  // scripts/dev.mjs applies the D1 migrations to the same --persist-to state first.
  const child = spawn(
    process.execPath,
    [join(ROOT, "scripts/dev.mjs"), "--config", config, "--local-protocol", protocol, "--port", String(port), "--persist-to", join(dir, "state"), "--inspector-port", String(inspectorPort), "--log-level", "warn", ...varArgs],
    { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const url = `${protocol}://127.0.0.1:${port}`;

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
    /** Authenticated request; JSON in and out. @returns {Promise<{ status: number, body: any }>} */
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
    /** The process group of `wrangler dev` (workerd runs in it). */
    pgid: child.pid,
    stop,
  };
}
