// `npm run bench -- requests [-- --requests 500 --rounds 3]`
//
// What one HTTP request costs the local runtime, next to the floor under it measured
// in the same run: a worker whose fetch only answers "ok", served by the same
// `wrangler dev`. Locally every request passes wrangler's proxy (its own workerd
// process) and then the worker's process, whose one thread also runs every Durable
// Object; the floor is what those two cost before any edgekube code runs, and it
// sits under every latency figure of the other benchmarks (32 clients queue behind
// it). On Cloudflare there is no such proxy.
//
// Per round, --requests requests one after another for each path: the no-op worker;
// then, on a 1-node cluster (bench/worker.mts), /version, GET of the node, a list of
// ConfigMaps, and a ConfigMap created and deleted (two requests, counted as one pair).
// Reported per request: wall time, and the CPU of each workerd process from /proc
// (the proxy's and the worker's). Medians (min-max) of --rounds rounds.
// Results: bench/results/requests-*.json and requests-*.svg.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildBench, freePort, startCluster } from "./cluster.mjs";
import { cliArgs, log, median, resultFile, sleep, textTable } from "./util.mjs";
import { localDevEnv } from "../scripts/local-dev-env.mjs";

const opts = { requests: 500, rounds: 3 };
for (const [arg, v] of cliArgs(process.argv.slice(2))) {
  const k = arg.replace(/^--/, "");
  if (!(k in opts) || !(Number(v) > 0)) throw new Error(`bad argument ${arg} ${v}`);
  opts[k] = Number(v);
}
const ROOT = new URL("..", import.meta.url).pathname;
// wrangler dev's own local explorer and observability off, as `npm run dev` has them (scripts/local-dev-env.mjs).
const ENV = localDevEnv({ PATH: `${dirname(process.execPath)}:${process.env.PATH}`, CI: "true", FORCE_COLOR: "0" });
const TICKS_PER_S = 100;

/** CPU seconds of each workerd process in the process group, by pid. */
function cpuByProcess(pgid) {
  const out = {};
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid || !stat.includes("(workerd)")) continue;
      out[pid] = (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** The no-op worker under `wrangler dev`. */
async function startFloor() {
  const dir = mkdtempSync(join(tmpdir(), "edgekube-floor-"));
  writeFileSync(join(dir, "worker.js"), 'export default { async fetch() { return new Response("ok"); } };\n');
  writeFileSync(join(dir, "wrangler.toml"), 'name = "floor"\nmain = "worker.js"\ncompatibility_date = "2025-09-01"\n');
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--port", String(port), "--ip", "127.0.0.1", "--local-protocol", "http", "--log-level", "warn", "--persist-to", join(dir, "state")], { cwd: dir, env: ENV, detached: true, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error("the no-op worker did not start");
    await sleep(300);
  }
  return {
    pgid: child.pid,
    call: async () => (await fetch(url)).text(),
    stop: async () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* gone */
      }
      await sleep(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `n` calls one after another: wall ms per call, and CPU ms per call of the proxy (the process that used less) and of the worker's process. */
async function measure(pgid, n, call) {
  const c0 = cpuByProcess(pgid);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  const wall = performance.now() - t0;
  const c1 = cpuByProcess(pgid);
  const used = Object.keys(c1).map((pid) => ((c1[pid] - (c0[pid] ?? 0)) * 1000) / n).sort((a, b) => a - b);
  // wrangler dev runs two workerd processes: its proxy, and the one that runs the worker (the busier).
  return { wallMs: wall / n, proxyCpuMs: used.length > 1 ? used[0] : 0, workerCpuMs: used.at(-1) ?? 0 };
}

log(`edgekube requests benchmark: ${opts.rounds} rounds of ${opts.requests} requests per path, one at a time; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const floor = await startFloor();
const build = buildBench();
const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: "1" });
const rounds = [];
try {
  await cluster.api("/api/v1/nodes");
  // The first request bootstraps the cluster; let its writes and the node settle.
  await sleep(5_000);
  const ok = async (res, what) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  };
  const cm = (name) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: "v" } });
  const paths = {
    "no-op worker (the floor)": [floor.pgid, () => floor.call()],
    "/version": [cluster.pgid, () => ok(cluster.api("/version"), "version")],
    "GET a node": [cluster.pgid, () => ok(cluster.api("/api/v1/nodes/node-1"), "get node")],
    "list ConfigMaps (kube-system)": [cluster.pgid, () => ok(cluster.api("/api/v1/namespaces/kube-system/configmaps"), "list")],
    "create + delete a ConfigMap (a pair)": [
      cluster.pgid,
      async (i) => {
        await ok(cluster.api("/api/v1/namespaces/default/configmaps", { method: "POST", body: cm(`r-${rounds.length}-${i}`) }), "create");
        await ok(cluster.api(`/api/v1/namespaces/default/configmaps/r-${rounds.length}-${i}`, { method: "DELETE" }), "delete");
      },
    ],
  };
  for (let r = 1; r <= opts.rounds; r++) {
    const round = {};
    for (const [name, [pgid, call]] of Object.entries(paths)) {
      round[name] = await measure(pgid, opts.requests, call);
      const m = round[name];
      log(`  round ${r}: ${name}: ${m.wallMs.toFixed(2)} ms a request; CPU ${m.proxyCpuMs.toFixed(2)} ms in the proxy, ${m.workerCpuMs.toFixed(2)} ms in the worker's process`);
    }
    rounds.push(round);
  }
} finally {
  await cluster.stop();
  build.cleanup();
  await floor.stop();
}

