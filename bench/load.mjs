// `npm run bench -- load [--requests 20000 --clients 64 --watches 4 --seed 200 --max-seconds 900 --max-inflight R,M]`
//
// The API server under load: --requests requests from --clients concurrent clients
// against a fresh local cluster (`wrangler dev`, loopback http), a mix of get, list,
// create, patch and delete of Leases in one namespace (nothing in the cluster reacts
// to them, so the API path and D1 are what is measured), while --watches watches on
// that namespace stay open throughout (not counted in --requests). Every client
// deletes only Leases it created. Expected: zero errors (any status but the verb's
// success, a reset, a timeout, a watch that ends early or misses an event). 429s are
// counted apart: the client waits the Retry-After and sends the request again, as
// client-go does; `--max-inflight 16,8` sets the cluster's MAX_REQUESTS_INFLIGHT and
// MAX_MUTATING_REQUESTS_INFLIGHT below the clients to see that. Prints progress while it runs; results go to
// bench/results/load-*.json and a chart of latency percentiles per verb to load-*.svg.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { buildBench, startCluster, TOKEN } from "./cluster.mjs";
import { log, percentile, resultFile, sleep, textTable, watchEvents } from "./util.mjs";
import { latencyChart } from "./load-chart.mjs";

function parseArgs(argv) {
  const o = { requests: 20_000, clients: 64, watches: 4, seed: 200, maxSeconds: 900, requestTimeoutMs: 30_000, maxInflight: undefined };
  const names = { "--requests": "requests", "--clients": "clients", "--watches": "watches", "--seed": "seed", "--max-seconds": "maxSeconds" };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--max-inflight") {
      const [readOnly, mutating] = String(v).split(",").map(Number);
      if (!Number.isInteger(readOnly) || !Number.isInteger(mutating)) throw new Error("--max-inflight READS,WRITES");
      o.maxInflight = { readOnly, mutating };
      continue;
    }
    if (!names[k]) throw new Error(`unknown argument ${k}`);
    o[names[k]] = Number(v);
  }
  for (const k of Object.values(names)) if (!Number.isInteger(o[k]) || o[k] < 0) throw new Error(`bad value for ${k}: ${o[k]}`);
  if (o.requests < 1 || o.clients < 1) throw new Error("--requests and --clients must be at least 1");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const NS = "load";
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
// Weights of the verbs; create and delete balance, so the namespace stays about --seed Leases.
const MIX = [
  ["get", 40],
  ["list", 10],
  ["create", 15],
  ["patch", 20],
  ["delete", 15],
];
const SUCCESS = { get: 200, list: 200, create: 201, patch: 200, delete: 200 };
const VERBS = MIX.map(([v]) => v);

function lease(name) {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, labels: { bench: "load" } }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } };
}

function pickVerb(rand) {
  const total = MIX.reduce((s, [, w]) => s + w, 0);
  let r = rand * total;
  for (const [v, w] of MIX) if ((r -= w) < 0) return v;
  return MIX[MIX.length - 1][0];
}

const stats = {
  latencies: Object.fromEntries(VERBS.map((v) => [v, []])),
  /** From the first attempt to the answer, 429 waits included: what the caller sees. */
  withRetries: Object.fromEntries(VERBS.map((v) => [v, []])),
  done: 0,
  errors: [],
  tooMany: 0,
  retryAfterSeen: new Set(),
};

/** One request; 429s wait their Retry-After and go again. Resolves with the final status. */
async function request(url, verb, init) {
  const first = performance.now();
  for (;;) {
    const started = performance.now();
    let status;
    let text = "";
    let retryAfter = null;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(opts.requestTimeoutMs) });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      text = await res.text();
    } catch (e) {
      stats.errors.push({ verb, error: `${e.name}: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ""}` });
      return undefined;
    }
    const ms = performance.now() - started;
    if (status === 429) {
      stats.tooMany++;
      stats.retryAfterSeen.add(retryAfter);
      await sleep(1000 * Number(retryAfter ?? "1"));
      continue;
    }
    if (status !== SUCCESS[verb]) {
      stats.errors.push({ verb, status, body: text.slice(0, 300) });
      return status;
    }
    stats.latencies[verb].push(ms);
    stats.withRetries[verb].push(performance.now() - first);
    return { status, text };
  }
}

