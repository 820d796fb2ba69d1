// `npm run bench:failover [-- --nodes 4 --pods 100 --runs 3 --budget-min 15 --var NAME=VALUE --state-dir /dev/shm --placement cordon|adopt]`
//
// How long a node failure takes to heal: a local cluster (wrangler dev serving
// bench/worker.mts) with a fast lifecycle profile (bench/failover-profile.mjs); per
// run, a Deployment of --pods replicas is placed entirely on one node (the others
// cordoned while it scales up), the others are uncordoned, then the node is crashed
// by label. The timeline comes from the components' own events, so it does not
// depend on how quickly a busy cluster answers the benchmark's polls:
//
//   fault -> detected        the node controller's NodeNotReady event (the node's
//                            alarm at last renewal + grace period)
//   detected -> evicted      the last TaintManagerEviction of the node's pods
//   detected -> bound        the last Scheduled event of the replacements
//   detected -> Running      the last Started event of the replacements: the figure
//   (seen by the client)     when a poll first listed all of them Running and ready
//
// The tolerations are 0 s in this profile, so "detected -> Running" is the cluster's
// own reaction; with Kubernetes' default (300 s) add 300 s. Between runs the
// namespace is deleted and the node recovered. Medians of the runs go to the console
// and bench/results/failover-*.json; replacement pods over time since detection (one
// colour per run) to bench/results/failover-*.svg.
//
// At many nodes (--nodes 1000) the cordons and uncordons around the scale-up are sent
// 16 at a time, and the fault waits until the uncordons have settled (no node
// unschedulable or with the unschedulable taint as listed). Cordoning 999 nodes costs
// minutes on a busy local runtime: --placement adopt instead creates the pods bound to
// the victim and a ReplicaSet that adopts them (no other node is touched); the ReplicaSet
// then makes the replacements, as it does under a Deployment. --profile samples the
// runtime's thread (V8 CPU profiler) in the last run from the fault until every
// replacement is Running and prints where the time went, by component and source file
// (bench/results/failover-*.cpuprofile). --var passes wrangler vars (e.g. CONTROLLER_KUBE_API_QPS=0: no client-side
// rate limit on the controller manager's writes). --state-dir puts the cluster's local
// storage elsewhere (bench/cluster.mjs startCluster: /dev/shm takes the disk's syncs out).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBench, freePort, startCluster } from "./cluster.mjs";
import { selfTimes, startProfiler } from "./devtools.mjs";
import { byComponent, moduleMap } from "./profile-components.mjs";
import { failoverPlot } from "./failover-plot.mjs";
import { PROFILE } from "./failover-profile.mjs";
import { cliArgs, log, median, resultFile, sleep, textTable } from "./util.mjs";

function parseArgs(argv) {
  const o = { nodes: 4, pods: 100, runs: 3, budgetMin: 15, vars: {}, stateDir: tmpdir(), placement: "cordon", profile: false };
  for (const [k, v] of cliArgs(argv, ["--profile"])) {
    if (k === "--profile") o.profile = true;
    else if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--pods") o.pods = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else if (k === "--state-dir") o.stateDir = v;
    else if (k === "--placement") o.placement = v;
    else if (k === "--var") o.vars[v.split("=")[0]] = v.slice(v.indexOf("=") + 1);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(o.nodes >= 2) || !(o.pods >= 1) || !(o.runs >= 1) || !(o.budgetMin > 0)) throw new Error("bad arguments: --nodes >= 2, --pods >= 1, --runs >= 1");
  // One node must hold them all (110 pods per node, like a kubelet's default --max-pods).
  if (!["cordon", "adopt"].includes(o.placement)) throw new Error("--placement: cordon or adopt");
  if (o.pods > 100) throw new Error("--pods: at most 100 (they must all fit on one node first)");
  return o;
}

const FAULT_LABEL = "sim.edgekube.io/fault";
const POLL_MS = 500;
/** Node patches in flight at once when cordoning or uncordoning many. */
const PATCH_CONCURRENCY = 16;
const STEP_MAX_MS = 180_000;

const opts = parseArgs(process.argv.slice(2));
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
const nodeNames = Array.from({ length: opts.nodes }, (_, i) => `node-${i + 1}`);

