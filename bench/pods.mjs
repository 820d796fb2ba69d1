// `npm run bench -- pods [--nodes 100] [--runs 3] [--pods 2000] [--clients 32]
//   [--churn-rate 20] [--churn-seconds 60] [--churn-keep 200] [--requests 1000]
//   [--lifecycle-pods 100] [--limits default,off] [--parts create,churn,latency,work]
//   [--profile 1] [--sites 1] [--label before] [--var NAME:VALUE ...]`
//
// The pod scale goals on a local cluster (wrangler dev serving bench/worker.mts: the
// real worker plus /__bench endpoints; every component shares one JavaScript thread).
// Not a test: never part of `npm test`. Every wait has a deadline.
//
// One cluster of --nodes nodes per client-limit setting (--limits): "default" keeps the
// components' client token buckets at upstream's defaults (controllers 20/30, scheduler
// 50/100, each kubelet 50/100 QPS/burst: a user's cluster), "off" sets every *_KUBE_API_QPS
// to 0, as upstream's own scale tests raise their clients' QPS: scheduler_perf's cluster
// setup (test/integration/scheduler_perf/util.go, mustSetupCluster) gives the scheduler
// and the test's clients a rest.Config of QPS 5000 / Burst 5000.
// Each run uses a fresh namespace of that cluster and deletes its pods after itself.
// Figures 2-4 are measured on the first --limits setting's cluster only.
//
//   1. create: a watch on the namespace's pods is opened, then --pods pods are POSTed by
//      --clients concurrent clients; each pod's create->Running is the time from sending
//      its POST until the watch carries an event with status.phase Running; pods/s is
//      pods over the first POST -> last Running. Goal >= 200 pods/s.
//   2. churn: --churn-rate pods/s created for --churn-seconds, the
//      oldest deleted once more than --churn-keep exist; p99 create->Running (watch).
//      Goal p99 <= 0.5 s.
//   3. latency: --requests GETs of one node, then --requests pod POSTs, each by --clients
//      concurrent clients: p50/p99 per verb. Goals at 1,000 nodes: GET p99 <= 20 ms,
//      POST p99 <= 50 ms.
//   4. work: with nothing else going on (idle D1 rate and CPU measured first and
//      subtracted), --lifecycle-pods pods created, run and deleted: D1 statements and
//      round trips per pod lifecycle (create = until the last POST answered, start = until
//      all Running, delete = until all gone), by statement kind; the runtime's CPU per
//      pod (workerd, /proc) as a multiple of the CPU of one row of a raw D1 batch insert
//      measured in the same run.
// --profile 1 records the V8 CPU profile during the first run's figure 1 at limits off
// (figure 2 when figure 1 is not run) and prints where the thread went, by component and
// source file.
// --sites 1 counts figure 4's statements by kind and by the functions that ran them
// (the stack up to its first await): which code reads what, per pod.
// Writes bench/results/pods[-label]-*.json and pods[-label]-*.svg.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { buildBench, freePort, startCluster, TOKEN } from "./cluster.mjs";
import { startProfiler } from "./devtools.mjs";
import { printProfile } from "./profile-components.mjs";
import { podsChart } from "./pods-chart.mjs";
import { log, median, percentile, resultFile, runtimeStats, sleep, textTable, until, watchEvents } from "./util.mjs";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const NODES = Number(arg("nodes", 100));
const RUNS = Number(arg("runs", 3));
const PODS = Number(arg("pods", 2000));
const CLIENTS = Number(arg("clients", 32));
const CHURN_RATE = Number(arg("churn-rate", 20));
const CHURN_SECONDS = Number(arg("churn-seconds", 60));
const CHURN_KEEP = Number(arg("churn-keep", 200));
const REQUESTS = Number(arg("requests", 1000));
const LIFECYCLE_PODS = Number(arg("lifecycle-pods", 100));
const LIMITS = arg("limits", "default,off").split(",");
const PARTS = new Set(arg("parts", "create,churn,latency,work").split(","));
const PROFILE = Number(arg("profile", 0)) > 0;
/** --sites 1: figure 4 also counts each statement by the functions that ran it (slower: a stack per statement). */
const SITES = Number(arg("sites", 0)) > 0;
const LABEL = arg("label", "");
const extraVars = Object.fromEntries(argv.flatMap((a, i) => (a === "--var" ? [argv[i + 1].split(/:(.*)/s).slice(0, 2)] : [])));
const RUNNING_MAX_MS = 600_000;
const UNLIMITED = { CONTROLLER_KUBE_API_QPS: "0", SCHEDULER_KUBE_API_QPS: "0", KUBELET_KUBE_API_QPS: "0" };
const loadNow = () => loadavg().map((l) => Number(l.toFixed(2)));