async function runClients(url) {
  const auth = { authorization: `Bearer ${TOKEN}` };
  let issued = 0;
  const client = async (id) => {
    const mine = [];
    let serial = 0;
    while (issued < opts.requests && Date.now() < deadline) {
      issued++;
      let verb = pickVerb(Math.random());
      if ((verb === "get" || verb === "patch" || verb === "delete") && mine.length === 0) verb = "create";
      const pick = () => mine[Math.floor(Math.random() * mine.length)];
      if (verb === "get") await request(`${url}${LEASES}/${pick()}`, verb, { headers: auth });
      else if (verb === "list") await request(`${url}${LEASES}?limit=500`, verb, { headers: auth });
      else if (verb === "create") {
        const name = `c${id}-${serial++}`;
        const r = await request(`${url}${LEASES}`, verb, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(lease(name)) });
        if (r?.status === 201) mine.push(name);
      } else if (verb === "patch") {
        const body = { spec: { renewTime: new Date().toISOString().replace("Z", "000Z"), holderIdentity: `client-${id}` } };
        await request(`${url}${LEASES}/${pick()}`, verb, { method: "PATCH", headers: { ...auth, "content-type": "application/merge-patch+json" }, body: JSON.stringify(body) });
      } else {
        const i = Math.floor(Math.random() * mine.length);
        const [name] = mine.splice(i, 1);
        await request(`${url}${LEASES}/${name}`, verb, { method: "DELETE", headers: auth });
      }
      stats.done++;
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, i) => client(i)));
}