const names = Object.keys(rounds[0]);
const stat = (name, k) => {
  const xs = rounds.map((r) => r[name][k]);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};
const summary = Object.fromEntries(names.map((n) => [n, { wallMs: stat(n, "wallMs"), proxyCpuMs: stat(n, "proxyCpuMs"), workerCpuMs: stat(n, "workerCpuMs") }]));
const floorWorker = summary[names[0]].workerCpuMs.median;
const f = (s) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
console.log(
  textTable([
    ["path", "wall ms", "proxy CPU ms", "worker's process CPU ms", "x the floor's"],
    ...names.map((n) => [n, f(summary[n].wallMs), f(summary[n].proxyCpuMs), f(summary[n].workerCpuMs), (summary[n].workerCpuMs.median / floorWorker).toFixed(1)]),
  ]),
);
const stamp = new Date();
const json = resultFile("requests", "json", stamp);
writeFileSync(json, JSON.stringify({ date: stamp.toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: opts, summary, rounds }, null, 2) + "\n");
const svg = resultFile("requests", "svg", stamp);
writeFileSync(svg, chart(summary, opts));
log(`results written to ${json.pathname} and ${svg.pathname}`);

/** Stacked bars: the proxy's and the worker's process CPU per request, per path. */
function chart(s, o) {
  const W = 720;
  const rowH = 34;
  const M = { left: 210, right: 90, top: 48, bottom: 40 };
  const rows = Object.entries(s);
  const H = M.top + rows.length * rowH + M.bottom;
  const max = Math.max(...rows.map(([, v]) => v.proxyCpuMs.median + v.workerCpuMs.median));
  const x = (ms) => M.left + (ms / max) * (W - M.left - M.right);
  const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="12" y="22" font-size="14" font-weight="bold">${esc(`Runtime CPU per request, local wrangler dev (medians of ${o.rounds} rounds of ${o.requests})`)}</text>`);
  rows.forEach(([name, v], i) => {
    const y = M.top + i * rowH;
    const p = v.proxyCpuMs.median;
    const w = v.workerCpuMs.median;
    out.push(`<text x="${M.left - 8}" y="${y + 18}" text-anchor="end">${esc(name)}</text>`);
    out.push(`<rect x="${x(0)}" y="${y + 5}" width="${x(p) - x(0)}" height="${rowH - 12}" fill="#aec7e8"/>`);
    out.push(`<rect x="${x(p)}" y="${y + 5}" width="${x(p + w) - x(p)}" height="${rowH - 12}" fill="#1f77b4"/>`);
    out.push(`<text x="${x(p + w) + 6}" y="${y + 18}">${(p + w).toFixed(2)} ms</text>`);
  });
  const ly = H - 16;
  out.push(`<rect x="${M.left}" y="${ly - 10}" width="12" height="12" fill="#aec7e8"/><text x="${M.left + 18}" y="${ly}">wrangler's proxy process</text>`);
  out.push(`<rect x="${M.left + 200}" y="${ly - 10}" width="12" height="12" fill="#1f77b4"/><text x="${M.left + 218}" y="${ly}">the worker's process (one thread: API, objects, D1)</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
