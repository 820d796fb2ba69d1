// `npm run bench:watch [-- --watches 100 --runs 3 --writes 40 --interval-ms 250 --idle-seconds 10 --nodes 1 --budget-min 8 --label polling --profile 1]`
//
// What open watches cost and how fast they hear of a write, on a local cluster
// (wrangler dev serving bench/worker.mts: the real worker plus /__bench endpoints).
// Not a test: never part of `npm test`. Every wait has a deadline.
//
// Per run, on a fresh cluster:
// - idle cost: D1 round trips per second made by the whole cluster (the bench
//   worker counts them inside workerd) over --idle-seconds with no watch open,
//   then again with --watches watches open on Leases of that namespace, where
//   nothing changes; the difference is what the idle watches cost;
// - latency: --writes Leases created one after another (--interval-ms apart)
//   while the watches are open; for every watch and every write, the time from the
//   write's commit until that watch has the ADDED event (the goal's "write committed
//   -> event delivered": the bench worker notes when each commit's D1 batch came back
//   to its writer, /__bench/commits, on the same machine's clock), and the time from
//   sending the create (which includes the write itself, reported on its own as
//   "write ms").
// Medians across runs, with min-max. --profile 1 records the V8 CPU profile of the
// first run's writes (bench/results/watch-*.cpuprofile) and prints where the thread went.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { buildBench, freePort, startCluster, TOKEN } from "./cluster.mjs";
import { startProfiler } from "./devtools.mjs";
import { printProfile } from "./profile-components.mjs";
import { log, median, percentile, resultFile, sleep, textTable, watchEvents } from "./util.mjs";

function parseArgs(argv) {
  const o = { watches: 100, runs: 3, writes: 40, intervalMs: 250, idleSeconds: 10, nodes: 1, budgetMin: 8, label: "", profile: false };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--watches") o.watches = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--writes") o.writes = Number(v);
    else if (k === "--interval-ms") o.intervalMs = Number(v);
    else if (k === "--idle-seconds") o.idleSeconds = Number(v);
    else if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else if (k === "--label") o.label = v;
    else if (k === "--profile") o.profile = Number(v) > 0;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(o.watches > 0 && o.runs > 0 && o.writes > 0 && o.idleSeconds > 0 && o.nodes > 0)) throw new Error("bad arguments");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
const DELIVERY_MAX_MS = 30_000;

/** How many isolates the count came from (the API worker's, and the watch cache's when apart). */
let isolatesCounted = 1;

async function d1Queries(cluster) {
  // The Leases' watch cache counts its own reads, in case it runs in another isolate
  // (a worker without watch caches ignores the parameter).
  const res = await cluster.api("/__bench/d1-queries?caches=leases.coordination.k8s.io");
  if (res.status !== 200) throw new Error(`d1-queries: ${res.status}`);
  isolatesCounted = Math.max(isolatesCounted, res.body.isolates ?? 1);
  return res.body.queries;
}

/** D1 round trips per second over `seconds` (the counter's own reads included, 2 of them). */
async function d1Rate(cluster, seconds) {
  const a = await d1Queries(cluster);
  const t = Date.now();
  await sleep(seconds * 1000);
  const b = await d1Queries(cluster);
  return (b - a) / ((Date.now() - t) / 1000);
}

/**
 * One open watch: every ADDED lease name with the time it arrived and its resourceVersion.
 * @returns {{ arrivals: Map<string, number>, rvs: Map<string, number>, ready: Promise<void>, stop: () => void, errors: string[] }}
 */
