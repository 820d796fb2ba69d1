// The API while thousands of pods churn (`npm run bench -- churn [--nodes 250]
// [--pods 3000] [--runs 3] [--profile 1] [--label before] [--rollout-timeout 900]
// [--var NAME:VALUE ...]`): a local cluster of that many nodes and one Deployment of
// that many pods; once it is Ready and the API answers promptly again, `--runs` rolling
// updates one after the other (each `set image` to another busybox tag, 25% surge and
// unavailable, as `kubectl create deployment` would make it). During each roll:
//   - `kubectl set image`: the strategic-merge PATCH kubectl sends, timed to its answer;
//   - `kubectl get nodes`: the request kubectl sends (a Table, limit=500) started every
//     second whatever the earlier ones are doing (a person pressing enter once a second),
//     each timed to its answer: latency over time during the roll;
//   - GET /version (reads nothing from D1: the time a request waits for the thread);
//   - the runtime's CPU seconds (workerd, from /proc: every isolate, D1 included, and
//     unlike a profile's samples not inflated when other work shares the machine) and
//     the D1 round trips made, over the roll; the load average before and after it.
// Writes bench/results/churn-*.json (every sample) and churn-*.svg (latency over time).
// `npm run bench -- churn --compare BEFORE.json AFTER.json` draws two results on one
// chart (churn-compare-*.svg) and prints their medians side by side.
// --profile 1 records the cluster's CPU profile during the first roll
// (bench/results/churn-*.cpuprofile) and prints where the thread went, by component.
import { readFileSync, writeFileSync } from "node:fs";
import { buildBench, freePort, startCluster } from "./cluster.mjs";
import { startProfiler, selfTimes } from "./devtools.mjs";
import { churnChart } from "./churn-chart.mjs";
import { join } from "node:path";
import { byComponent, moduleMap } from "./profile-components.mjs";
import { log, sleep, median, percentile, resultFile, until, runtimeStats, textTable } from "./util.mjs";

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const compare = argv.indexOf("--compare");
if (compare >= 0) {
  compareFiles(argv[compare + 1], argv[compare + 2]);
  process.exit(0);
}

const NODES = Number(arg("nodes", 250));
const PODS = Number(arg("pods", 3000));
const RUNS = Number(arg("runs", 3));
const PROFILE = Number(arg("profile", 0)) > 0;
const LABEL = arg("label", "");
const ROLLOUT_TIMEOUT_S = Number(arg("rollout-timeout", 900));
const SAMPLE_EVERY_MS = 1000;
/** Requests of one kind left waiting at once before the sampler skips a second (it says so). */
const MAX_OUTSTANDING = 60;
const IMAGES = ["busybox:1.36", "busybox:1.35", "busybox:1.37"];
const NAME = "churn";
const TABLE = "application/json;as=Table;v=1;g=meta.k8s.io,application/json;as=Table;v=1beta1;g=meta.k8s.io,application/json";
const extraVars = Object.fromEntries(argv.flatMap((a, i) => (a === "--var" ? [argv[i + 1].split(/:(.*)/s).slice(0, 2)] : [])));

const build = buildBench();
const inspectorPort = PROFILE ? await freePort() : 0;
const vars = { DEFAULT_NODE_COUNT: String(NODES), ...extraVars };
const cluster = await startCluster(build.config, vars, { startTimeoutMs: 300_000, inspectorPort });
const file = resultFile("churn", "json");
const result = { label: LABEL, nodes: NODES, pods: PODS, vars, loadavgAtStart: loadavg(), runs: [] };
const save = () => writeFileSync(file, JSON.stringify(result));
try {
  log(`cluster up at ${cluster.url}; waiting for ${NODES} nodes`);
  const tNodes = Date.now();
  await until(async () => ((await cluster.api("/api/v1/nodes")).body.items ?? []).length >= NODES, 600_000, "nodes");
  log(`${NODES} nodes after ${s(Date.now() - tNodes)} s; creating Deployment ${NAME} of ${PODS} pods`);
  const tPods = Date.now();
  await createDeployment();
  await until(async () => (await deploymentStatus()).readyReplicas >= PODS, 1_800_000, "pods ready", 5_000);
  result.podsReadySeconds = (Date.now() - tPods) / 1000;
  log(`all ${PODS} pods ready after ${result.podsReadySeconds.toFixed(0)} s`);
  for (let i = 0; i < RUNS; i++) {
    const settled = await settle();
    log(`run ${i + 1}/${RUNS}: the API answers promptly again after ${settled.toFixed(0)} s`);
    result.runs.push(await roll(IMAGES[i % IMAGES.length], PROFILE && i === 0));
    save();
  }
  result.loadavgAtEnd = loadavg();
  result.summary = summarize(result.runs);
  save();
  printSummary(result);
  const svg = resultFile("churn", "svg");
  writeFileSync(svg, churnChart([result]));
  log(`written to ${file.pathname} and ${svg.pathname}`);
} finally {
  await cluster.stop();
  build.cleanup();
}