const result = { label: LABEL, date: new Date().toISOString(), cores: cpus().length, node: process.version, nodes: NODES, options: { runs: RUNS, pods: PODS, clients: CLIENTS, churnRate: CHURN_RATE, churnSeconds: CHURN_SECONDS, churnKeep: CHURN_KEEP, requests: REQUESTS, lifecyclePods: LIFECYCLE_PODS, limits: LIMITS, parts: [...PARTS] }, vars: extraVars, loadavgAtStart: loadNow(), clusters: {} };
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const stamp = new Date();
const file = resultFile(LABEL ? `pods-${LABEL}` : "pods", "json", stamp);
const save = () => writeFileSync(file, JSON.stringify(result, null, 1) + "\n");

log(`edgekube pods benchmark: ${NODES} nodes, ${RUNS} run(s), limits ${LIMITS.join(" and ")}; ${cpus().length} cores, load ${loadNow().join(" ")}`);
log("bundling bench/worker.mts");
const build = buildBench();
try {
  for (const limits of LIMITS) {
    const vars = { DEFAULT_NODE_COUNT: String(NODES), ...(limits === "off" ? UNLIMITED : {}), ...extraVars };
    const profile = PROFILE && limits === LIMITS.at(-1);
    const inspectorPort = profile ? await freePort() : 0;
    log(`client limits ${limits}: starting wrangler dev with ${NODES} nodes`);
    const cluster = await startCluster(build.config, vars, { startTimeoutMs: 300_000, inspectorPort });
    const out = { vars, runs: [] };
    result.clusters[limits] = out;
    try {
      await waitForNodes(cluster);
      for (let r = 1; r <= RUNS; r++) {
        const run = { loadavgBefore: loadNow() };
        out.runs.push(run);
        const ns = `pods-${r}`;
        await createNamespace(cluster, ns);
        if (PARTS.has("create")) run.create = await createToRunning(cluster, ns, r, profile && r === 1 ? inspectorPort : 0);
        // Figures 2-4 are what a user's cluster does: at the first limits setting only.
        const first = limits === LIMITS[0];
        // Without figure 1, --profile records figure 2 instead.
        const profileChurn = profile && r === 1 && !PARTS.has("create") ? inspectorPort : 0;
        if (PARTS.has("churn") && first) run.churn = await churn(cluster, `${ns}-churn`, r, profileChurn);
        if (PARTS.has("latency") && first) run.latency = await latency(cluster, `${ns}-latency`, r);
        if (PARTS.has("work") && first) run.work = await work(cluster, `${ns}-work`, r);
        run.loadavgAfter = loadNow();
        save();
      }
      out.summary = summarize(out.runs);
      save();
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
result.loadavgAtEnd = loadNow();
save();
printSummary();
const svg = resultFile(LABEL ? `pods-${LABEL}` : "pods", "svg", stamp);
writeFileSync(svg, podsChart(result));
log(`written to ${file.pathname} and ${svg.pathname}`);

// ---------------------------------------------------------------------------------

function pod(name, app = "bench") {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  };
}

async function waitForNodes(cluster) {
  const t = Date.now();
  let last = -1;
  await until(
    async () => {
      const items = (await cluster.api("/api/v1/nodes")).body?.items ?? [];
      const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;
      if (ready !== last) log(`  nodes ready: ${ready}/${NODES}`);
      last = ready;
      return ready >= NODES;
    },
    600_000,
    "nodes ready",
  );
  log(`  ${NODES} nodes ready after ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

async function createNamespace(cluster, ns) {
  const res = await cluster.api("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) });
  if (res.status !== 201) throw new Error(`namespace ${ns}: ${res.status} ${JSON.stringify(res.body)}`);
  // The namespace's default ServiceAccount comes from a controller: wait for it, as a
  // user's first pod would otherwise be refused (upstream answers the same way).
  await until(async () => (await cluster.api(`/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200, 60_000, "default service account", 200);
}

/**
 * A watch on the namespace's pods from now on: when each pod was first seen bound
 * (spec.nodeName), when it first showed Running, and when each was seen DELETED.
 */
async function podWatch(cluster, ns) {
  const list = await cluster.api(`/api/v1/namespaces/${ns}/pods?limit=1`);
  const running = new Map();
  const bound = new Map();
  const deleted = new Map();
  const errors = [];
  const ctl = new AbortController();
  const res = await fetch(`${cluster.url}/api/v1/namespaces/${ns}/pods?watch=true&allowWatchBookmarks=false&resourceVersion=${list.body.metadata.resourceVersion}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: ctl.signal,
  });
  if (res.status !== 200) throw new Error(`watch: ${res.status}`);
  const done = (async () => {
    try {
      for await (const ev of watchEvents(res.body)) {
        const t = Date.now();
        if (ev.type === "ERROR") errors.push(ev.object?.message);
        const name = ev.object?.metadata?.name;
        if (ev.type === "DELETED") deleted.set(name, t);
        else {
          if (ev.object?.spec?.nodeName && !bound.has(name)) bound.set(name, t);
          if (ev.object?.status?.phase === "Running" && !running.has(name)) running.set(name, t);
        }
      }
    } catch (e) {
      if (e.name !== "AbortError") errors.push(String(e.message ?? e));
    }
  })();
  return {
    running,
    bound,
    deleted,
    errors,
    stop: async () => {
      ctl.abort();
      await done;
    },
  };
}

/** `count` requests, `clients` at a time; each request's latency (ms) and failures. */
async function concurrently(count, clients, request) {
  let next = 0;
  const ms = [];
  const failures = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = Date.now();
        try {
          const r = await request(i, t);
          if (r.status >= 300) failures.push(`${r.status} ${r.body?.message ?? ""}`);
        } catch (e) {
          failures.push(String(e.message ?? e));
        }
        ms.push(Date.now() - t);
      }
    }),
  );
  return { ms, failures };
}

function dist(xs) {
  return xs.length ? { p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), max: Math.max(...xs), count: xs.length } : { count: 0 };
}

/** Progress every 5 s until `check` says done (or the deadline). */
async function waitWithProgress(what, check, status, maxMs = RUNNING_MAX_MS) {
  const deadline = Date.now() + maxMs;
  let lastLog = Date.now();
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${status()}`);
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`    ${status()}`);
    }
    await sleep(50);
  }
}

