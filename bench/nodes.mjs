// `npm run bench -- nodes [-- --nodes 1000 --runs 3 --idle-seconds 60 --budget-min 40 --var NAME=VALUE --no-floor]`
//
// What a cluster of many nodes costs to bring up and to keep, on a local cluster
// (wrangler dev serving bench/worker.mts: the real worker plus /__bench endpoints).
// Not a test: never part of `npm test`. Every wait has a deadline.
//
// Per run, on a fresh cluster started with DEFAULT_NODE_COUNT=--nodes:
// - bring-up: seconds from the first API request (which bootstraps the cluster) until
//   every node is Ready as the API lists them, and from the spawn of `npm run dev`;
// - memory: the runtime's (workerd's) peak resident set (VmHWM) once all are Ready;
// - idle cost: CPU of the runtime over --idle-seconds with the Ready cluster doing
//   nothing but heartbeats, in cores;
// - the floor, in the same run: a fresh runtime with no nodes and --nodes Durable
//   Objects whose alarm only re-arms itself at the renew interval (bench/worker.mts's
//   BareAlarm), its CPU over the same window. The ratio says what a heartbeat costs on
//   top of the alarm that carries it.
// Medians across runs, with min-max.
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { buildBench, startCluster } from "./cluster.mjs";
import { log, median, resultFile, runtimeStats, sleep, textTable } from "./util.mjs";

function parseArgs(argv) {
  const o = { nodes: 1000, runs: 3, idleSeconds: 60, budgetMin: 40, renew: "10s", readyTimeoutS: 600, vars: {}, floor: true };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--idle-seconds") o.idleSeconds = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else if (k === "--ready-timeout-s") o.readyTimeoutS = Number(v);
    else if (k === "--var") o.vars[v.split("=")[0]] = v.slice(v.indexOf("=") + 1);
    else if (k === "--no-floor") {
      o.floor = false;
      i--; // a flag: no value follows
    }
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(o.nodes > 0 && o.runs > 0 && o.idleSeconds > 0)) throw new Error("bad arguments");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
async function idleCores(cluster, seconds) {
  const a = runtimeStats(cluster.pgid);
  const t = Date.now();
  await sleep(seconds * 1000);
  const b = runtimeStats(cluster.pgid);
  return (b.cpuS - a.cpuS) / ((Date.now() - t) / 1000);
}

async function readyCount(cluster) {
  let ready = 0;
  let total = 0;
  let cont = "";
  do {
    const res = await cluster.api(`/api/v1/nodes?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
    if (res.status !== 200) throw new Error(`list nodes: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    for (const n of res.body.items) {
      total++;
      if (n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) ready++;
    }
    cont = res.body.metadata?.continue ?? "";
  } while (cont);
  return { ready, total };
}

async function clusterRun(build, r) {
  const spawnedAt = Date.now();
  const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes), NODE_LEASE_RENEW_INTERVAL: opts.renew, ...opts.vars }, { startTimeoutMs: 180_000 });
  try {
    const firstRequestAt = Date.now();
    const deadline = firstRequestAt + opts.readyTimeoutS * 1000;
    let last = { ready: 0, total: 0 };
    let lastLog = 0;
    for (;;) {
      last = await readyCount(cluster);
      if (last.ready >= opts.nodes) break;
      if (Date.now() > deadline) throw new Error(`only ${last.ready}/${opts.nodes} nodes Ready after ${opts.readyTimeoutS} s`);
      if (Date.now() - lastLog > 10_000) {
        log(`    run ${r}: ${last.ready}/${opts.nodes} Ready (${last.total} registered), ${((Date.now() - firstRequestAt) / 1000).toFixed(0)} s`);
        lastLog = Date.now();
      }
      await sleep(1000);
    }
    const readyS = (Date.now() - firstRequestAt) / 1000;
    const fromSpawnS = (Date.now() - spawnedAt) / 1000;
    const mem = runtimeStats(cluster.pgid);
    log(`    run ${r}: all ${opts.nodes} Ready in ${readyS.toFixed(1)} s (${fromSpawnS.toFixed(1)} s from spawn), peak RSS ${mem.hwmMiB.toFixed(0)} MiB; idle ${opts.idleSeconds} s`);
    await sleep(5_000); // let the bring-up's last writes drain
    const cores = await idleCores(cluster, opts.idleSeconds);
    const after = runtimeStats(cluster.pgid);
    log(`    run ${r}: idle ${cores.toFixed(3)} cores`);
    return { readyS, fromSpawnS, peakMiB: after.hwmMiB, rssMiB: after.rssMiB, idleCores: cores };
  } finally {
    await cluster.stop();
  }
}

