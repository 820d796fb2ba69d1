// `npm run bench -- list [-- --nodes 100 --pods-per-node 30 --runs 3 --limit 500 --budget-min 30 --state-dir /dev/shm --profile --no-kubectl --no-full --var NAME=VALUE ...]`
//
// Lists of a big cluster: a local cluster (wrangler dev serving bench/worker.mts, over
// https so kubectl sends its token) of --nodes nodes holding --nodes x --pods-per-node
// pods that are bound and Running. Not a test: never part of `npm test`.
//
// The pods do NOT come through the scheduler and the kubelets (150,000 of them would take
// hours on one JavaScript thread): POST /__bench/running-pods writes them straight into
// the store in batches, already bound (spec.nodeName) with a Running, Ready status as a
// kubelet reports it, spread over 10 namespaces, labelled app=list and tier=t0..t99. No
// one is poked: the kubelets never list them (a kubelet lists its pods when poked and
// re-lists only while it has some), so they hold no runtime state for them, and the
// runtime memory reported is the API's, D1's and the idle nodes'. The figures are about
// the API and D1 listing a big pod table, not about running it.
//
// Per run (--runs, on the one cluster):
// - paging: GET /api/v1/pods?limit=--limit, following `continue` through every pod,
//   each page timed (p50/p99/max); meanwhile one client GETs single pods one after
//   another, each timed;
// - the whole list without a limit, timed (--no-full skips it);
// - a label-selector list (tier=t7: a hundredth of the pods), timed;
// - `kubectl get pods -A` (the real kubectl: Table output in chunks of 500), timed
//   (--no-kubectl skips it).
// Also: seconds to bring the nodes up and to seed the pods, the runtime's (workerd's)
// peak and current resident set, and the load average with every figure. Medians across
// runs with min-max; JSON to bench/results/list-*.json, and bench/list-chart.mjs draws
// every list-*.json there as bench/results/list-*.svg (page latency per cluster size).
// --state-dir puts the local D1 database and the Durable Objects' storage under another
// directory (default: the system's temporary directory, on disk here): on /dev/shm the
// SQLite syncs of a big database no longer stall the runtime's one thread on the disk.
// --var sets a cluster variable (wrangler.toml [vars]), e.g. NODE_LEASE_RENEW_INTERVAL=40s.
// --profile attaches the V8 CPU profiler for the first run's paging and prints where
// the time went (bench/results/list-*.cpuprofile).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBench, freePort, startCluster, TOKEN } from "./cluster.mjs";
import { selfTimes, startProfiler } from "./devtools.mjs";
import { listChart } from "./list-chart.mjs";
import { cliArgs, log, median, percentile, resultFile, runtimeStats, sleep, textTable, until } from "./util.mjs";

// The cluster's certificate is self-signed.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

function parseArgs(argv) {
  const o = { nodes: 100, podsPerNode: 30, runs: 3, limit: 500, budgetMin: 30, readyTimeoutS: 900, profile: false, kubectl: true, full: true, seedBatch: 5000, stateDir: tmpdir(), vars: {} };
  const flags = { "--profile": ["profile", true], "--no-kubectl": ["kubectl", false], "--no-full": ["full", false] };
  for (const [k, v] of cliArgs(argv, Object.keys(flags))) {
    if (flags[k]) o[flags[k][0]] = flags[k][1];
    else if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--pods-per-node") o.podsPerNode = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--limit") o.limit = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else if (k === "--ready-timeout-s") o.readyTimeoutS = Number(v);
    else if (k === "--seed-batch") o.seedBatch = Number(v);
    else if (k === "--state-dir") o.stateDir = v;
    else if (k === "--var") {
      const at = v.indexOf("=");
      o.vars[v.slice(0, at)] = v.slice(at + 1);
    }
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(o.nodes > 0 && o.podsPerNode >= 0 && o.runs > 0 && o.limit > 0 && o.seedBatch > 0)) throw new Error("bad arguments");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const total = opts.nodes * opts.podsPerNode;
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