async function deleteAll(cluster, ns, watch, names) {
  // One DELETE per pod, as a controller or a user's script would send them.
  await concurrently(names.length, CLIENTS, (i) => cluster.api(`/api/v1/namespaces/${ns}/pods/${names[i]}`, { method: "DELETE" }));
  await waitWithProgress("pods deleted", () => names.every((n) => watch.deleted.has(n)), () => `${names.filter((n) => watch.deleted.has(n)).length}/${names.length} deleted`);
}

async function createToRunning(cluster, ns, r, inspectorPort) {
  log(`  run ${r}: figure 1, ${PODS} pods by ${CLIENTS} clients until Running`);
  const watch = await podWatch(cluster, ns);
  const profiler = inspectorPort ? await startProfiler(inspectorPort) : undefined;
  const cpuBefore = runtimeStats(cluster.pgid).cpuS;
  const sent = new Map();
  const names = Array.from({ length: PODS }, (_, i) => `p-${i}`);
  const t0 = Date.now();
  let progress = setInterval(() => log(`    ${sent.size}/${PODS} sent, ${watch.running.size} Running`), 5_000);
  const posts = await concurrently(PODS, CLIENTS, (i, t) => {
    sent.set(names[i], t);
    return cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(pod(names[i])) });
  });
  clearInterval(progress);
  const postsDone = Date.now();
  if (posts.failures.length) log(`    ${posts.failures.length} creates failed, e.g. ${posts.failures[0]}`);
  const expected = PODS - posts.failures.length;
  await waitWithProgress("pods Running", () => watch.running.size >= expected, () => `${watch.running.size}/${expected} Running`);
  const tEnd = Math.max(...watch.running.values());
  const cpuS = runtimeStats(cluster.pgid).cpuS - cpuBefore;
  const out = {
    pods: watch.running.size,
    podsPerSecond: watch.running.size / ((tEnd - t0) / 1000),
    createsPerSecond: PODS / ((postsDone - t0) / 1000),
    toRunning: dist(names.filter((n) => watch.running.has(n)).map((n) => watch.running.get(n) - sent.get(n))),
    post: dist(posts.ms),
    failures: posts.failures.length,
    cpuSeconds: cpuS,
    watchErrors: watch.errors.slice(0, 3),
  };
  if (profiler) out.profile = await writeProfile(await profiler.stop());
  log(`    ${out.pods} Running in ${((tEnd - t0) / 1000).toFixed(1)} s: ${out.podsPerSecond.toFixed(0)} pods/s (creates ${out.createsPerSecond.toFixed(0)}/s); create->Running p50 ${out.toRunning.p50} ms, p99 ${out.toRunning.p99} ms; POST p50 ${out.post.p50} ms, p99 ${out.post.p99} ms; runtime CPU ${cpuS.toFixed(1)} s`);
  log(`    deleting them`);
  await deleteAll(cluster, ns, watch, names.filter((n) => watch.running.has(n)));
  await watch.stop();
  return out;
}

