// `npm run bench -- scheduler -- --nodes 1000 --pods 10000 --runs 3 --api-pods 0 [--kubelets real|none] [--client perf|defaults] [--profile] [--label text] [--budget-min 10]`
// (defaults: --nodes 100,1000 --pods 500 --api-pods 100 --runs 3 --concurrency 16 --kubelets real --client perf)
//
// Scheduling throughput at each cluster size (a local cluster per size: wrangler
// dev serving bench/worker.mts, i.e. the real worker plus /__bench endpoints),
// median of --runs runs with the slowest and fastest, next to the cost of a raw D1
// row insert measured in the same run against the same database. Not a test: never
// part of `npm test`. Bounded: every wait has a deadline, each cluster size gets an
// equal share of what is left of --budget-min, and a size whose share runs out
// reports the runs it finished.
//
// The scheduler's client limit (--client): "perf" (default) runs it as upstream's
// scheduler_perf does, rest config QPS 5000 / Burst 5000 (test/integration/
// scheduler_perf, mustSetupCluster), i.e. SCHEDULER_KUBE_API_QPS=5000 and
// SCHEDULER_KUBE_API_BURST=5000; "defaults" keeps the cluster's 50/100 (kube-scheduler's
// clientConnection defaults), which caps binds at 50/s. The controllers' and kubelets'
// clients are unlimited (QPS 0) in both.
//
// The nodes (--kubelets): "real" (default) are the cluster's own nodes, each a
// NodeAgent whose kubelet starts the pods bound to it, on the same JavaScript thread
// as the scheduler (the whole cluster's throughput); "none" are Node objects with no
// kubelet behind them, created through /__bench/nodes, as scheduler_perf creates its
// nodes (the scheduler's own throughput; admission still asks each node's agent).
//
// Per run, three measurements:
// - raw D1: 1,000 single-row INSERTs one at a time, then 1,000 in one batch
//   (inside workerd, same D1 database as the cluster);
// - backlog: --pods pending pods written straight to D1, then one poke; the time
//   until the scheduler has bound them all (its own throughput: decide, kubelet
//   admission, batched binds + events); the scheduler's progress is logged every 10 s;
//   with real kubelets, the next run waits (at most 3 min) until the previous
//   backlog's pods have started;
// - API (unless --api-pods 0): --api-pods pods created through the Kubernetes API
//   (--concurrency requests in flight), timed from the first create until a list of
//   unbound pods comes back empty (polled every 100 ms): create-to-bound as a client
//   sees it, usually limited by the API's create path rather than the scheduler.
//
// --profile: the last run's backlog under the V8 sampling profiler (slower): busy
// time by component, file and function, and bench/results/scheduler-profile-*.cpuprofile.
// Results: bench/results/scheduler-<time>.json (with the load average at the start,
// after each run and at the end); bench/scheduler-chart.mjs draws result files as bars.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { TOKEN, buildBench, freePort, startCluster } from "./cluster.mjs";
import { OUTSIDE, selfTimes, startProfiler } from "./devtools.mjs";
import { byComponent, moduleMap } from "./profile-components.mjs";
import { log, median, percentile, resultFile, sleep, textTable } from "./util.mjs";

/**
 * The scheduler's client-side rate limit (its clientConnection qps/burst), as cluster vars.
 * "perf": what upstream's scheduler_perf gives the scheduler under test (rest config QPS
 * 5000, Burst 5000), so the figure is the scheduler's own throughput; "defaults": the
 * cluster's defaults (50/100, kube-scheduler's), where binds are paced at 50/s.
 * The other components' clients are unlimited in both ("0"), as before.
 */
const CLIENTS = {
  perf: { SCHEDULER_KUBE_API_QPS: "5000", SCHEDULER_KUBE_API_BURST: "5000" },
  defaults: {},
};