/** One rolling update to `image`, sampled to its end (or the timeout). */
async function roll(image, profile) {
  const out = { image, getNodes: [], version: [], progress: [], loadavgBefore: loadavg() };
  const profiler = profile ? await startProfiler(inspectorPort) : undefined;
  const cpuBefore = runtimeStats(cluster.pgid).cpuS;
  const d1Before = await d1Queries();
  const start = Date.now();
  let rolling = true;
  const samplers = [
    sampler(out.getNodes, () => cluster.api("/api/v1/nodes?limit=500", { headers: { accept: TABLE } })),
    sampler(out.version, () => fetch(`${cluster.url}/version`).then((r) => r.text())),
  ];
  function sampler(into, request) {
    return (async () => {
      const pending = new Set();
      for (let tick = 0; rolling; tick++) {
        const t = Date.now();
        if (pending.size < MAX_OUTSTANDING) {
          const sample = { at: (t - start) / 1000 };
          into.push(sample);
          const p = request()
            .then((r) => {
              sample.ms = Date.now() - t;
              if (r?.status && r.status >= 300) sample.status = r.status;
            })
            .catch((e) => {
              sample.ms = Date.now() - t;
              sample.error = e.message;
            })
            .finally(() => pending.delete(p));
          pending.add(p);
        } else into.push({ at: (t - start) / 1000, skipped: true });
        await sleep(Math.max(0, start + (tick + 1) * SAMPLE_EVERY_MS - Date.now()));
      }
      await Promise.all(pending);
    })();
  }
  log(`rolling update of ${PODS} pods to ${image} (set image)`);
  const patched = cluster
    .api(`/apis/apps/v1/namespaces/default/deployments/${NAME}`, {
      method: "PATCH",
      headers: { "content-type": "application/strategic-merge-patch+json" },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "app", image }] } } } }),
    })
    .then((r) => ({ status: r.status, ms: Date.now() - start }))
    .catch((e) => ({ status: 0, error: e.message, ms: Date.now() - start }));
  out.setImage = await patched;
  log(`  set image answered ${out.setImage.status} after ${out.setImage.ms} ms`);
  try {
    let lastLog = 0;
    await until(async () => {
      const d = (await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${NAME}`)).body;
      const st = d.status ?? {};
      const p = { s: (Date.now() - start) / 1000, updated: st.updatedReplicas ?? 0, ready: st.readyReplicas ?? 0, replicas: st.replicas ?? 0 };
      out.progress.push(p);
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        const gn = out.getNodes.filter((x) => x.ms !== undefined).slice(-10).map((x) => x.ms);
        log(`  ${p.s.toFixed(0)} s: ${p.updated} updated, ${p.ready} ready, ${p.replicas} in all; get nodes lately ${gn.length ? `${median(gn)} ms` : "no answer yet"}`);
      }
      return st.observedGeneration >= d.metadata.generation && st.updatedReplicas >= PODS && st.replicas === PODS && st.readyReplicas >= PODS;
    }, ROLLOUT_TIMEOUT_S * 1000, "rollout", 2_000);
    out.seconds = (Date.now() - start) / 1000;
  } catch (e) {
    out.error = e.message;
    log(e.message);
  }
  rolling = false;
  await Promise.all(samplers);
  out.cpuSeconds = runtimeStats(cluster.pgid).cpuS - cpuBefore;
  out.d1Queries = (await d1Queries()) - d1Before;
  out.loadavgAfter = loadavg();
  if (profiler) {
    const prof = await profiler.stop();
    const pfile = resultFile("churn", "cpuprofile");
    writeFileSync(pfile, JSON.stringify(prof));
    const times = selfTimes(prof);
    const total = times.reduce((a, [, v]) => a + v, 0);
    const idle = times.filter(([k]) => k.startsWith("(idle)")).reduce((a, [, v]) => a + v, 0);
    const busy = total - idle;
    const rows = times.filter(([k]) => !k.startsWith("(idle)")).slice(0, 25).map(([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / busy).toFixed(1)]);
    console.log("\n" + textTable([["function  file:line", "self ms", "% busy"], ...rows]) + "\n");
    const { components, files } = byComponent(prof, moduleMap(join(build.dir, "dist")));
    const pct = ([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / busy).toFixed(1)];
    console.log(textTable([["component (outermost on the stack)", "ms", "% busy"], ...components.map(pct)]) + "\n");
    console.log(textTable([["source file (self)", "ms", "% busy"], ...files.slice(0, 25).map(pct)]) + "\n");
    out.profile = { file: pfile.pathname, totalMs: total, busyMs: busy, components: Object.fromEntries(components), files: Object.fromEntries(files.slice(0, 40)) };
    log(`profiled ${(total / 1000).toFixed(0)} s, busy ${(busy / 1000).toFixed(0)} s; written to ${pfile.pathname}`);
  }
  out.stats = rollStats(out);
  log(`  the runtime used ${out.cpuSeconds.toFixed(0)} CPU s and made ${out.d1Queries} D1 round trips; load average ${out.loadavgBefore[0]} -> ${out.loadavgAfter[0]}`);
  log(`  roll done in ${out.seconds?.toFixed(0) ?? "(unfinished)"} s; get nodes p50 ${out.stats.getNodesP50} ms, p95 ${out.stats.getNodesP95} ms, max ${out.stats.getNodesMax} ms; longest silence ${out.stats.longestSilenceS} s`);
  return out;
}

/** Per roll: the figures the summary takes medians of. */
function rollStats(run) {
  const ms = run.getNodes.filter((x) => x.ms !== undefined).map((x) => x.ms);
  const v = run.version.filter((x) => x.ms !== undefined).map((x) => x.ms);
  return {
    rolloutSeconds: run.seconds ?? null,
    setImageMs: run.setImage.ms,
    getNodesP50: ms.length ? median(ms) : null,
    getNodesP95: ms.length ? percentile(ms, 95) : null,
    getNodesMax: ms.length ? Math.max(...ms) : null,
    versionP50: v.length ? median(v) : null,
    versionMax: v.length ? Math.max(...v) : null,
    getNodesOver1s: ms.filter((x) => x > 1000).length,
    getNodesSamples: ms.length,
    skipped: run.getNodes.filter((x) => x.skipped).length,
    longestSilenceS: longestSilence(run.getNodes),
    cpuSeconds: run.cpuSeconds,
    d1Queries: run.d1Queries,
  };
}

/** The longest stretch of the roll during which no get nodes answered (seconds). */
function longestSilence(samples) {
  const answers = samples.filter((x) => x.ms !== undefined).map((x) => x.at + x.ms / 1000).sort((a, b) => a - b);
  let last = 0;
  let worst = 0;
  for (const a of answers) {
    worst = Math.max(worst, a - last);
    last = a;
  }
  return Number(worst.toFixed(1));
}

function summarize(runs) {
  const keys = Object.keys(runs[0].stats);
  const out = {};
  for (const k of keys) {
    const xs = runs.map((r) => r.stats[k]).filter((x) => typeof x === "number");
    out[k] = xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length } : null;
  }
  return out;
}

function fmt(x) {
  if (!x) return "-";
  const f = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  return x.runs > 1 ? `${f(x.median)} (${f(x.min)}-${f(x.max)})` : f(x.median);
}

function printSummary(r) {
  const rows = [["figure", `median (min-max) of ${r.runs.length}`]];
  for (const [k, v] of Object.entries(r.summary)) rows.push([k, fmt(v)]);
  console.log("\n" + textTable(rows) + "\n");
}

function compareFiles(a, b) {
  const before = JSON.parse(readFileSync(a, "utf8"));
  const after = JSON.parse(readFileSync(b, "utf8"));
  before.label ||= "before";
  after.label ||= "after";
  const rows = [["figure", before.label, after.label, "ratio"]];
  for (const k of Object.keys(before.summary)) {
    const x = before.summary[k];
    const y = after.summary[k];
    rows.push([k, fmt(x), fmt(y), x && y && x.median ? `${(y.median / x.median).toFixed(2)}x` : "-"]);
  }
  console.log("\n" + textTable(rows) + "\n");
  const svg = resultFile("churn-compare", "svg");
  writeFileSync(svg, churnChart([before, after]));
  log(`written to ${svg.pathname}`);
}

async function settle() {
  const begin = Date.now();
  let quiet = 0;
  while (quiet < 5 && Date.now() - begin < 600_000) {
    const t = Date.now();
    await cluster.api("/api/v1/nodes?limit=500", { headers: { accept: TABLE } }).catch(() => undefined);
    quiet = Date.now() - t < 300 ? quiet + 1 : 0;
    await sleep(500);
  }
  return (Date.now() - begin) / 1000;
}

async function createDeployment() {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: NAME, labels: { app: NAME } },
    spec: {
      replicas: PODS,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      selector: { matchLabels: { app: NAME } },
      template: { metadata: { labels: { app: NAME } }, spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } },
    },
  };
  const created = await cluster.api("/apis/apps/v1/namespaces/default/deployments", { method: "POST", body: JSON.stringify(deployment) });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
}

async function deploymentStatus() {
  const res = await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${NAME}`);
  const st = res.body?.status ?? {};
  log(`  ${st.readyReplicas ?? 0}/${PODS} ready`);
  return { readyReplicas: st.readyReplicas ?? 0 };
}

/** D1 round trips made inside the runtime so far (bench/worker.mts counts them). */
async function d1Queries() {
  const r = await cluster.api("/__bench/d1-queries");
  return r.body?.queries ?? NaN;
}

function loadavg() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
}

function s(ms) {
  return (ms / 1000).toFixed(0);
}