async function churn(cluster, ns, r, inspectorPort) {
  await createNamespace(cluster, ns);
  log(`  run ${r}: figure 2, ${CHURN_RATE} pods/s for ${CHURN_SECONDS} s, at most ${CHURN_KEEP} kept`);
  const watch = await podWatch(cluster, ns);
  const profiler = inspectorPort ? await startProfiler(inspectorPort) : undefined;
  const sent = new Map();
  const answered = new Map();
  const live = [];
  const pending = new Set();
  const failures = [];
  const total = Math.round(CHURN_RATE * CHURN_SECONDS);
  const t0 = Date.now();
  let lastLog = t0;
  for (let i = 0; i < total; i++) {
    await sleep(Math.max(0, t0 + (i * 1000) / CHURN_RATE - Date.now()));
    const name = `c-${i}`;
    const t = Date.now();
    sent.set(name, t);
    live.push(name);
    const p = cluster
      .api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(pod(name, "churn")) })
      .then((res) => (res.status >= 300 ? failures.push(`${res.status} ${res.body?.message ?? ""}`) : answered.set(name, Date.now())))
      .catch((e) => failures.push(String(e.message ?? e)))
      .finally(() => pending.delete(p));
    pending.add(p);
    if (live.length > CHURN_KEEP) {
      const old = live.shift();
      const d = cluster
        .api(`/api/v1/namespaces/${ns}/pods/${old}`, { method: "DELETE" })
        .catch(() => undefined)
        .finally(() => pending.delete(d));
      pending.add(d);
    }
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`    ${((Date.now() - t0) / 1000).toFixed(0)} s: ${i + 1} created, ${watch.running.size} seen Running, ${pending.size} requests in flight`);
    }
  }
  await Promise.all(pending);
  const sendSeconds = (Date.now() - t0) / 1000;
  const created = [...sent.keys()];
  await waitWithProgress("churned pods Running", () => created.every((n) => watch.running.has(n) || watch.deleted.has(n)), () => `${watch.running.size}/${created.length} Running`);
  // A pod deleted before it ran has no startup time: it counts as missing.
  const ran = created.filter((n) => watch.running.has(n));
  const latencies = ran.map((n) => watch.running.get(n) - sent.get(n));
  const out = { created: created.length, achievedRate: created.length / sendSeconds, toRunning: dist(latencies), missing: created.length - latencies.length, failures: failures.length };
  out.stages = churnStages(ran, sent, answered, watch, out.toRunning.p99);
  if (profiler) out.profile = await writeProfile(await profiler.stop());
  log(`    ${out.created} created at ${out.achievedRate.toFixed(1)}/s; create->Running p50 ${out.toRunning.p50} ms, p99 ${out.toRunning.p99} ms, max ${out.toRunning.max} ms; ${out.missing} never seen Running; ${out.failures} failed`);
  log(`    stages p50 / p99 (median of the slowest 1 %): ${Object.entries(out.stages).map(([k, v]) => `${k} ${v.all.p50} / ${v.all.p99} (${v.slowest})`).join("; ")} ms`);
  await deleteAll(cluster, ns, watch, live);
  await watch.stop();
  return out;
}

