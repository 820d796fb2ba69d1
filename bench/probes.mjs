// `npm run bench -- probes [--pods 100 --nodes 2 --windows 3 --window-seconds 20 --budget-min 15]`
//
// What probes cost the runtime: CPU seconds used by the workerd processes of a local
// cluster (wrangler dev serving bench/worker.mts), read from /proc, over windows of
// --window-seconds while --pods nginx pods run idle; first the pods without probes,
// then the same pods with a liveness (HTTP GET /) and a readiness (TCP 80) probe at
// upstream's default period (10 s). Also counts the store's revisions during each
// window (every D1 write bumps it): probes that keep succeeding should add none.
// Medians across windows, with min-max. Not a test: never part of `npm test`; every
// wait has a deadline. --pods 1000 --nodes 10 is the large setting.
import { writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { buildBench, startCluster } from "./cluster.mjs";
import { log, median, resultFile, runtimeStats, sleep, textTable } from "./util.mjs";

function parseArgs(argv) {
  const o = { pods: 100, nodes: 0, windows: 3, windowSeconds: 20, budgetMin: 15 };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--pods") o.pods = Number(v);
    else if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--windows") o.windows = Number(v);
    else if (k === "--window-seconds") o.windowSeconds = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  // 110 pods fit a node (the kubelet's default --max-pods); keep some room.
  o.nodes ||= Math.max(1, Math.ceil(o.pods / 100));
  if (!(o.pods >= 1 && o.windows >= 1 && o.windowSeconds > 0 && o.pods <= o.nodes * 100)) throw new Error("bad arguments: --pods >= 1, at most 100 per node");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const budgetEnd = Date.now() + opts.budgetMin * 60_000;

function deployment(name, probes) {
  const container = { name: "web", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } };
  if (probes) {
    container.livenessProbe = { httpGet: { path: "/", port: 80 } };
    container.readinessProbe = { tcpSocket: { port: 80 } };
  }
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas: opts.pods, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
  };
}

async function ok(res, what) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

async function until(what, check, maxMs = 600_000) {
  const end = Math.min(Date.now() + maxMs, budgetEnd);
  let lastLog = 0;
  for (;;) {
    const { done, note } = await check();
    if (done) return;
    if (Date.now() - lastLog > 10_000) {
      log(`  waiting for ${what}: ${note}`);
      lastLog = Date.now();
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${note})`);
    await sleep(1_000);
  }
}

const podsOf = async (cluster, app) => (await ok(cluster.api(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`), "list pods")).items;
const revision = async (cluster) => Number((await ok(cluster.api("/api/v1/namespaces/default/pods?limit=1"), "list")).metadata.resourceVersion);

async function phase(cluster, pgid, name, probes) {
  log(`${name}: ${opts.pods} pods ${probes ? "with a liveness and a readiness probe" : "without probes"}`);
  await ok(cluster.api("/apis/apps/v1/namespaces/default/deployments", { method: "POST", body: JSON.stringify(deployment(name, probes)) }), "create deployment");
  await until(`${opts.pods} ${name} pods ready`, async () => {
    const ps = await podsOf(cluster, name);
    const ready = ps.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    return { done: ready.length === opts.pods, note: `${ready.length}/${opts.pods} ready, ${ps.length} created` };
  });
  // Let the start-up churn (status writes, events, first probes) settle.
  await sleep(15_000);
  const windows = [];
  for (let i = 0; i < opts.windows; i++) {
    const cpu0 = runtimeStats(pgid).cpuS;
    const rev0 = await revision(cluster);
    const t0 = Date.now();
    await sleep(opts.windowSeconds * 1000);
    const cpu1 = runtimeStats(pgid).cpuS;
    const rev1 = await revision(cluster);
    const seconds = (Date.now() - t0) / 1000;
    const w = { cpuPercent: ((cpu1 - cpu0) / seconds) * 100, revisionsPerMinute: ((rev1 - rev0) / seconds) * 60 };
    log(`  window ${i + 1}: workerd CPU ${w.cpuPercent.toFixed(1)}% of a core, ${w.revisionsPerMinute.toFixed(1)} store writes/min`);
    windows.push(w);
  }
  const restarts = (await podsOf(cluster, name)).reduce((n, p) => n + (p.status?.containerStatuses?.[0]?.restartCount ?? 0), 0);
  await ok(cluster.api(`/apis/apps/v1/namespaces/default/deployments/${name}`, { method: "DELETE", body: JSON.stringify({ propagationPolicy: "Foreground" }) }), "delete deployment");
  await until(`${name} pods gone`, async () => {
    const n = (await podsOf(cluster, name)).length;
    return { done: n === 0, note: `${n} left` };
  });
  return { windows, restarts };
}

const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const fmt = (s, digits = 1) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;

log(`edgekube probe cost: ${opts.pods} pods on ${opts.nodes} node(s), ${opts.windows} windows of ${opts.windowSeconds} s per side; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const build = buildBench();
let cluster;
try {
  cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes) });
  const pgid = cluster.pgid;
  const without = await phase(cluster, pgid, "plain", false);
  const withProbes = await phase(cluster, pgid, "probed", true);
  const cpu = { without: stat(without.windows.map((w) => w.cpuPercent)), with: stat(withProbes.windows.map((w) => w.cpuPercent)) };
  const writes = { without: stat(without.windows.map((w) => w.revisionsPerMinute)), with: stat(withProbes.windows.map((w) => w.revisionsPerMinute)) };
  console.log(
    "\n" +
      textTable([
        ["", "without probes", "with probes"],
        ["workerd CPU, % of a core", fmt(cpu.without), fmt(cpu.with)],
        ["store writes / min", fmt(writes.without), fmt(writes.with)],
        ["container restarts", String(without.restarts), String(withProbes.restarts)],
      ]) +
      `\n(${opts.pods} pods, 2 probes each every 10 s: ${((opts.pods * 2) / 10).toFixed(0)} probes/s)\n`,
  );
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const file = resultFile("probes", "json");
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: opts, cpu, writes, runs: { without, with: withProbes } }, null, 2) + "\n");
  log(`written ${file.pathname}`);
} finally {
  await cluster?.stop();
  build.cleanup();
}