function openWatch(cluster, ns, rv) {
  const arrivals = new Map();
  const rvs = new Map();
  const errors = [];
  const ctl = new AbortController();
  let readyResolve;
  const ready = new Promise((r) => (readyResolve = r));
  (async () => {
    try {
      const res = await fetch(`${cluster.url}/apis/coordination.k8s.io/v1/namespaces/${ns}/leases?watch=true&resourceVersion=${rv}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: ctl.signal,
      });
      readyResolve();
      if (res.status !== 200) throw new Error(`watch: ${res.status}`);
      for await (const ev of watchEvents(res.body)) {
        if (ev.type === "ADDED") {
          arrivals.set(ev.object.metadata.name, Date.now());
          rvs.set(ev.object.metadata.name, Number(ev.object.metadata.resourceVersion));
        }
        else if (ev.type === "ERROR") errors.push(ev.object.message);
      }
    } catch (e) {
      readyResolve();
      if (e.name !== "AbortError") errors.push(String(e.message ?? e));
    }
  })();
  return { arrivals, rvs, ready, errors, stop: () => ctl.abort() };
}

function lease(name) {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: "bench" } };
}

async function runOnce(cluster, r, inspectorPort) {
  const ns = `watch-${r}`;
  const created = await cluster.api("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) });
  if (created.status !== 201) throw new Error(`namespace ${ns}: ${created.status}`);

  log(`    idle: D1 round trips over ${opts.idleSeconds} s without watches`);
  const baseline = await d1Rate(cluster, opts.idleSeconds);
  const list = await cluster.api(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`);
  const watches = Array.from({ length: opts.watches }, () => openWatch(cluster, ns, list.body.metadata.resourceVersion));
  await Promise.all(watches.map((w) => w.ready));
  await sleep(2_000);
  log(`    idle: D1 round trips over ${opts.idleSeconds} s with ${opts.watches} watches open`);
  const withWatches = await d1Rate(cluster, opts.idleSeconds);

  log(`    latency: ${opts.writes} writes, ${opts.intervalMs} ms apart`);
  const sent = new Map();
  const writeMs = [];
  const profiler = inspectorPort ? await startProfiler(inspectorPort) : undefined;
  try {
    for (let i = 0; i < opts.writes; i++) {
      const name = `l-${i}`;
      const t = Date.now();
      sent.set(name, t);
      const res = await cluster.api(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { method: "POST", body: JSON.stringify(lease(name)) });
      if (res.status !== 201) throw new Error(`create lease ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      writeMs.push(Date.now() - t);
      await sleep(opts.intervalMs);
    }
    const until = Date.now() + DELIVERY_MAX_MS;
    const expected = opts.writes * opts.watches;
    for (;;) {
      const got = watches.reduce((n, w) => n + w.arrivals.size, 0);
      if (got >= expected || Date.now() > until) break;
      await sleep(100);
    }
  } finally {
    for (const w of watches) w.stop();
  }
  if (profiler) await writeProfile(await profiler.stop());
  const latencies = [];
  const fromCommit = [];
  let missing = 0;
  const commitOf = await commitTimes(cluster, watches);
  let unmatched = 0;
  for (const w of watches) {
    for (const [name, t] of sent) {
      const at = w.arrivals.get(name);
      if (at === undefined) {
        missing++;
        continue;
      }
      latencies.push(at - t);
      const committed = commitOf(w.rvs.get(name));
      if (committed === undefined) unmatched++;
      else fromCommit.push(at - committed);
    }
  }
  const errors = watches.flatMap((w) => w.errors);
  const out = {
    d1PerSecondBaseline: baseline,
    d1PerSecondWithWatches: withWatches,
    d1PerSecondForWatches: withWatches - baseline,
    committedP50Ms: percentile(fromCommit, 50),
    committedP99Ms: percentile(fromCommit, 99),
    committedMaxMs: Math.max(...fromCommit),
    unmatched,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencyMaxMs: Math.max(...latencies),
    writeP50Ms: percentile(writeMs, 50),
    delivered: latencies.length,
    missing,
    errors: errors.slice(0, 5),
  };
  log(
    `    D1/s: ${baseline.toFixed(1)} without watches, ${withWatches.toFixed(1)} with ${opts.watches} (+${out.d1PerSecondForWatches.toFixed(1)}); ` +
      `commit -> event p50 ${out.committedP50Ms} ms, p99 ${out.committedP99Ms} ms; send -> event p50 ${out.latencyP50Ms} ms, p99 ${out.latencyP99Ms} ms (write p50 ${out.writeP50Ms} ms); ${missing} missing, ${unmatched} without a commit time${errors.length ? `; errors: ${errors[0]}` : ""}`,
  );
  return out;
}

/** Where the profiled thread went, printed; the profile written beside the results. */
async function writeProfile(prof) {
  const file = resultFile(opts.label ? `watch-${opts.label}` : "watch", "cpuprofile");
  writeFileSync(file, JSON.stringify(prof));
  const { totalMs, busyMs } = printProfile(prof, join(build.dir, "dist"));
  log(`    profiled ${(totalMs / 1000).toFixed(0)} s, busy ${(busyMs / 1000).toFixed(0)} s; written to ${file.pathname}`);
}

/** The commit time of the commit that wrote revision `rv`: the first noted commit at or after it (a commit notes its last revision). */
async function commitTimes(cluster, watches) {
  const rvs = watches.flatMap((w) => [...w.rvs.values()]);
  if (rvs.length === 0) return () => undefined;
  const res = await cluster.api(`/__bench/commits?from=${Math.min(...rvs)}`);
  if (res.status !== 200) throw new Error(`commits: ${res.status}`);
  const commits = res.body;
  return (rv) => {
    if (rv === undefined) return undefined;
    let lo = 0;
    let hi = commits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (commits[mid][0] < rv) lo = mid + 1;
      else hi = mid;
    }
    return commits[lo]?.[1];
  };
}

const stat = (runs, key) => {
  const xs = runs.map((r) => r[key]);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};

log(`edgekube watch benchmark: ${opts.watches} watches, ${opts.runs} runs of ${opts.writes} writes; ${opts.nodes} node(s); ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
log("bundling bench/worker.mts");
const build = buildBench();
const runs = [];
try {
  for (let r = 1; r <= opts.runs; r++) {
    if (Date.now() > budgetEnd) {
      log(`time budget reached: stopping after ${runs.length} run(s)`);
      break;
    }
    // A fresh cluster per run: nothing a previous run left behind (a watch loop the
    // server still runs for a client that has gone) counts in the next one.
    log(`  run ${r}/${opts.runs}: starting wrangler dev`);
    const inspectorPort = opts.profile && r === 1 ? await freePort() : 0;
    const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes) }, { inspectorPort });
    try {
      // The first API request bootstraps the cluster; let its writes settle.
      const until = Date.now() + 120_000;
      while ((await cluster.api("/api/v1/nodes")).body?.items?.length !== opts.nodes) {
        if (Date.now() > until) throw new Error("nodes did not register");
        await sleep(500);
      }
      await sleep(3_000);
      runs.push(await runOnce(cluster, r, inspectorPort));
    } catch (e) {
      console.error(cluster.logs().slice(-3000));
      throw e;
    } finally {
      await cluster.stop();
    }
  }
} finally {
  build.cleanup();
}

const keys = ["d1PerSecondBaseline", "d1PerSecondWithWatches", "d1PerSecondForWatches", "committedP50Ms", "committedP99Ms", "latencyP50Ms", "latencyP99Ms", "writeP50Ms", "missing"];
const summary = Object.fromEntries(keys.map((k) => [k, stat(runs, k)]));
const f = (s, d) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)})`;
console.log(
  "\n" +
    textTable([
      ["watches", "runs", "D1/s idle, none", `D1/s idle, ${opts.watches} watches`, "D1/s for watches", "commit->event p50 ms", "commit->event p99 ms", "send->event p50 ms", "send->event p99 ms", "write p50 ms", "missing"],
      [String(opts.watches), String(runs.length), f(summary.d1PerSecondBaseline, 1), f(summary.d1PerSecondWithWatches, 1), f(summary.d1PerSecondForWatches, 1), f(summary.committedP50Ms, 0), f(summary.committedP99Ms, 0), f(summary.latencyP50Ms, 0), f(summary.latencyP99Ms, 0), f(summary.writeP50Ms, 0), f(summary.missing, 0)],
    ]) +
    "\n",
);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = resultFile(opts.label ? `watch-${opts.label}` : "watch", "json");
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: opts, isolatesCounted, summary, runs }, null, 2) + "\n");
log(`D1 round trips counted in ${isolatesCounted} isolate(s); results written to ${file.pathname}`);