async function floorRun(build, r) {
  const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: "0" }, { startTimeoutMs: 180_000 });
  try {
    const intervalMs = 10_000;
    const res = await cluster.api(`/__bench/bare-alarms?n=${opts.nodes}&intervalMs=${intervalMs}`, { method: "POST" });
    if (res.status !== 200) throw new Error(`bare-alarms: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await sleep(intervalMs + 5_000); // every alarm has fired once
    const cores = await idleCores(cluster, opts.idleSeconds);
    log(`    run ${r}: ${opts.nodes} bare alarms: ${cores.toFixed(3)} cores`);
    return { idleCores: cores, peakMiB: runtimeStats(cluster.pgid).hwmMiB };
  } finally {
    await cluster.stop();
  }
}

const stamp = new Date();
log(`nodes: ${opts.nodes} nodes, ${opts.runs} runs, idle window ${opts.idleSeconds} s; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const build = buildBench();
const runs = [];
try {
  for (let r = 1; r <= opts.runs; r++) {
    if (r > 1 && Date.now() > budgetEnd) {
      log(`budget of ${opts.budgetMin} min spent: stopping after ${r - 1} runs`);
      break;
    }
    let floor = { idleCores: NaN, peakMiB: NaN };
    if (opts.floor) {
      log(`run ${r}/${opts.runs}: the floor (${opts.nodes} bare alarms)`);
      floor = await floorRun(build, r);
    }
    log(`run ${r}/${opts.runs}: a cluster of ${opts.nodes} nodes`);
    const cluster = await clusterRun(build, r);
    runs.push({ floor, cluster, ratio: cluster.idleCores / floor.idleCores });
  }
} finally {
  build.cleanup();
}

const stat = (xs, digits = 1) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
const pick = (f) => runs.map(f);
const summary = {
  readyS: median(pick((x) => x.cluster.readyS)),
  fromSpawnS: median(pick((x) => x.cluster.fromSpawnS)),
  peakMiB: median(pick((x) => x.cluster.peakMiB)),
  idleCores: median(pick((x) => x.cluster.idleCores)),
  floorCores: median(pick((x) => x.floor.idleCores)),
  ratio: median(pick((x) => x.ratio)),
};
console.log(
  textTable([
    ["figure", `median (min-max) of ${runs.length}`],
    [`${opts.nodes} nodes Ready, from the first request`, `${stat(pick((x) => x.cluster.readyS))} s`],
    ["... from the spawn of npm run dev", `${stat(pick((x) => x.cluster.fromSpawnS))} s`],
    ["peak memory of the runtime", `${stat(pick((x) => x.cluster.peakMiB), 0)} MiB`],
    [`idle CPU, ${opts.nodes} Ready nodes`, `${stat(pick((x) => x.cluster.idleCores), 3)} cores`],
    [`idle CPU, ${opts.nodes} bare alarms (the floor)`, `${stat(pick((x) => x.floor.idleCores), 3)} cores`],
    ["ratio to the floor", stat(pick((x) => x.ratio), 2)],
  ]),
);
const file = resultFile(`nodes-${opts.nodes}`, "json", stamp);
writeFileSync(file, JSON.stringify({ date: stamp.toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: opts, summary, runs }, null, 2) + "\n");
log(`wrote ${file}`);