/**
 * Where each pod's startup went, from the client's side: the create's answer, then the
 * watch seeing it bound (the scheduler), then Running (the kubelet); each stage's
 * distribution over all pods, and its median over the slowest 1 % (where p99 comes from).
 */
function churnStages(ran, sent, answered, watch, p99) {
  const stage = (from, to) => (n) => (from.has(n) && to.has(n) ? to.get(n) - from.get(n) : undefined);
  const stages = { create: stage(sent, answered), schedule: stage(answered, watch.bound), start: stage(watch.bound, watch.running) };
  const slow = ran.filter((n) => watch.running.get(n) - sent.get(n) >= p99);
  const values = (f, names) => names.map(f).filter((x) => x !== undefined);
  return Object.fromEntries(Object.entries(stages).map(([k, f]) => [k, { all: dist(values(f, ran)), slowest: median(values(f, slow)) }]));
}

async function latency(cluster, ns, r) {
  await createNamespace(cluster, ns);
  log(`  run ${r}: figure 3, ${REQUESTS} GETs of one node and ${REQUESTS} pod POSTs, ${CLIENTS} clients`);
  const node = (await cluster.api("/api/v1/nodes?limit=1")).body.items[0].metadata.name;
  const get = await concurrently(REQUESTS, CLIENTS, () => cluster.api(`/api/v1/nodes/${node}`));
  const watch = await podWatch(cluster, ns);
  const names = Array.from({ length: REQUESTS }, (_, i) => `l-${i}`);
  const post = await concurrently(REQUESTS, CLIENTS, (i) => cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(pod(names[i], "latency")) }));
  const out = { get: { ...dist(get.ms), failures: get.failures.length }, post: { ...dist(post.ms), failures: post.failures.length } };
  log(`    GET node p50 ${out.get.p50} ms, p99 ${out.get.p99} ms; POST pod p50 ${out.post.p50} ms, p99 ${out.post.p99} ms (${get.failures.length + post.failures.length} failed)`);
  await waitWithProgress("latency pods Running", () => watch.running.size >= REQUESTS - post.failures.length, () => `${watch.running.size} Running`);
  await deleteAll(cluster, ns, watch, names.filter((n) => watch.running.has(n)));
  await watch.stop();
  return out;
}

async function d1Counters(cluster) {
  const res = await cluster.api("/__bench/d1-queries?caches=pods&detail=1");
  if (res.status !== 200) throw new Error(`d1-queries: ${res.status}`);
  return { at: Date.now(), cpuS: runtimeStats(cluster.pgid).cpuS, queries: res.body.queries, statements: res.body.statements, kinds: res.body.kinds, rows: res.body.rows ?? {}, bySql: res.body.bySql ?? {} };
}

function diff(a, b) {
  const kinds = {};
  for (const [k, v] of Object.entries(b.kinds)) if (v - (a.kinds[k] ?? 0) > 0) kinds[k] = v - (a.kinds[k] ?? 0);
  const rows = {};
  for (const [k, v] of Object.entries(b.rows)) if (v - (a.rows[k] ?? 0) > 0) rows[k] = v - (a.rows[k] ?? 0);
  const bySql = {};
  for (const [k, v] of Object.entries(b.bySql)) {
    const was = a.bySql[k] ?? { runs: 0, rows: 0 };
    if (v.runs > was.runs) bySql[k] = { runs: v.runs - was.runs, rows: v.rows - was.rows };
  }
  return { seconds: (b.at - a.at) / 1000, cpuS: b.cpuS - a.cpuS, queries: b.queries - a.queries, statements: b.statements - a.statements, kinds, rows, bySql };
}