function parseArgs(argv) {
  const o = { nodes: [100, 1000], pods: 500, apiPods: 100, runs: 3, concurrency: 16, budgetMin: 10, client: "perf", label: "", profile: false, kubelets: "real" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") continue;
    if (argv[i] === "--profile") {
      o.profile = true;
      continue;
    }
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--nodes") o.nodes = v.split(",").map(Number);
    else if (k === "--pods") o.pods = Number(v);
    else if (k === "--api-pods") o.apiPods = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--concurrency") o.concurrency = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else if (k === "--client") o.client = v;
    else if (k === "--label") o.label = v;
    else if (k === "--kubelets") o.kubelets = v;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!["real", "none"].includes(o.kubelets)) throw new Error("--kubelets: real or none");
  if (!CLIENTS[o.client]) throw new Error(`--client: one of ${Object.keys(CLIENTS).join(", ")}`);
  if (o.runs < 1 || o.pods < 1 || o.apiPods < 0 || o.nodes.some((n) => !(n > 0))) throw new Error("bad arguments");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const SETTLE_MAX_MS = 30_000;
const BACKLOG_SETTLE_MAX_MS = 180_000;
/** An API run that takes longer than this is recorded as timed out, not waited for. */
const API_RUN_MAX_MS = 90_000;
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
/** The current cluster size's share of the budget. */
let sizeEnd = budgetEnd;

function deadline(ms) {
  return Math.min(Date.now() + ms, sizeEnd);
}

function benchPod(name) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  };
}

/** scheduler_perf's createNodes: `count` Node objects without kubelets, once the API is up. */
async function perfNodes(cluster, count) {
  const until = deadline(5 * 60_000);
  while ((await cluster.api("/api/v1/nodes?limit=1")).status !== 200) {
    if (Date.now() > until) throw new Error("the API did not come up");
    await sleep(1_000);
  }
  const res = await postUntimed(cluster, `/__bench/nodes?n=${count}`);
  if (res.status !== 200) throw new Error(`nodes: ${res.status} ${JSON.stringify(res.body)}`);
}

async function waitForNodes(cluster, count) {
  const until = deadline(10 * 60_000);
  let last = -1;
  for (;;) {
    // The first API request bootstraps the cluster (it starts every node's agent).
    const { status, body } = await cluster.api("/api/v1/nodes?limit=1");
    if (status === 200) {
      const all = await cluster.api("/api/v1/nodes");
      const n = all.body?.items?.length ?? 0;
      if (n !== last) log(`  nodes registered: ${n}/${count}`);
      last = n;
      if (n >= count) return;
    } else {
      log(`  waiting for the API (${status}: ${body?.message ?? ""})`);
    }
    if (Date.now() > until) throw new Error(`only ${last}/${count} nodes registered in time`);
    await sleep(1_000);
  }
}

/** One measured run: create `pods` pods in a new namespace and wait until all are bound. */
async function runOnce(cluster, ns, pods) {
  const created = await cluster.api("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) });
  if (created.status !== 201) throw new Error(`namespace ${ns}: ${created.status} ${JSON.stringify(created.body)}`);
  const createdAt = new Map();
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const progress = setInterval(() => log(`    ${ns}: created ${done}/${pods}`), 2_000);
  const until = deadline(API_RUN_MAX_MS);
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < pods) {
          const name = `p-${next++}`;
          const sent = Date.now();
          const res = await cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(benchPod(name)) });
          if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
          createdAt.set(name, sent);
          done++;
          if (Date.now() > until) throw new Error("time budget exhausted while creating pods");
        }
      }),
    );
    const tCreated = Date.now();
    let lastNote = tCreated;
    for (;;) {
      const pending = await cluster.api(`/api/v1/namespaces/${ns}/pods?fieldSelector=spec.nodeName%3D&limit=1`);
      if (pending.status !== 200) throw new Error(`list: ${pending.status}`);
      if (pending.body.items.length === 0) break;
      if (Date.now() - lastNote > 2_000) {
        log(`    ${ns}: all created, waiting for binds (${((Date.now() - tCreated) / 1000).toFixed(1)} s)`);
        lastNote = Date.now();
      }
      if (Date.now() > until) throw new Error(`pods still unbound at the deadline (first: ${pending.body.items[0].metadata.name})`);
      await sleep(100);
    }
    const tBound = Date.now();
    const events = await cluster.api(`/api/v1/namespaces/${ns}/events?fieldSelector=reason%3DScheduled`);
    const latencies = [];
    for (const ev of events.body.items) {
      const c = createdAt.get(ev.involvedObject.name);
      const at = Date.parse(ev.eventTime ?? ev.firstTimestamp);
      if (c !== undefined && Number.isFinite(at)) latencies.push(Math.max(0, at - c));
    }
    return {
      pods,
      createSeconds: (tCreated - t0) / 1000,
      totalSeconds: (tBound - t0) / 1000,
      podsPerSecond: pods / ((tBound - t0) / 1000),
      createPerSecond: pods / ((tCreated - t0) / 1000),
      lagAfterLastCreateMs: tBound - tCreated,
      latencyP50Ms: latencies.length ? percentile(latencies, 50) : null,
      latencyP99Ms: latencies.length ? percentile(latencies, 99) : null,
    };
  } finally {
    clearInterval(progress);
  }
}

