// `npm run bench [-- --nodes 100,1000 --pods 1000 --runs 3 --concurrency 16]`
//
// Scheduling throughput: pods per second from create to bound, through the real
// API of a local cluster (wrangler dev, one per cluster size), median of several
// runs, next to the cost of a raw D1 row insert measured in the same invocation on
// the same machine. Not a test: never part of `npm test`. Bounded: every wait has a
// deadline and the whole benchmark gives up after --budget-min minutes.
//
// Per run: a fresh namespace; `pods` pods (10m cpu, 16Mi) created with
// `concurrency` requests in flight; done when a list of unbound pods in that
// namespace comes back empty (polled every 100 ms). Throughput = pods / (all
// bound - first create). Per-pod latency: the Scheduled event's eventTime minus
// the moment the client got the pod's 201.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { measureD1Inserts } from "./d1-raw.mjs";
import { startCluster } from "./cluster.mjs";

function parseArgs(argv) {
  const o = { nodes: [100, 1000], pods: 1000, runs: 3, concurrency: 16, budgetMin: 12 };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--nodes") o.nodes = v.split(",").map(Number);
    else if (k === "--pods") o.pods = Number(v);
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--concurrency") o.concurrency = Number(v);
    else if (k === "--budget-min") o.budgetMin = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  if (o.runs < 1 || o.pods < 1 || o.nodes.some((n) => !(n > 0))) throw new Error("bad arguments");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const budgetEnd = Date.now() + opts.budgetMin * 60_000;
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function deadline(ms) {
  return Math.min(Date.now() + ms, budgetEnd);
}

function benchPod(name) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  };
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
  const until = deadline(5 * 60_000);
  try {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < pods) {
          const name = `p-${next++}`;
          const res = await cluster.api(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body: JSON.stringify(benchPod(name)) });
          if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
          createdAt.set(name, Date.now());
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

async function benchSize(nodes) {
  log(`cluster of ${nodes} nodes: raw D1 inserts first (same machine, idle)`);
  const d1 = await measureD1Inserts(1000, 3);
  const singleMs = median(d1.map((r) => r.singleMs / r.n));
  const batchMs = median(d1.map((r) => r.batchMs / r.n));
  log(`  raw D1 insert: ${singleMs.toFixed(3)} ms/row one at a time, ${batchMs.toFixed(4)} ms/row in a batch of 1000`);

  log(`  starting wrangler dev with DEFAULT_NODE_COUNT=${nodes}`);
  const tStart = Date.now();
  const cluster = await startCluster({ DEFAULT_NODE_COUNT: String(nodes) });
  try {
    await waitForNodes(cluster, nodes);
    const bootSeconds = (Date.now() - tStart) / 1000;
    log(`  cluster up in ${bootSeconds.toFixed(1)} s`);
    // Let the control plane settle (node registrations wake the scheduler and controllers).
    await sleep(2_000);
    const runs = [];
    for (let r = 1; r <= opts.runs; r++) {
      if (Date.now() > budgetEnd) {
        log(`  time budget reached: stopping after ${runs.length} run(s)`);
        break;
      }
      log(`  run ${r}/${opts.runs}: ${opts.pods} pods`);
      const res = await runOnce(cluster, `bench-${r}`, opts.pods);
      log(`    ${res.podsPerSecond.toFixed(0)} pods/s create->bound (${res.totalSeconds.toFixed(2)} s; API create rate ${res.createPerSecond.toFixed(0)}/s; p50 ${res.latencyP50Ms} ms, p99 ${res.latencyP99Ms} ms)`);
      runs.push(res);
    }
    const podsPerSecond = median(runs.map((r) => r.podsPerSecond));
    const rawInsertsPerSecond = 1000 / singleMs;
    return {
      nodes,
      bootSeconds,
      runs,
      medianPodsPerSecond: podsPerSecond,
      medianCreatePerSecond: median(runs.map((r) => r.createPerSecond)),
      medianLatencyP50Ms: median(runs.map((r) => r.latencyP50Ms ?? NaN)),
      medianLatencyP99Ms: median(runs.map((r) => r.latencyP99Ms ?? NaN)),
      d1: { runs: d1, singleInsertMs: singleMs, batchInsertMsPerRow: batchMs, singleInsertsPerSecond: rawInsertsPerSecond },
      // How many raw one-at-a-time inserts the same second buys: >1 means faster than writing each pod once alone.
      ratioToRawInsert: podsPerSecond / rawInsertsPerSecond,
      msPerPod: 1000 / podsPerSecond,
      rawInsertsPerPod: (1000 / podsPerSecond) / singleMs,
    };
  } catch (e) {
    console.error(cluster.logs().slice(-3000));
    throw e;
  } finally {
    await cluster.stop();
  }
}

function table(results) {
  const rows = [
    ["nodes", "runs", "pods/run", "pods/s (median)", "API creates/s", "p50 ms", "p99 ms", "raw D1 insert ms", "raw inserts/s", "pods/s ÷ inserts/s", "ms per pod in raw inserts"],
    ...results.map((r) => [
      r.nodes,
      r.runs.length,
      opts.pods,
      r.medianPodsPerSecond.toFixed(0),
      r.medianCreatePerSecond.toFixed(0),
      String(r.medianLatencyP50Ms),
      String(r.medianLatencyP99Ms),
      r.d1.singleInsertMs.toFixed(3),
      r.d1.singleInsertsPerSecond.toFixed(0),
      r.ratioToRawInsert.toFixed(2),
      r.rawInsertsPerPod.toFixed(2),
    ]),
  ].map((row) => row.map(String));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n");
}

log(`edgekube scheduler benchmark: nodes ${opts.nodes.join(", ")}; ${opts.runs} runs of ${opts.pods} pods; ${opts.concurrency} creates in flight; ${cpus().length} cores`);
const results = [];
for (const n of opts.nodes) {
  if (Date.now() > budgetEnd) break;
  results.push(await benchSize(n));
}
console.log("\n" + table(results) + "\n");
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = new URL(`./results/scheduler-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, node: process.version, options: opts, results }, null, 2) + "\n");
log(`results written to ${file.pathname}`);