function deployment(namespace, replicas) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "failover", namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: "failover" } },
      template: {
        metadata: { labels: { app: "failover" } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      },
    },
  };
}

const live = (p) => !p.metadata.deletionTimestamp;
const running = (p) => p.status?.phase === "Running" && (p.status.containerStatuses ?? []).every((s) => s.ready);
const readyStatus = (node) => node.status?.conditions?.find((c) => c.type === "Ready")?.status;

async function ok(res, what) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Poll `probe` every POLL_MS until it returns something; log what it says every 5 s. */
async function until(what, probe, maxMs = STEP_MAX_MS) {
  const end = Math.min(Date.now() + maxMs, budgetEnd + 60_000);
  let lastLog = Date.now();
  for (;;) {
    const { done, note } = await probe();
    if (done !== undefined) return done;
    if (Date.now() - lastLog > 5_000) {
      log(`    waiting for ${what}${note ? `: ${note}` : ""}`);
      lastLog = Date.now();
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${note ? ` (${note})` : ""}`);
    await sleep(POLL_MS);
  }
}

function patchNode(cluster, name, patch) {
  return ok(cluster.api(`/api/v1/nodes/${name}`, { method: "PATCH", headers: { "content-type": "application/merge-patch+json" }, body: JSON.stringify(patch) }), `patch ${name}`);
}

/** The same patch to every node named, PATCH_CONCURRENCY at a time. */
async function patchNodes(cluster, names, patch) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(PATCH_CONCURRENCY, names.length) }, async () => {
    while (next < names.length) await patchNode(cluster, names[next++], patch);
  }));
}

/** Every node, paged as a client of a big cluster lists them. */
async function listNodes(cluster) {
  const items = [];
  let cont = "";
  do {
    const page = await ok(cluster.api(`/api/v1/nodes?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`), "list nodes");
    items.push(...page.items);
    cont = page.metadata?.continue ?? "";
  } while (cont);
  return items;
}

async function pods(cluster, ns) {
  return (await ok(cluster.api(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dfailover`), "list pods")).items;
}

/**
 * When the events with `reason` in `ns` that pass `filter` were recorded, in ms,
 * sorted. Event names end in the recorder's clock in hexadecimal nanoseconds (as
 * client-go names them); the timestamps in the body have only seconds.
 */
async function eventTimes(cluster, ns, reason, filter) {
  const list = await ok(cluster.api(`/api/v1/namespaces/${ns}/events?fieldSelector=reason%3D${reason}`), `list ${reason} events`);
  return list.items
    .filter(filter)
    .map((e) => Number(BigInt(`0x${e.metadata.name.slice(e.metadata.name.lastIndexOf(".") + 1)}`) / 1_000_000n))
    .sort((a, b) => a - b);
}

/** Where the replacements went: every node when few, else how many nodes and the most on one. */
function placementText(placement) {
  const entries = Object.entries(placement);
  return entries.length <= 8 ? JSON.stringify(placement) : `${entries.length} nodes (at most ${Math.max(...entries.map(([, n]) => n))} on one)`;
}

/** Cumulative counts at every event: the points of the plot. */
function timeline(since, evictedAt, boundAt, startedAt) {
  const points = [...evictedAt.map((t) => [t, "evicted"]), ...boundAt.map((t) => [t, "bound"]), ...startedAt.map((t) => [t, "running"])].sort((a, b) => a[0] - b[0]);
  const n = { evicted: 0, bound: 0, running: 0 };
  return points.map(([t, k]) => {
    n[k]++;
    return { t: since(t), ...n };
  });
}