async function work(cluster, ns, r) {
  await createNamespace(cluster, ns);
  const n = LIFECYCLE_PODS;
  log(`  run ${r}: figure 4, work per pod: idle baseline, then ${n} pods created, run and deleted`);
  // Let the previous figures' writes settle, then the idle rate (heartbeats, leases).
  await sleep(5_000);
  const i0 = await d1Counters(cluster);
  await sleep(10_000);
  const idle = diff(i0, await d1Counters(cluster));
  const rate = (x, s) => (x / idle.seconds) * s;
  const watch = await podWatch(cluster, ns);
  const names = Array.from({ length: n }, (_, i) => `w-${i}`);
  if (SITES) await cluster.api("/__bench/d1-sites?on=1", { method: "POST" });
  const c0 = await d1Counters(cluster);
  await concurrently(n, CLIENTS, (i) => cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(pod(names[i], "work")) }));
  const c1 = await d1Counters(cluster);
  await waitWithProgress("work pods Running", () => watch.running.size >= n, () => `${watch.running.size}/${n} Running`);
  // The kubelets' status writes after Running (conditions) land shortly after: let them.
  await sleep(3_000);
  const c2 = await d1Counters(cluster);
  await deleteAll(cluster, ns, watch, names);
  await sleep(3_000);
  const c3 = await d1Counters(cluster);
  const sites = SITES ? (await cluster.api("/__bench/d1-sites?on=0", { method: "POST" })).body.sites : undefined;
  await watch.stop();
  const perPod = (d) => {
    const kinds = {};
    for (const [k, v] of Object.entries(d.kinds)) kinds[k] = Number(((v - rate(idle.kinds[k] ?? 0, d.seconds)) / n).toFixed(2));
    const rows = {};
    for (const [k, v] of Object.entries(d.rows)) rows[k] = Number(((v - rate(idle.rows[k] ?? 0, d.seconds)) / n).toFixed(1));
    return {
      statements: (d.statements - rate(idle.statements, d.seconds)) / n,
      queries: (d.queries - rate(idle.queries, d.seconds)) / n,
      cpuMs: ((d.cpuS - rate(idle.cpuS, d.seconds)) * 1000) / n,
      kinds: Object.fromEntries(Object.entries(kinds).filter(([, v]) => Math.abs(v) >= 0.05).sort((a, b) => b[1] - a[1])),
      // Rows read per pod by kind: D1 turns each into an object, which the profile shows.
      rows: Object.fromEntries(Object.entries(rows).filter(([, v]) => Math.abs(v) >= 0.5).sort((a, b) => b[1] - a[1])),
    };
  };
  const phases = { create: perPod(diff(c0, c1)), start: perPod(diff(c1, c2)), delete: perPod(diff(c2, c3)) };
  const whole = perPod(diff(c0, c3));
  // The floor: one row of a raw D1 batch insert, its CPU measured the same way.
  const rawN = 2000;
  const cpu0 = runtimeStats(cluster.pgid).cpuS;
  const raw = (await cluster.api(`/__bench/d1?n=${rawN}&only=batch`, { method: "POST" })).body;
  const rawRowCpuMs = ((runtimeStats(cluster.pgid).cpuS - cpu0) * 1000) / rawN;
  const out = {
    pods: n,
    idle: { seconds: idle.seconds, queriesPerSecond: idle.queries / idle.seconds, statementsPerSecond: idle.statements / idle.seconds, cpuPerSecond: idle.cpuS / idle.seconds },
    perPod: whole,
    phases,
    raw: { rows: rawN, batchMs: raw.batchMs, rowCpuMs: rawRowCpuMs, rowMs: raw.batchMs / rawN },
    cpuRatioToRawRow: whole.cpuMs / rawRowCpuMs,
  };
  const f = (x) => x.toFixed(1);
  log(`    per pod lifecycle: ${f(whole.statements)} statements, ${f(whole.queries)} round trips (create ${f(phases.create.statements)}/${f(phases.create.queries)}, start ${f(phases.start.statements)}/${f(phases.start.queries)}, delete ${f(phases.delete.statements)}/${f(phases.delete.queries)}); CPU ${f(whole.cpuMs)} ms = ${out.cpuRatioToRawRow.toFixed(0)}x a raw batch row (${rawRowCpuMs.toFixed(3)} ms)`);
  log(`    by kind: ${Object.entries(whole.kinds).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  log(`    rows read by kind: ${Object.entries(whole.rows).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  // The statements that read the most rows per pod (the idle rate not taken off: a hint, not a figure).
  const top = Object.entries(diff(c0, c3).bySql)
    .map(([sql, v]) => ({ sql: sql.replace(/\s+/g, " ").slice(0, 160), runsPerPod: Number((v.runs / n).toFixed(2)), rowsPerPod: Number((v.rows / n).toFixed(2)) }))
    .sort((x, y) => y.rowsPerPod - x.rowsPerPod)
    .slice(0, 12);
  out.topStatementsByRows = top;
  if (sites) {
    // Not net of the idle rate: heartbeats' statements show up too.
    out.sites = Object.fromEntries(Object.entries(sites).slice(0, 40).map(([k, v]) => [k, Number((v / n).toFixed(2))]));
    for (const [k, v] of Object.entries(out.sites).slice(0, 30)) log(`      ${v} per pod: ${k}`);
  }
  for (const t of top) log(`      ${t.rowsPerPod} rows, ${t.runsPerPod} runs per pod: ${t.sql}`);
  return out;
}

async function writeProfile(prof) {
  const pfile = resultFile(LABEL ? `pods-${LABEL}` : "pods", "cpuprofile", stamp);
  writeFileSync(pfile, JSON.stringify(prof));
  const summary = printProfile(prof, join(build.dir, "dist"));
  log(`    profiled ${(summary.totalMs / 1000).toFixed(0)} s, busy ${(summary.busyMs / 1000).toFixed(0)} s; written to ${pfile.pathname}`);
  return { file: pfile.pathname, ...summary };
}

// ---------------------------------------------------------------------------------

/** The figures the summary takes medians of, per run. */
function figures(run) {
  const f = {};
  if (run.create) Object.assign(f, { podsPerSecond: run.create.podsPerSecond, createsPerSecond: run.create.createsPerSecond, toRunningP50Ms: run.create.toRunning.p50, toRunningP99Ms: run.create.toRunning.p99, createPostP99Ms: run.create.post.p99 });
  if (run.churn) Object.assign(f, { churnToRunningP50Ms: run.churn.toRunning.p50, churnToRunningP99Ms: run.churn.toRunning.p99, churnRate: run.churn.achievedRate });
  if (run.latency) Object.assign(f, { getP50Ms: run.latency.get.p50, getP99Ms: run.latency.get.p99, postP50Ms: run.latency.post.p50, postP99Ms: run.latency.post.p99 });
  if (run.work)
    Object.assign(f, {
      statementsPerPod: run.work.perPod.statements,
      roundTripsPerPod: run.work.perPod.queries,
      createStatementsPerPod: run.work.phases.create.statements,
      createRoundTripsPerPod: run.work.phases.create.queries,
      startStatementsPerPod: run.work.phases.start.statements,
      startRoundTripsPerPod: run.work.phases.start.queries,
      deleteStatementsPerPod: run.work.phases.delete.statements,
      deleteRoundTripsPerPod: run.work.phases.delete.queries,
      cpuMsPerPod: run.work.perPod.cpuMs,
      cpuRatioToRawRow: run.work.cpuRatioToRawRow,
    });
  return f;
}

function summarize(runs) {
  const per = runs.map(figures);
  const out = {};
  for (const k of Object.keys(per[0] ?? {})) {
    const xs = per.map((p) => p[k]).filter((x) => typeof x === "number" && Number.isFinite(x));
    if (xs.length) out[k] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
  }
  return out;
}

function printSummary() {
  const fmt = (x) => {
    if (!x) return "-";
    const f = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(1));
    return x.runs > 1 ? `${f(x.median)} (${f(x.min)}-${f(x.max)})` : f(x.median);
  };
  const limits = Object.keys(result.clusters);
  const keys = [...new Set(limits.flatMap((l) => Object.keys(result.clusters[l].summary ?? {})))];
  const rows = [["figure", ...limits.map((l) => `limits ${l}: median (min-max)`)]];
  for (const k of keys) rows.push([k, ...limits.map((l) => fmt(result.clusters[l].summary?.[k]))]);
  console.log(`\n${NODES} nodes; load average ${result.loadavgAtStart.join(" ")} at start, ${result.loadavgAtEnd.join(" ")} at end\n` + textTable(rows) + "\n");
}