/** A POST answered whenever it is done: fetch gives up on headers after 300 s, a slow backlog takes longer. */
function postUntimed(cluster, path) {
  return new Promise((resolve, reject) => {
    const req = request(cluster.url + path, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode, body: text });
        }
      });
    });
    req.on("error", reject);
    req.setTimeout(0);
    req.end();
  });
}

/** The scheduler's progress while a backlog runs (pods bound so far, phase times), every 10 s. */
function watchProgress(cluster, ns, pods) {
  let last;
  const timer = setInterval(async () => {
    const res = await cluster.api("/__bench/scheduler").catch(() => undefined);
    const st = res?.status === 200 ? res.body.stats : undefined;
    if (!st) return log(`    ${ns}: scheduling ${pods} pods... (scheduler busy)`);
    const rate = last ? ((st.bound - last.bound) / ((Date.now() - last.at) / 1000)).toFixed(0) : "-";
    log(`    ${ns}: ${st.bound} bound in all, ${rate}/s now; queue ${JSON.stringify(res.body.queue)}`);
    last = { bound: st.bound, at: Date.now() };
  }, 10_000);
  return () => clearInterval(timer);
}

/** The scheduler's own throughput: a backlog written straight to D1, then one poke. */
async function backlogRun(cluster, ns, pods) {
  const stop = watchProgress(cluster, ns, pods);
  try {
    const res = await postUntimed(cluster, `/__bench/backlog?ns=${ns}&n=${pods}`);
    if (res.status !== 200) throw new Error(`backlog: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.pending !== 0) throw new Error(`backlog: ${res.body.pending} pods still pending`);
    return { ...res.body, podsPerSecond: pods / (res.body.scheduleMs / 1000) };
  } finally {
    stop();
  }
}

/**
 * The kubelets go on starting the pods of the previous measurement (status
 * writes) for a while after they are bound: wait until none of them is Pending
 * (at most SETTLE_MAX_MS), so that work stays out of the next measurement.
 */
async function settle(cluster, ns, maxMs = SETTLE_MAX_MS) {
  const until = deadline(maxMs);
  const t = Date.now();
  for (;;) {
    const res = await cluster.api(`/api/v1/namespaces/${ns}/pods?fieldSelector=status.phase%3DPending&limit=1`);
    if (res.status !== 200 || res.body.items.length === 0) break;
    if (Date.now() > until) {
      log(`    ${ns}: pods still starting after ${maxMs / 1000} s; measuring anyway`);
      break;
    }
    await sleep(500);
  }
  if (Date.now() - t > 2_000) log(`    waited ${((Date.now() - t) / 1000).toFixed(0)} s for ${ns}'s pods to start`);
  await sleep(1_000);
}

/** Where the thread went during a profiled backlog: by component, by file, by function. */
function profileReport(profile, build, nodes) {
  const sampledMs = profile.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
  const self = selfTimes(profile);
  const idleMs = self.filter(([k]) => k.startsWith("(idle)")).reduce((s, [, v]) => s + v, 0);
  const busy = sampledMs - idleMs;
  const { components, files } = byComponent(profile, moduleMap(join(build.dir, "dist")));
  const pct = (ms) => ((100 * ms) / busy).toFixed(1);
  const outsideMs = self.filter(([k]) => k === OUTSIDE).reduce((s, [, v]) => s + v, 0);
  log(`    profile: sampled ${(sampledMs / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s (${((100 * busy) / sampledMs).toFixed(0)}%; ${(outsideMs / 1000).toFixed(1)} s of it outside the worker's isolate, mostly D1), ${(busy / opts.pods).toFixed(2)} ms busy per pod`);
  console.log("\n" + textTable([["component", "ms", "% busy"], ...components.map(([k, ms]) => [k, ms.toFixed(0), pct(ms)])]));
  console.log("\n" + textTable([["file (self)", "ms", "% busy"], ...files.slice(0, 25).map(([k, ms]) => [k, ms.toFixed(0), pct(ms)])]));
  console.log("\n" + textTable([["function (self)", "ms", "% busy"], ...self.filter(([k]) => !k.startsWith("(idle)")).slice(0, 30).map(([k, ms]) => [k, ms.toFixed(0), pct(ms)])]) + "\n");
  const file = resultFile(`scheduler-profile-${nodes}`, "cpuprofile");
  writeFileSync(file, JSON.stringify(profile));
  log(`    profile written to ${file.pathname}`);
}

async function d1Run(cluster) {
  const res = await cluster.api("/__bench/d1?n=1000", { method: "POST" });
  if (res.status !== 200) throw new Error(`d1: ${res.status} ${JSON.stringify(res.body)}`);
  const { n, singleMs, batchMs } = res.body;
  return { n, singleMs, batchMs, singleMsPerRow: singleMs / n, batchMsPerRow: batchMs / n };
}

async function benchSize(build, nodes) {
  log(`cluster of ${nodes} nodes: starting wrangler dev`);
  const tStart = Date.now();
  // The scheduler's client limit per --client (see CLIENTS); no limit on the other components.
  const inspectorPort = opts.profile ? await freePort() : 0;
  // --kubelets none: scheduler_perf's setup, Node objects with nothing behind them (no
  // kubelet starts the bound pods); the node monitor's grace period is long so they stay Ready.
  const kubeletVars = opts.kubelets === "none" ? { DEFAULT_NODE_COUNT: "0", NODE_MONITOR_GRACE_PERIOD: "24h" } : { DEFAULT_NODE_COUNT: String(nodes) };
  const cluster = await startCluster(build.config, { CONTROLLER_KUBE_API_QPS: "0", KUBELET_KUBE_API_QPS: "0", ...kubeletVars, ...CLIENTS[opts.client] }, { startTimeoutMs: 300_000, inspectorPort });
  try {
    if (opts.kubelets === "none") await perfNodes(cluster, nodes);
    await waitForNodes(cluster, nodes);
    const bootSeconds = (Date.now() - tStart) / 1000;
    log(`  cluster up in ${bootSeconds.toFixed(1)} s`);
    // Let the control plane settle (node registrations wake the scheduler and controllers).
    await sleep(2_000);
    const runs = [];
    for (let r = 1; r <= opts.runs; r++) {
      if (Date.now() > sizeEnd) {
        log(`  time budget for ${nodes} nodes reached: stopping after ${runs.length} run(s)`);
        break;
      }
      log(`  run ${r}/${opts.runs}`);
      const d1 = await d1Run(cluster);
      log(`    raw D1 insert: ${d1.singleMsPerRow.toFixed(3)} ms/row one at a time, ${d1.batchMsPerRow.toFixed(4)} ms/row in a batch of ${d1.n}`);
      if (r > 1 && opts.apiPods > 0) await settle(cluster, `api-${r - 1}`);
      // The previous backlog's pods are still being started by their kubelets: keep that out.
      if (r > 1 && opts.kubelets === "real") await settle(cluster, `backlog-${r - 1}`, BACKLOG_SETTLE_MAX_MS);
      // --profile: the last run's backlog under the V8 sampling profiler (it slows the run).
      const profiler = opts.profile && r === opts.runs ? await startProfiler(inspectorPort) : undefined;
      const backlog = await backlogRun(cluster, `backlog-${r}`, opts.pods);
      if (profiler) profileReport(await profiler.stop(), build, nodes);
      log(`    backlog: ${opts.pods} pods bound in ${(backlog.scheduleMs / 1000).toFixed(2)} s = ${backlog.podsPerSecond.toFixed(0)} pods/s`);
      const st = backlog.scheduler.stats;
      log(`      scheduler so far: ${st.bound} bound, ${st.relists} relist(s); awaiting D1 reads ${st.refreshMs} ms, admission ${st.admitMs} ms, commits ${st.commitMs} ms`);
      let api = null;
      if (opts.apiPods > 0) {
        await settle(cluster, `backlog-${r}`);
        try {
          api = await runOnce(cluster, `api-${r}`, opts.apiPods);
        } catch (e) {
          log(`    API run failed: ${e.message}`);
          api = { error: e.message };
        }
        if (!api.error) log(`    API: ${api.podsPerSecond.toFixed(0)} pods/s create->bound (${api.totalSeconds.toFixed(2)} s; creates alone ${api.createPerSecond.toFixed(0)}/s; latency p50 ${api.latencyP50Ms} ms, p99 ${api.latencyP99Ms} ms)`);
      }
      runs.push({ d1, backlog, api, loadAverage: loadavg() });
    }
    const d1Single = median(runs.map((r) => r.d1.singleMsPerRow));
    const d1Batch = median(runs.map((r) => r.d1.batchMsPerRow));
    const backlogPps = median(runs.map((r) => r.backlog.podsPerSecond));
    const apiRuns = runs.filter((r) => r.api && !r.api.error);
    const apiPps = apiRuns.length ? median(apiRuns.map((r) => r.api.podsPerSecond)) : null;
    return {
      nodes,
      bootSeconds,
      runs,
      median: {
        rawInsertMs: d1Single,
        rawInsertsPerSecond: 1000 / d1Single,
        batchInsertMsPerRow: d1Batch,
        backlogPodsPerSecond: backlogPps,
        apiPodsPerSecond: apiPps,
        apiCreatesPerSecond: apiRuns.length ? median(apiRuns.map((r) => r.api.createPerSecond)) : null,
        apiLatencyP50Ms: apiRuns.length ? median(apiRuns.map((r) => r.api.latencyP50Ms ?? NaN)) : null,
        apiLatencyP99Ms: apiRuns.length ? median(apiRuns.map((r) => r.api.latencyP99Ms ?? NaN)) : null,
      },
      // Time per pod expressed in raw single-row inserts (how many inserts one pod's scheduling costs).
      backlogMsPerPodInRawInserts: 1000 / backlogPps / d1Single,
      apiMsPerPodInRawInserts: apiPps ? 1000 / apiPps / d1Single : null,
      // Throughput relative to raw one-at-a-time inserts (1.0 = as fast as writing each pod once, alone).
      backlogRatioToRawInserts: backlogPps / (1000 / d1Single),
      apiRatioToRawInserts: apiPps ? apiPps / (1000 / d1Single) : null,
    };
  } catch (e) {
    console.error(cluster.logs().slice(-3000));
    throw e;
  } finally {
    await cluster.stop();
  }
}

function table(results) {
  const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(d));
  const rows = [
    ["nodes", "runs", "raw insert ms", "raw inserts/s", "batch ms/row", "backlog pods/s", "÷ raw inserts/s", "API pods/s", "÷ raw inserts/s", "API creates/s", "API p50 ms", "API p99 ms"],
    ...results.map((r) => r.error ? [String(r.nodes), "0", ...Array(10).fill("-")] : [
      String(r.nodes),
      String(r.runs.length),
      f(r.median.rawInsertMs, 3),
      f(r.median.rawInsertsPerSecond),
      f(r.median.batchInsertMsPerRow, 4),
      f(r.median.backlogPodsPerSecond),
      f(r.backlogRatioToRawInserts, 2),
      f(r.median.apiPodsPerSecond),
      f(r.apiRatioToRawInserts, 3),
      f(r.median.apiCreatesPerSecond),
      f(r.median.apiLatencyP50Ms),
      f(r.median.apiLatencyP99Ms),
    ]),
  ];
  return textTable(rows);
}

log(`edgekube scheduler benchmark: nodes ${opts.nodes.join(", ")}; ${opts.runs} runs; backlog ${opts.pods} pods, API ${opts.apiPods} pods (${opts.concurrency} in flight); ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
log("bundling bench/worker.mts");
const build = buildBench();
const loadAtStart = loadavg();
const results = [];
try {
  for (const [i, n] of opts.nodes.entries()) {
    if (Date.now() > budgetEnd) break;
    sizeEnd = Date.now() + (budgetEnd - Date.now()) / (opts.nodes.length - i);
    try {
      results.push({ kubelets: opts.kubelets, ...(await benchSize(build, n)) });
    } catch (e) {
      log(`  ${n} nodes: failed: ${e.message.split("\n")[0]}`);
      results.push({ nodes: n, error: e.message.split("\n")[0], runs: [] });
    }
  }
} finally {
  build.cleanup();
}
console.log("\n" + table(results) + "\n");
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = resultFile("scheduler", "json");
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), label: opts.label, client: { mode: opts.client, vars: CLIENTS[opts.client] }, cores: cpus().length, loadAtStart, loadAverage: loadavg(), node: process.version, options: opts, results }, null, 2) + "\n");
log(`results written to ${file.pathname}`);