/** Every replica on the victim: the other nodes are cordoned while the Deployment scales up. */
async function placeByCordon(cluster, ns, victim, others) {
  await patchNodes(cluster, others, { spec: { unschedulable: true } });
  await ok(cluster.api(`/apis/apps/v1/namespaces/${ns}/deployments`, { method: "POST", body: JSON.stringify(deployment(ns, opts.pods)) }), "create deployment");
  const original = await until(`${opts.pods} replicas Running on ${victim}`, async () => {
    const ps = (await pods(cluster, ns)).filter(live);
    const up = ps.filter((p) => running(p) && p.spec.nodeName === victim);
    return { done: up.length === opts.pods ? up : undefined, note: `${up.length}/${opts.pods} running, ${ps.length} created` };
  });
  await patchNodes(cluster, others, { spec: { unschedulable: false } });
  // The node controller lifts the unschedulable taints after the uncordons: wait for all.
  await until("every node schedulable", async () => {
    const blocked = (await listNodes(cluster)).filter((n) => n.spec?.unschedulable || (n.spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/unschedulable")).length;
    return { done: blocked === 0 ? true : undefined, note: `${blocked} still cordoned or tainted` };
  });
  return original;
}

/**
 * Every replica on the victim without touching the other nodes: the pods are created
 * bound to it (spec.nodeName), then a ReplicaSet whose selector matches them adopts them
 * as its replicas (as the ReplicaSet controller adopts orphans). The failure is then
 * healed by that ReplicaSet, as it would be under a Deployment.
 */
async function placeByAdoption(cluster, ns, victim) {
  const { template } = deployment(ns, opts.pods).spec;
  let next = 0;
  await Promise.all(Array.from({ length: PATCH_CONCURRENCY }, async () => {
    while (next < opts.pods) {
      const i = next++;
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `failover-${i}`, labels: template.metadata.labels }, spec: { ...template.spec, nodeName: victim } };
      await ok(cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(pod) }), `create pod ${i}`);
    }
  }));
  const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "failover", namespace: ns }, spec: { replicas: opts.pods, selector: { matchLabels: template.metadata.labels }, template } };
  await ok(cluster.api(`/apis/apps/v1/namespaces/${ns}/replicasets`, { method: "POST", body: JSON.stringify(rs) }), "create replicaset");
  return until(`${opts.pods} adopted replicas Running on ${victim}`, async () => {
    const ps = (await pods(cluster, ns)).filter(live);
    const up = ps.filter((p) => running(p) && p.spec.nodeName === victim && p.metadata.ownerReferences?.some((o) => o.controller && o.kind === "ReplicaSet"));
    if (ps.length > opts.pods) throw new Error(`the ReplicaSet made ${ps.length - opts.pods} pods of its own instead of adopting`);
    return { done: up.length === opts.pods ? up : undefined, note: `${up.length}/${opts.pods} adopted and running, ${ps.length} pods` };
  });
}

function reportProfile(profile) {
  const sampled = profile.timeDeltas.reduce((a, d) => a + d, 0) / 1000;
  const idle = selfTimes(profile).filter(([k]) => k.startsWith("(idle)")).reduce((a, [, v]) => a + v, 0);
  const busy = sampled - idle;
  const pct = ([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / busy).toFixed(1)];
  const { components, files } = byComponent(profile, moduleMap(join(build.dir, "dist")));
  console.log(`\nprofiled fault -> all Running: ${(sampled / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s\n`);
  console.log(textTable([["component (outermost on the stack)", "ms", "% busy"], ...components.map(pct)]) + "\n");
  console.log(textTable([["source file (self)", "ms", "% busy"], ...files.slice(0, 20).map(pct)]) + "\n");
  console.log(textTable([["function  file:line", "self ms", "% busy"], ...selfTimes(profile).filter(([k]) => !k.startsWith("(idle)")).slice(0, 20).map(pct)]) + "\n");
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const file = resultFile("failover", "cpuprofile");
  writeFileSync(file, JSON.stringify(profile));
  log(`profile written to ${file.pathname}`);
}