/** A timed GET: latency, status and body size; the body parsed only when asked. */
async function timedGet(url, { parse = false, accept } = {}) {
  const t = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, ...(accept ? { accept } : {}) } });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return { ms, bytes: text.length, body: parse ? JSON.parse(text) : undefined };
}

async function readyNodes(cluster) {
  let ready = 0;
  let cont = "";
  do {
    const { body } = await timedGet(`${cluster.url}/api/v1/nodes?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, { parse: true });
    for (const n of body.items) if (n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) ready++;
    cont = body.metadata?.continue ?? "";
  } while (cont);
  return ready;
}

/** Every pod, --limit at a time: each page's latency, and the pods seen. */
async function pageThrough(cluster) {
  const pages = [];
  let seen = 0;
  let running = 0;
  let cont = "";
  const t0 = performance.now();
  let lastLog = Date.now();
  do {
    const page = await timedGet(`${cluster.url}/api/v1/pods?limit=${opts.limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`, { parse: true });
    pages.push(page.ms);
    seen += page.body.items.length;
    running += page.body.items.filter((p) => p.status?.phase === "Running").length;
    cont = page.body.metadata?.continue ?? "";
    if (Date.now() - lastLog > 5_000) {
      log(`    paged ${seen}/${total} pods, ${pages.length} pages, last ${page.ms.toFixed(0)} ms`);
      lastLog = Date.now();
    }
  } while (cont);
  return { pages, seen, running, seconds: (performance.now() - t0) / 1000 };
}

/** Single pods GETs one after another until stop() (a pod of every node in turn). */
function singleGets(cluster) {
  const times = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const k = (i * 7919) % total; // a stride through the pods, the same pods as seeded
      const node = k % opts.nodes;
      const name = `run-${node + 1}-${Math.floor(k / opts.nodes)}`;
      times.push((await timedGet(`${cluster.url}/api/v1/namespaces/list-${k % 10}/pods/${name}`)).ms);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return times;
    },
  };
}

function kubectlGetPods(cluster, dir) {
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: b\n  cluster: {server: "${cluster.url}", insecure-skip-tls-verify: true}\nusers:\n- name: b\n  user: {token: ${TOKEN}}\ncontexts:\n- name: b\n  context: {cluster: b, user: b, namespace: default}\ncurrent-context: b\n`,
  );
  const t = performance.now();
  return new Promise((resolve, reject) =>
    execFile("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), "get", "pods", "-A", "--no-headers"], { env: { ...process.env, HOME: dir }, timeout: 1_800_000, maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl get pods -A: ${err.message} ${stderr.slice(0, 500)}`));
      else resolve({ seconds: (performance.now() - t) / 1000, rows: stdout.split("\n").filter(Boolean).length });
    }),
  );
}

const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

log(`edgekube list benchmark: ${opts.nodes} nodes x ${opts.podsPerNode} pods = ${total} pods, limit ${opts.limit}, ${opts.runs} runs; ${cpus().length} cores, load ${load().join(" ")}`);
log("bundling bench/worker.mts");
const build = buildBench();
const dir = mkdtempSync(join(tmpdir(), "edgekube-list-"));
const runs = [];
const result = { date: new Date().toISOString(), cores: cpus().length, node: process.version, options: opts, pods: total };
let cluster;
try {
  const inspectorPort = opts.profile ? await freePort() : 0;
  const spawnedAt = Date.now();
  cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes), ...opts.vars }, { startTimeoutMs: 300_000, protocol: "https", inspectorPort, stateDir: opts.stateDir });
  log(`cluster up at ${cluster.url}; waiting for ${opts.nodes} nodes Ready`);
  const firstRequestAt = Date.now();
  let lastLog = 0;
  await until(
    async () => {
      const ready = await readyNodes(cluster);
      if (Date.now() - lastLog > 10_000) {
        log(`  ${ready}/${opts.nodes} nodes Ready, runtime RSS ${runtimeStats(cluster.pgid).rssMiB.toFixed(0)} MiB`);
        lastLog = Date.now();
      }
      return ready >= opts.nodes;
    },
    opts.readyTimeoutS * 1000,
    `${opts.nodes} nodes Ready`,
  );
  result.bringUp = { seconds: (Date.now() - firstRequestAt) / 1000, sinceSpawnSeconds: (Date.now() - spawnedAt) / 1000, runtime: runtimeStats(cluster.pgid), load: load() };
  log(`${opts.nodes} nodes Ready after ${result.bringUp.seconds.toFixed(0)} s; runtime peak ${result.bringUp.runtime.hwmMiB.toFixed(0)} MiB`);

  const tSeed = Date.now();
  for (let from = 0; from < total; from += opts.seedBatch) {
    const res = await cluster.api(`/__bench/running-pods?nodes=${opts.nodes}&perNode=${opts.podsPerNode}&from=${from}&n=${opts.seedBatch}`, { method: "POST" });
    if (res.status !== 200) throw new Error(`seeding: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    const at = from + res.body.written;
    if (at === total || (from / opts.seedBatch) % 5 === 4) log(`  seeded ${at}/${total} pods (${((Date.now() - tSeed) / 1000).toFixed(0)} s)`);
  }
  result.seed = { seconds: (Date.now() - tSeed) / 1000, runtime: runtimeStats(cluster.pgid), load: load() };
  log(`seeded ${total} Running pods in ${result.seed.seconds.toFixed(0)} s; runtime RSS ${result.seed.runtime.rssMiB.toFixed(0)} MiB`);
  await sleep(2_000);

  for (let r = 1; r <= opts.runs; r++) {
    if (Date.now() > budgetEnd) {
      log(`time budget reached: stopping after ${runs.length} run(s)`);
      break;
    }
    log(`run ${r}/${opts.runs}: paging ${total} pods, ${opts.limit} a page`);
    const run = { loadBefore: load() };
    const profiler = opts.profile && r === 1 ? await startProfiler(inspectorPort) : undefined;
    const gets = singleGets(cluster);
    const paged = await pageThrough(cluster);
    const getTimes = await gets.stop();
    if (profiler) {
      const profile = await profiler.stop();
      const sampled = profile.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
      const times = selfTimes(profile);
      const idle = times.filter(([k]) => k.startsWith("(idle)")).reduce((s, [, v]) => s + v, 0);
      const rows = times.filter(([k]) => !k.startsWith("(idle)")).slice(0, 30).map(([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / (sampled - idle)).toFixed(1)]);
      console.log(`\nprofiled ${(sampled / 1000).toFixed(1)} s, busy ${((sampled - idle) / 1000).toFixed(1)} s\n` + textTable([["function  file:line", "self ms", "% busy"], ...rows]) + "\n");
      mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
      const file = resultFile("list", "cpuprofile");
      writeFileSync(file, JSON.stringify(profile));
      log(`profile written to ${file.pathname}`);
    }
    if (paged.seen !== total) throw new Error(`paging saw ${paged.seen} pods, ${total} were seeded`);
    run.paging = { pages: paged.pages.length, seconds: paged.seconds, p50Ms: percentile(paged.pages, 50), p99Ms: percentile(paged.pages, 99), maxMs: Math.max(...paged.pages), running: paged.seen === paged.running, load: load() };
    run.singleGets = { n: getTimes.length, p50Ms: percentile(getTimes, 50), p99Ms: percentile(getTimes, 99), maxMs: Math.max(...getTimes) };
    run.pageMs = paged.pages.map((ms) => Math.round(ms * 10) / 10);
    log(`  ${paged.pages.length} pages in ${paged.seconds.toFixed(1)} s: p50 ${run.paging.p50Ms.toFixed(0)} ms, p99 ${run.paging.p99Ms.toFixed(0)} ms, max ${run.paging.maxMs.toFixed(0)} ms; ${getTimes.length} single GETs meanwhile: p50 ${run.singleGets.p50Ms.toFixed(0)} ms, p99 ${run.singleGets.p99Ms.toFixed(0)} ms (load ${run.paging.load.join(" ")})`);

    if (opts.full) {
      try {
        const all = await timedGet(`${cluster.url}/api/v1/pods`);
        run.full = { ms: all.ms, bytes: all.bytes, load: load() };
        log(`  the whole list without a limit: ${(all.ms / 1000).toFixed(2)} s, ${(all.bytes / 2 ** 20).toFixed(0)} MiB of JSON`);
      } catch (e) {
        run.full = { error: e.message.slice(0, 300) };
        log(`  the whole list without a limit failed: ${run.full.error}`);
      }
    }
    const sel = await timedGet(`${cluster.url}/api/v1/pods?labelSelector=tier%3Dt7`, { parse: true });
    run.selector = { ms: sel.ms, items: sel.body.items.length, load: load() };
    log(`  labelSelector=tier=t7: ${sel.body.items.length} pods in ${sel.ms.toFixed(0)} ms`);
    if (opts.kubectl) {
      const k = await kubectlGetPods(cluster, dir);
      if (k.rows !== total) throw new Error(`kubectl get pods -A printed ${k.rows} rows, ${total} were seeded`);
      run.kubectl = { ...k, load: load() };
      log(`  kubectl get pods -A: ${k.rows} rows in ${k.seconds.toFixed(1)} s`);
    }
    run.runtime = runtimeStats(cluster.pgid);
    log(`  runtime: peak ${run.runtime.hwmMiB.toFixed(0)} MiB, now ${run.runtime.rssMiB.toFixed(0)} MiB`);
    runs.push(run);
  }
} catch (e) {
  log(`failed: ${e.message}`);
  if (cluster) console.error(cluster.logs().slice(-3000));
  process.exitCode = 1;
} finally {
  await cluster?.stop();
  build.cleanup();
  rmSync(dir, { recursive: true, force: true });
}

if (runs.length) {
  const of = (f) => spread(runs.map(f).filter((x) => x !== undefined));
  result.median = {
    pageP50Ms: of((r) => r.paging.p50Ms),
    pageP99Ms: of((r) => r.paging.p99Ms),
    pageMaxMs: of((r) => r.paging.maxMs),
    pagingSeconds: of((r) => r.paging.seconds),
    singleGetP99Ms: of((r) => r.singleGets.p99Ms),
    ...(runs.some((r) => r.full?.ms) ? { fullListMs: of((r) => r.full?.ms) } : {}),
    selectorMs: of((r) => r.selector.ms),
    ...(opts.kubectl ? { kubectlSeconds: of((r) => r.kubectl.seconds) } : {}),
    runtimePeakMiB: Math.max(...runs.map((r) => r.runtime.hwmMiB)),
  };
  result.runs = runs;
  const f = (s, d = 0) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)})`;
  const m = result.median;
  console.log(
    "\n" +
      textTable([
        ["figure", "median (min-max)"],
        ["nodes Ready s", result.bringUp.seconds.toFixed(0)],
        ["pods seeded s", result.seed.seconds.toFixed(0)],
        [`page of ${opts.limit} p50 ms`, f(m.pageP50Ms)],
        [`page of ${opts.limit} p99 ms`, f(m.pageP99Ms)],
        [`page of ${opts.limit} max ms`, f(m.pageMaxMs)],
        ["all pages s", f(m.pagingSeconds, 1)],
        ["single GET p99 ms", f(m.singleGetP99Ms)],
        ...(m.fullListMs ? [["no-limit list ms", f(m.fullListMs)]] : []),
        ["selector list ms", f(m.selectorMs)],
        ...(m.kubectlSeconds ? [["kubectl get pods -A s", f(m.kubectlSeconds, 1)]] : []),
        ["runtime peak MiB", m.runtimePeakMiB.toFixed(0)],
      ]) +
      "\n",
  );
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const stamp = new Date();
  const json = resultFile("list", "json", stamp);
  writeFileSync(json, JSON.stringify(result, null, 2) + "\n");
  // The chart: every list result so far, one cluster size per column.
  const dirUrl = new URL("./results/", import.meta.url);
  const all = readdirSync(dirUrl)
    .filter((f) => /^list-.*\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dirUrl), "utf8")))
    .filter((x) => x.median);
  const svg = resultFile("list", "svg", stamp);
  writeFileSync(svg, listChart(all));
  log(`results written to ${json.pathname} and ${svg.pathname}`);
}