/** A watch held open for the whole run; counts events and notes an early end. */
function openWatch(url, resourceVersion, index) {
  const w = { events: { ADDED: 0, MODIFIED: 0, DELETED: 0, BOOKMARK: 0, ERROR: 0 }, endedEarly: false, error: undefined };
  const controller = new AbortController();
  const done = (async () => {
    try {
      const res = await fetch(`${url}${LEASES}?watch=true&allowWatchBookmarks=true&resourceVersion=${resourceVersion}&timeoutSeconds=${opts.maxSeconds + 120}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: controller.signal,
      });
      if (res.status !== 200) throw new Error(`watch ${index}: status ${res.status}`);
      for await (const ev of watchEvents(res.body)) w.events[ev.type] = (w.events[ev.type] ?? 0) + 1;
      w.endedEarly = !controller.signal.aborted;
    } catch (e) {
      if (!controller.signal.aborted) w.error = `${e.name}: ${e.message}`;
    }
  })();
  return { w, stop: () => controller.abort(), done };
}

function summarize(lat) {
  return {
    count: lat.length,
    p50: percentile(lat, 50),
    p90: percentile(lat, 90),
    p99: percentile(lat, 99),
    max: Math.max(...lat),
  };
}

let deadline = Infinity;
process.on("uncaughtException", (e) => {
  console.error(e);
  process.exitCode = 1;
});

const { config, cleanup } = buildBench();
let cluster;
let report;
try {
  log(`starting a local cluster (wrangler dev, loopback http)`);
  const vars = opts.maxInflight ? { MAX_REQUESTS_INFLIGHT: String(opts.maxInflight.readOnly), MAX_MUTATING_REQUESTS_INFLIGHT: String(opts.maxInflight.mutating) } : {};
  cluster = await startCluster(config, vars);
  const { url } = cluster;
  const ns = await cluster.api("/api/v1/namespaces", { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }) });
  if (ns.status !== 201) throw new Error(`creating namespace ${NS}: ${ns.status} ${JSON.stringify(ns.body)}`);
  log(`seeding ${opts.seed} Leases (not counted)`);
  for (let i = 0; i < opts.seed; i += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, opts.seed - i) }, (_, j) =>
        cluster.api(LEASES, { method: "POST", body: JSON.stringify(lease(`seed-${i + j}`)) }).then((r) => {
          if (r.status !== 201) throw new Error(`seeding: ${r.status} ${JSON.stringify(r.body)}`);
        }),
      ),
    );
  }
  const listed = await cluster.api(`${LEASES}?limit=1`);
  const watches = Array.from({ length: opts.watches }, (_, i) => openWatch(url, listed.body.metadata.resourceVersion, i));

  log(`${opts.requests} requests from ${opts.clients} clients (${MIX.map(([v, w]) => `${v} ${w}%`).join(", ")}), ${opts.watches} watches open`);
  const started = performance.now();
  deadline = Date.now() + opts.maxSeconds * 1000;
  let last = { t: started, done: 0 };
  const progress = setInterval(() => {
    const now = performance.now();
    const rate = ((stats.done - last.done) * 1000) / (now - last.t);
    last = { t: now, done: stats.done };
    const events = watches.reduce((s, { w }) => s + w.events.ADDED + w.events.MODIFIED + w.events.DELETED, 0);
    log(`  ${stats.done}/${opts.requests}  ${rate.toFixed(0)} req/s  errors ${stats.errors.length}  429s ${stats.tooMany}  watch events ${events}`);
  }, 2000);
  try {
    await runClients(url);
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - started) / 1000;

  // Every change the clients made reaches every watch: wait for the last ones to arrive.
  const expected = {
    ADDED: stats.latencies.create.length,
    MODIFIED: stats.latencies.patch.length,
    DELETED: stats.latencies.delete.length,
  };
  const complete = () => watches.every(({ w }) => w.events.ADDED >= expected.ADDED && w.events.MODIFIED >= expected.MODIFIED && w.events.DELETED >= expected.DELETED);
  const watchDeadline = Date.now() + 60_000;
  while (!complete() && Date.now() < watchDeadline && watches.every(({ w }) => !w.error && !w.endedEarly)) await sleep(200);
  for (const { stop } of watches) stop();
  await Promise.all(watches.map(({ done }) => done));
  for (const [i, { w }] of watches.entries()) {
    if (w.error || w.endedEarly) stats.errors.push({ verb: "watch", error: w.error ?? `watch ${i} ended early` });
    else if (w.events.ADDED < expected.ADDED || w.events.MODIFIED < expected.MODIFIED || w.events.DELETED < expected.DELETED) {
      stats.errors.push({ verb: "watch", error: `watch ${i} missed events: saw ${JSON.stringify(w.events)}, expected at least ${JSON.stringify(expected)}` });
    }
  }
  const incomplete = stats.done < opts.requests;
  if (incomplete) stats.errors.push({ verb: "run", error: `stopped at --max-seconds with ${stats.done}/${opts.requests} requests done` });

  const perVerb = Object.fromEntries(VERBS.map((v) => [v, summarize(stats.latencies[v])]));
  report = {
    opts,
    mix: Object.fromEntries(MIX),
    cpus: cpus().length,
    loadavg: loadavg(),
    seconds,
    requests: stats.done,
    requestsPerSecond: stats.done / seconds,
    errors: stats.errors.length,
    errorSamples: stats.errors.slice(0, 20),
    tooManyRequests: stats.tooMany,
    retryAfter: [...stats.retryAfterSeen],
    perVerb,
    perVerbWithRetries: Object.fromEntries(VERBS.map((v) => [v, summarize(stats.withRetries[v])])),
    watches: watches.map(({ w }) => w.events),
    expectedWatchEvents: expected,
    // wrangler's own look-ups of workers.cloudflare.com fail offline; they are not the cluster's.
    workerErrors: cluster
      .logs()
      .split("\n")
      .filter((l) => /error/i.test(l) && !l.includes("workers.cloudflare.com"))
      .slice(0, 20),
  };
} finally {
  await cluster?.stop();
  cleanup();
}

const f = (ms) => (ms === undefined || !Number.isFinite(ms) ? "-" : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const rows = [["verb", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"]];
for (const [v, s] of Object.entries(report.perVerb)) rows.push([v, String(s.count), f(s.p50), f(s.p90), f(s.p99), f(s.max)]);
console.log(textTable(rows));
if (report.tooManyRequests > 0) {
  const waited = [["verb (429 waits included)", "p50 ms", "p99 ms", "max ms"]];
  for (const [v, s] of Object.entries(report.perVerbWithRetries)) waited.push([v, f(s.p50), f(s.p99), f(s.max)]);
  console.log(textTable(waited));
}
console.log(
  `${report.requests} requests in ${report.seconds.toFixed(1)} s (${report.requestsPerSecond.toFixed(0)} req/s), errors ${report.errors}, 429s ${report.tooManyRequests}, watch events per watch ${JSON.stringify(report.watches[0] ?? {})}`,
);
for (const e of report.errorSamples) console.log("  error:", JSON.stringify(e));
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const stamp = new Date();
const json = resultFile("load", "json", stamp);
writeFileSync(json, JSON.stringify(report, null, 2));
const svg = resultFile("load", "svg", stamp);
writeFileSync(svg, latencyChart(report));
log(`wrote ${json.pathname} and ${svg.pathname}`);
if (report.errors > 0) process.exitCode = 1;