async function runOnce(cluster, run, victim) {
  const ns = `failover-${run}`;
  const others = nodeNames.filter((n) => n !== victim);
  await ok(cluster.api("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }) }), "create namespace");

  const original = opts.placement === "adopt" ? await placeByAdoption(cluster, ns, victim) : await placeByCordon(cluster, ns, victim, others);
  const originalUids = new Set(original.map((p) => p.metadata.uid));
  await sleep(1_000);

  const loadAtFault = loadavg().map((l) => Number(l.toFixed(2)));
  log(`    ${opts.pods} pods running on ${victim}; crashing it (load ${loadAtFault.join(" ")})`);
  const profiler = opts.profile && run === opts.runs ? await startProfiler(cluster.inspectorPort) : undefined;
  const tFault = Date.now();
  await patchNode(cluster, victim, { metadata: { labels: { [FAULT_LABEL]: "crash" } } });
  await until(`${victim} to be detected`, async () => {
    const node = await ok(cluster.api(`/api/v1/nodes/${victim}`), "get node");
    return { done: readyStatus(node) !== "True" ? true : undefined, note: `Ready=${readyStatus(node)}` };
  }, 120_000);
  const tSeen = Date.now();
  const tDetect = (await eventTimes(cluster, "default", "NodeNotReady", (e) => e.involvedObject.kind === "Node" && e.involvedObject.name === victim)).find((t) => t >= tFault);
  if (tDetect === undefined) throw new Error(`no NodeNotReady event for ${victim}`);
  log(`    detected ${((tDetect - tFault) / 1000).toFixed(1)} s after the fault (seen by the client after ${((tSeen - tFault) / 1000).toFixed(1)} s)`);

  const tRunningSeen = await until("replacements Running", async () => {
    const ps = (await pods(cluster, ns)).filter((p) => live(p) && !originalUids.has(p.metadata.uid));
    const up = ps.filter((p) => running(p) && p.spec.nodeName !== victim).length;
    return { done: up === opts.pods ? Date.now() : undefined, note: `${ps.length} replacements, ${up} running` };
  });
  if (profiler) reportProfile(await profiler.stop());
  const replacements = (await pods(cluster, ns)).filter((p) => live(p) && !originalUids.has(p.metadata.uid));
  const replacementUids = new Set(replacements.map((p) => p.metadata.uid));
  const placement = {};
  for (const p of replacements) placement[p.spec.nodeName] = (placement[p.spec.nodeName] ?? 0) + 1;

  // The timeline, from the components' own events (millisecond clocks in their names).
  const about = (uids) => (e) => uids.has(e.involvedObject.uid);
  const evictedAt = await eventTimes(cluster, ns, "TaintManagerEviction", about(originalUids));
  const boundAt = await eventTimes(cluster, ns, "Scheduled", about(replacementUids));
  const startedAt = await eventTimes(cluster, ns, "Started", about(replacementUids));
  if (evictedAt.length !== opts.pods || boundAt.length !== opts.pods || startedAt.length !== opts.pods) {
    throw new Error(`incomplete events: ${evictedAt.length} evictions, ${boundAt.length} bindings, ${startedAt.length} starts for ${opts.pods} pods`);
  }
  const since = (t) => (t - tDetect) / 1000;
  const result = {
    victim,
    loadAtFault,
    loadAfter: loadavg().map((l) => Number(l.toFixed(2))),
    faultToDetectSeconds: (tDetect - tFault) / 1000,
    detectToEvictedSeconds: since(Math.max(...evictedAt)),
    detectToBoundSeconds: since(Math.max(...boundAt)),
    detectToRunningSeconds: since(Math.max(...startedAt)),
    detectToRunningSeenSeconds: since(tRunningSeen),
    placement,
    series: timeline(since, evictedAt, boundAt, startedAt),
  };
  log(`    all ${opts.pods} replacements Running ${result.detectToRunningSeconds.toFixed(1)} s after detection (evicted +${result.detectToEvictedSeconds.toFixed(1)} s, bound +${result.detectToBoundSeconds.toFixed(1)} s; seen by the client +${result.detectToRunningSeenSeconds.toFixed(1)} s); now on ${placementText(placement)}`);

  // Clean up for the next run: recover the node, delete the namespace (and its pods).
  await patchNode(cluster, victim, { metadata: { labels: { [FAULT_LABEL]: null } } });
  await ok(cluster.api(`/api/v1/namespaces/${ns}`, { method: "DELETE" }), "delete namespace");
  await until(`${victim} Ready and ${ns} gone`, async () => {
    const node = await ok(cluster.api(`/api/v1/nodes/${victim}`), "get node");
    const gone = (await cluster.api(`/api/v1/namespaces/${ns}`)).status === 404;
    return { done: readyStatus(node) === "True" && gone ? true : undefined, note: `Ready=${readyStatus(node)}, namespace ${gone ? "gone" : "terminating"}` };
  });
  return result;
}

log(`edgekube failover benchmark: ${opts.pods} pods, ${opts.nodes} nodes, ${opts.runs} runs; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
log("bundling bench/worker.mts");
const build = buildBench();
const runs = [];
let cluster;
try {
  log(`starting a cluster of ${opts.nodes} nodes`);
  const inspectorPort = opts.profile ? await freePort() : 0;
  cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes), ...PROFILE, ...opts.vars }, { startTimeoutMs: 300_000, stateDir: opts.stateDir, inspectorPort });
  cluster.inspectorPort = inspectorPort;
  const tUp = Date.now();
  await until(`${opts.nodes} nodes Ready`, async () => {
    const ready = (await listNodes(cluster)).filter((n) => readyStatus(n) === "True").length;
    return { done: ready >= opts.nodes ? true : undefined, note: `${ready} Ready` };
  }, 900_000);
  log(`${opts.nodes} nodes Ready after ${((Date.now() - tUp) / 1000).toFixed(0)} s`);
  for (let r = 1; r <= opts.runs; r++) {
    if (Date.now() > budgetEnd) {
      log(`time budget reached: stopping after ${runs.length} run(s)`);
      break;
    }
    // A different node fails each run.
    const victim = nodeNames[(r - 1) % nodeNames.length];
    log(`run ${r}/${opts.runs}: ${victim} fails`);
    runs.push(await runOnce(cluster, r, victim));
  }
} catch (e) {
  log(`failed: ${e.message}`);
  if (cluster) console.error(cluster.logs().slice(-3000));
  process.exitCode = 1;
} finally {
  await cluster?.stop();
  build.cleanup();
}

if (runs.length) {
  const med = (k) => median(runs.map((r) => r[k]));
  const range = (k) => ({ min: Math.min(...runs.map((r) => r[k])), max: Math.max(...runs.map((r) => r[k])) });
  const summary = {
    faultToDetectSeconds: med("faultToDetectSeconds"),
    detectToEvictedSeconds: med("detectToEvictedSeconds"),
    detectToBoundSeconds: med("detectToBoundSeconds"),
    detectToRunningSeconds: med("detectToRunningSeconds"),
    detectToRunningSeenSeconds: med("detectToRunningSeenSeconds"),
  };
  const f = (x) => x.toFixed(1);
  console.log(
    "\n" +
      textTable([
        ["run", "victim", "fault→detected s", "detected→evicted s", "detected→bound s", "detected→Running s", "(seen by client) s"],
        ...runs.map((r, i) => [String(i + 1), r.victim, f(r.faultToDetectSeconds), f(r.detectToEvictedSeconds), f(r.detectToBoundSeconds), f(r.detectToRunningSeconds), f(r.detectToRunningSeenSeconds)]),
        ["min-max", "", ...["faultToDetectSeconds", "detectToEvictedSeconds", "detectToBoundSeconds", "detectToRunningSeconds", "detectToRunningSeenSeconds"].map((k) => `${f(range(k).min)}-${f(range(k).max)}`)],
        ["median", "", f(summary.faultToDetectSeconds), f(summary.detectToEvictedSeconds), f(summary.detectToBoundSeconds), f(summary.detectToRunningSeconds), f(summary.detectToRunningSeenSeconds)],
      ]) +
      "\n",
  );
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const stamp = new Date();
  const json = resultFile("failover", "json", stamp);
  writeFileSync(json, JSON.stringify({ date: stamp.toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: opts, profile: { ...PROFILE, ...opts.vars }, median: summary, range: Object.fromEntries(Object.keys(summary).map((k) => [k, range(k)])), runs }, null, 2) + "\n");
  const svg = resultFile("failover", "svg", stamp);
  writeFileSync(svg, failoverPlot(runs, opts.pods, summary.detectToRunningSeconds, [`${opts.nodes} nodes`, ...Object.entries(opts.vars).map(([k, v]) => `${k}=${v}`)].join(", ")));
  log(`results written to ${json.pathname} and ${svg.pathname}`);
}
