// Benchmark-only worker entry (bundled by the bench scripts, never deployed): the real
// worker, plus two endpoints that measure from inside workerd, against the cluster's
// own D1 database, what an HTTP client cannot see:
//
//   POST /__bench/d1?n=1000        raw D1 row inserts: n one at a time, then n in one batch
//   GET  /__bench/scheduler        the scheduler's status() (queue, counters)
//   GET  /__bench/watch-cache?resource=pods
//                                  that resource's watch cache status() (watchers, log reads, window)
//   GET  /__bench/controllers      the controller manager's work queue (count, a sample) and
//                                  its clients' rate-limit waits, by client
//   POST /__bench/backlog?ns=x&n=N N pending pods written straight to the store (no
//                                  pokes), then one poke: the time the scheduler takes
//                                  to bind the whole backlog (its own throughput,
//                                  without the API's create path in front of it)
//   POST /__bench/nodes?n=N       N Node objects with no kubelet behind them (named perf-node-i),
//                                  as upstream's scheduler_perf creates its nodes: Ready, 4 CPU,
//                                  8Gi, 110 pods; the scheduler's own throughput without the
//                                  kubelets starting the pods it binds on the same thread
//   POST /__bench/bare-alarms?n=N&intervalMs=10000
//                                  N Durable Objects whose alarm only sets the next one:
//                                  the floor under a node's heartbeat (its alarm and
//                                  nothing else), to measure idle cost against
//   POST /__bench/running-pods?nodes=N&perNode=K&from=I&n=C
//                                  pods number I..I+C-1 of N*K written straight to the
//                                  store already bound (spec.nodeName: pod i goes to
//                                  node-(i mod N + 1)) with status Running, SEED_CHUNK per
//                                  batch, no pokes: the API and D1 hold a large cluster's
//                                  pods without the scheduler and kubelets making them.
//                                  No kubelet learns of them (a kubelet lists its pods
//                                  when poked, and re-lists only while it has some), so
//                                  they take no runtime memory in the nodes
//   GET  /__bench/d1-queries?caches=leases,pods
//                                  D1 round trips made since start by the worker's isolate
//                                  and by the named resources' watch caches (added when
//                                  they run in another isolate): every statement run on
//                                  its own and every batch counts one; and the statements
//                                  (a batch of k counts k), in all and per kind (the
//                                  statement's verb and table: "insert objects")
//                                  and the rows each kind answered with; with detail=1,
//                                  runs and rows by each statement's text
//   POST /__bench/d1-sites?on=1|0
//                                  start (on=1) or stop counting D1 statements by kind and
//                                  the functions that ran them (the stack up to its first
//                                  await); answers with the counts so far
//   POST /__bench/d1?n=1000&only=batch
//                                  only the batch of n inserts (no single ones)
//   GET  /__bench/commits?from=RV  when each commit of this isolate (the API worker and
//                                  the objects beside it) came back from D1: [rv, ms]
//                                  pairs, rv the last revision the commit wrote (what
//                                  its revision bump answered), from RV on; the last
//                                  COMMIT_TIMES kept. What "write committed" means for a
//                                  watch's latency: the moment the writer learns it.
//
// All need the API token. Inside workerd Date.now() advances across I/O, and
// both measurements are bracketed by I/O (D1 calls, the poke RPC).
import { DurableObject } from "cloudflare:workers";
import worker from "../src/index";
import { ObjectStore, type WriteOp } from "../src/store/store";
import { prepareForCreate } from "../src/registry/strategy";
import { findResource } from "../src/model/resources";
import { controllers, scheduler } from "../src/controlplane/stubs";
import type { KubeObject } from "../src/model/types";
import { makeNode } from "../src/scheduler/fixtures";
import type { Scheduler } from "../src/scheduler/scheduler-do";
import type { ControllerManager } from "../src/controllers/controller-manager";

import { WatchCache as ServedWatchCache } from "../src/index";

export { NodeAgent, Scheduler, ControllerManager, NodeLifecycleController, VolumeStore } from "../src/index";

const SEED_CHUNK = 500;

/** A Durable Object that only re-arms its alarm: what N idle heartbeats cost at least. */
export class BareAlarm extends DurableObject {
  async arm(intervalMs: number): Promise<void> {
    await this.ctx.storage.put("intervalMs", intervalMs);
    await this.ctx.storage.setAlarm(Date.now() + Math.random() * intervalMs);
  }

  override async alarm(): Promise<void> {
    const intervalMs = (await this.ctx.storage.get<number>("intervalMs")) ?? 10_000;
    await this.ctx.storage.setAlarm(Date.now() + intervalMs);
  }
}

interface BenchEnv {
  BENCH_BARE_ALARM: DurableObjectNamespace<BareAlarm>;
}

async function bareAlarms(env: BenchEnv, n: number, intervalMs: number) {
  const t0 = Date.now();
  for (let i = 0; i < n; i += SEED_CHUNK) {
    const chunk = Array.from({ length: Math.min(SEED_CHUNK, n - i) }, (_, j) => env.BENCH_BARE_ALARM.get(env.BENCH_BARE_ALARM.idFromName(`bare-${i + j}`)).arm(intervalMs));
    await Promise.all(chunk);
  }
  return { n, intervalMs, startMs: Date.now() - t0 };
}

// D1 round trips, counted by wrapping the binding's prototypes once: every ObjectStore
// of the worker and of its Durable Objects (one isolate under wrangler dev) goes
// through them, so a count needs no change to the code being measured.
let d1Queries = 0;
let d1Statements = 0;
const d1Kinds = new Map<string, number>();
/** Rows the statements of each kind answered with: what D1's result conversion walks. */
const d1Rows = new Map<string, number>();
/** Runs and rows by the statement's text, for `?detail=1`: which query reads the rows. */
const d1BySql = new Map<string, { runs: number; rows: number }>();
/** While on (`POST /__bench/d1-sites?on=1`): runs by statement kind and the functions that ran it. */
let d1SitesOn = false;
const d1Sites = new Map<string, number>();
/** Commit times by the last revision each commit wrote, in the order they came back. */
const commitTimes = new Map<number, number>();
const COMMIT_TIMES = 50_000;

/** The calling functions (up to the first await, which is where a stack ends) of a statement run now. */
function callSite(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(3);
  const names = frames.map((f) => /at (?:async )?([\w$.<>]+) \(/.exec(f)?.[1]).filter((n): n is string => !!n && !/^(Object\.)?(target|wrap|original)/.test(n));
  return names.slice(0, 6).join(" < ");
}
let d1Counting = false;
let isolate: string | undefined;
const isolateId = () => (isolate ??= crypto.randomUUID());
function countD1Queries(db: D1Database): void {
  if (d1Counting) return;
  d1Counting = true;
  const wrap = (proto: object, names: string[], statements: (self: unknown, args: unknown[]) => unknown[]) => {
    const target = proto as Record<string, (...a: unknown[]) => unknown>;
    for (const name of names) {
      const original = target[name];
      if (typeof original !== "function") continue;
      target[name] = function (this: unknown, ...args: unknown[]) {
        d1Queries++;
        // Each statement's text and kind, worked out once: the rows are counted against them when the result comes.
        const ran: Ran[] = [];
        const site = d1SitesOn ? callSite() : "";
        for (const st of statements(this, args)) {
          d1Statements++;
          const text = statementText(st);
          const kind = statementKind(text);
          if (d1SitesOn) d1Sites.set(`${kind} @ ${site}`, (d1Sites.get(`${kind} @ ${site}`) ?? 0) + 1);
          ran.push({ text, kind });
          d1Kinds.set(kind, (d1Kinds.get(kind) ?? 0) + 1);
        }
        const out = original.apply(this, args);
        if (out instanceof Promise) void out.then((r) => countRows(name, ran, r), () => undefined);
        else if (name === "exec") countRows(name, ran, undefined);
        return out;
      };
    }
  };
  wrap(Object.getPrototypeOf(db) as object, ["batch"], (_self, args) => (Array.isArray(args[0]) ? args[0] : []));
  wrap(Object.getPrototypeOf(db) as object, ["exec"], (_self, args) => [String(args[0])]);
  wrap(Object.getPrototypeOf(db.prepare("SELECT 1")) as object, ["first", "run", "all", "raw"], (self) => [self]);
}

function statementText(st: unknown): string {
  return typeof st === "string" ? st : String((st as { statement?: string }).statement ?? "?");
}

interface Ran {
  text: string;
  kind: string;
}

function countRows(method: string, ran: Ran[], result: unknown): void {
  const add = (st: Ran | undefined, n: number) => {
    if (!st) return;
    const bySql = d1BySql.get(st.text) ?? { runs: 0, rows: 0 };
    bySql.runs++;
    bySql.rows += n;
    d1BySql.set(st.text, bySql);
    if (n > 0) d1Rows.set(st.kind, (d1Rows.get(st.kind) ?? 0) + n);
  };
  const rowsOf = (r: unknown) => (r && typeof r === "object" && Array.isArray((r as { results?: unknown }).results) ? (r as { results: unknown[] }).results.length : 0);
  if (method === "batch" && Array.isArray(result)) {
    result.forEach((r, i) => add(ran[i], rowsOf(r)));
    noteCommit(ran, result);
  }
  else if (method === "all") add(ran[0], rowsOf(result));
  else if (method === "raw") add(ran[0], Array.isArray(result) ? result.length : 0);
  else if (method === "first") add(ran[0], result == null ? 0 : 1);
  else add(ran[0], 0);
}

/** A batch that bumped the revision is a commit: note when it came back (this callback runs as the batch resolves). */
function noteCommit(ran: Ran[], result: unknown[]): void {
  const i = ran.findIndex((st) => /^\s*update\s+"revision"/i.test(st.text));
  const row = (result[i] as { results?: { rv?: unknown }[] } | undefined)?.results?.[0];
  if (i < 0 || typeof row?.rv !== "number") return;
  commitTimes.set(row.rv, Date.now());
  if (commitTimes.size > COMMIT_TIMES) commitTimes.delete(commitTimes.keys().next().value as number);
}

/** "insert objects", "select change_log": a statement's verb and first table. */
function statementKind(sql: string): string {
  const m = /^\s*(select|insert|update|delete|create|drop|with|replace)\b[\s\S]*?\b(?:from|into|update|table)\s+["`]?(\w+)/i.exec(sql);
  if (m) return `${m[1].toLowerCase()} ${m[2]}`;
  return sql.trim().split(/\s+/, 2).join(" ").toLowerCase().slice(0, 40);
}

async function rawInserts(db: D1Database, n: number, onlyBatch: boolean) {
  const body = "x".repeat(1024); // about the size of a small pod's JSON
  await db.exec("CREATE TABLE IF NOT EXISTS bench_raw_insert (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL)");
  const stmt = db.prepare("INSERT INTO bench_raw_insert (name, body) VALUES (?, ?)");
  let t = Date.now();
  for (let i = 0; i < (onlyBatch ? 0 : n); i++) await stmt.bind(`single-${i}`, body).run();
  const singleMs = Date.now() - t;
  t = Date.now();
  await db.batch(Array.from({ length: n }, (_, i) => stmt.bind(`batch-${i}`, body)));
  const batchMs = Date.now() - t;
  await db.exec("DROP TABLE bench_raw_insert");
  return { n, singleMs, batchMs };
}

/** The served watch cache, counting its D1 round trips too. */
export class WatchCache extends ServedWatchCache {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    countD1Queries(env.DB);
  }

  async benchD1Queries(): Promise<{ isolate: string; queries: number; statements: number; kinds: Record<string, number>; rows: Record<string, number>; bySql: Record<string, { runs: number; rows: number }> }> {
    return { isolate: isolateId(), queries: d1Queries, statements: d1Statements, kinds: Object.fromEntries(d1Kinds), rows: Object.fromEntries(d1Rows), bySql: Object.fromEntries(d1BySql) };
  }
}

async function d1QueryCount(env: Env, caches: string[], detail: boolean) {
  let queries = d1Queries;
  let statements = d1Statements;
  const kinds: Record<string, number> = Object.fromEntries(d1Kinds);
  const rows: Record<string, number> = Object.fromEntries(d1Rows);
  const bySql: Record<string, { runs: number; rows: number }> = Object.fromEntries([...d1BySql].map(([k, v]) => [k, { ...v }]));
  const isolates = [isolateId()];
  for (const resource of caches) {
    const stub = env.WATCH_CACHE.get(env.WATCH_CACHE.idFromName(resource)) as unknown as DurableObjectStub<WatchCache>;
    const c = await stub.benchD1Queries();
    if (!isolates.includes(c.isolate)) {
      isolates.push(c.isolate);
      queries += c.queries;
      statements += c.statements;
      for (const [k, v] of Object.entries(c.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
      for (const [k, v] of Object.entries(c.rows)) rows[k] = (rows[k] ?? 0) + v;
      for (const [k, v] of Object.entries(c.bySql)) {
        const sum = (bySql[k] ??= { runs: 0, rows: 0 });
        sum.runs += v.runs;
        sum.rows += v.rows;
      }
    }
  }
  return { queries, statements, kinds, rows, isolates: isolates.length, ...(detail ? { bySql } : {}) };
}

function benchPod(name: string, namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  };
}

/** Kubelet-less nodes (the cluster must run with a long NODE_MONITOR_GRACE_PERIOD so they stay Ready). */
async function perfNodes(env: Env, n: number) {
  const store = new ObjectStore(env.DB);
  const now = Date.now();
  const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  const defaults = { defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 }, now };
  const nodeInfo = findResource("", "v1", "nodes")!;
  for (let i = 0; i < n; i += SEED_CHUNK) {
    const ops: WriteOp[] = [];
    for (let j = i; j < Math.min(n, i + SEED_CHUNK); j++) {
      const name = `perf-node-${j}`;
      if (await store.get("nodes", "", name)) continue;
      const node = makeNode(name, { cpu: "4", memory: "8Gi", pods: "110" });
      node.status!.conditions = [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: at, lastTransitionTime: at }];
      ops.push({ op: "create", resource: "nodes", object: prepareForCreate(nodeInfo, node, defaults) });
    }
    if (ops.length) await store.commit(ops);
  }
  return { n };
}

async function backlog(env: Env, namespace: string, n: number) {
  // No change listener: nothing is poked while the backlog is written.
  const store = new ObjectStore(env.DB);
  const now = Date.now();
  const defaults = { defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 }, now };
  const nsInfo = findResource("", "v1", "namespaces")!;
  const podInfo = findResource("", "v1", "pods")!;
  if (!(await store.get("namespaces", "", namespace))) {
    await store.create("namespaces", prepareForCreate(nsInfo, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, defaults));
  }
  const t0 = Date.now();
  for (let i = 0; i < n; i += SEED_CHUNK) {
    const ops: WriteOp[] = [];
    for (let j = i; j < Math.min(n, i + SEED_CHUNK); j++) {
      ops.push({ op: "create", resource: "pods", object: prepareForCreate(podInfo, benchPod(`p-${j}`, namespace), defaults) });
    }
    await store.commit(ops);
  }
  const seedMs = Date.now() - t0;
  const stub = scheduler(env) as unknown as DurableObjectStub<Scheduler>;
  const t1 = Date.now();
  await stub.poke();
  const scheduleMs = Date.now() - t1;
  const status = await stub.status();
  // poke() resolved once the run that saw it drained the queue: nothing of ours may be left.
  const pending = await store.list("pods", { namespace, nodeName: "" });
  return { n, seedMs, scheduleMs, pending: pending.items.length, scheduler: status };
}

/** Namespaces the seeded running pods are spread over (pod i in list-(i mod this)). */
const RUNNING_NAMESPACES = 10;
/** Values of the seeded pods' `tier` label: a selector on one picks a hundredth of them. */
const RUNNING_TIERS = 100;

/** A pod as a kubelet would have reported it Running: bound, started, Ready. */
function runningPod(i: number, nodes: number, prepared: (pod: KubeObject) => KubeObject, now: number): KubeObject {
  const node = i % nodes;
  const started = new Date(now).toISOString().replace(/\.\d+Z$/, "Z");
  const pod = prepared({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `run-${node + 1}-${Math.floor(i / nodes)}`, namespace: `list-${i % RUNNING_NAMESPACES}`, labels: { app: "list", tier: `t${i % RUNNING_TIERS}` } },
    spec: { nodeName: `node-${node + 1}`, containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  });
  const ip = `10.${(node >> 8) & 255}.${node & 255}.${(Math.floor(i / nodes) % 250) + 2}`;
  const ready = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: started });
  pod.status = {
    phase: "Running",
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(ready),
    hostIP: `172.16.${(node >> 8) & 255}.${node & 255}`,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: started,
    qosClass: "Burstable",
    containerStatuses: [{ name: "app", image: "nginx:1.27", imageID: "docker.io/library/nginx@sha256:0", containerID: `edgekube://${pod.metadata.uid}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: started } }, lastState: {} }],
  };
  return pod;
}

async function runningPods(env: Env, nodes: number, perNode: number, from: number, n: number) {
  const store = new ObjectStore(env.DB);
  const now = Date.now();
  const defaults = { defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 }, now };
  const nsInfo = findResource("", "v1", "namespaces")!;
  const podInfo = findResource("", "v1", "pods")!;
  for (let k = 0; k < RUNNING_NAMESPACES; k++) {
    const namespace = `list-${k}`;
    if (!(await store.get("namespaces", "", namespace))) {
      await store.create("namespaces", prepareForCreate(nsInfo, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, defaults));
    }
  }
  const end = Math.min(from + n, nodes * perNode);
  const t0 = Date.now();
  for (let i = from; i < end; i += SEED_CHUNK) {
    const ops: WriteOp[] = [];
    for (let j = i; j < Math.min(end, i + SEED_CHUNK); j++) {
      ops.push({ op: "create", resource: "pods", object: runningPod(j, nodes, (pod) => prepareForCreate(podInfo, pod, defaults), now) });
    }
    await store.commit(ops);
  }
  return { from, written: Math.max(0, end - from), seedMs: Date.now() - t0 };
}

export default {
  async fetch(req, env, ctx) {
    countD1Queries(env.DB);
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/__bench/")) return worker.fetch(req, env, ctx);
    if (!env.API_TOKEN || req.headers.get("authorization") !== `Bearer ${env.API_TOKEN}`) return new Response("unauthorized", { status: 401 });
    const n = Number(url.searchParams.get("n") ?? "1000");
    if (url.pathname === "/__bench/d1-sites") {
      // The sites seen so far, then on or off (a new count starts when turned on).
      const sites = Object.fromEntries([...d1Sites].sort((a, b) => b[1] - a[1]));
      d1SitesOn = url.searchParams.get("on") === "1";
      if (d1SitesOn) d1Sites.clear();
      return Response.json({ on: d1SitesOn, sites });
    }
    if (url.pathname === "/__bench/d1-queries") return Response.json(await d1QueryCount(env, (url.searchParams.get("caches") ?? "").split(",").filter(Boolean), url.searchParams.get("detail") === "1"));
    if (url.pathname === "/__bench/commits") {
      const from = Number(url.searchParams.get("from") ?? "0");
      return Response.json([...commitTimes].filter(([rv]) => rv >= from).sort((a, b) => a[0] - b[0]));
    }
    if (url.pathname === "/__bench/bare-alarms") return Response.json(await bareAlarms(env as unknown as BenchEnv, n, Number(url.searchParams.get("intervalMs") ?? "10000")));
    if (url.pathname === "/__bench/d1") return Response.json(await rawInserts(env.DB, n, url.searchParams.get("only") === "batch"));
    if (url.pathname === "/__bench/controllers") {
      const state = await (controllers(env) as unknown as DurableObjectStub<ControllerManager>).state();
      return Response.json({ queued: state.keys.length, nextDue: state.nextDue, idle: state.idle, sample: state.keys.slice(0, 20), writes: state.writes, clients: state.clients });
    }
    if (url.pathname === "/__bench/watch-cache") {
      const resource = url.searchParams.get("resource") ?? "pods";
      return Response.json(await (env.WATCH_CACHE.get(env.WATCH_CACHE.idFromName(resource)) as unknown as DurableObjectStub<ServedWatchCache>).status());
    }
    if (url.pathname === "/__bench/scheduler") return Response.json(await (scheduler(env) as unknown as DurableObjectStub<Scheduler>).status());
    if (url.pathname === "/__bench/running-pods") {
      const q = (k: string) => Number(url.searchParams.get(k) ?? "0");
      return Response.json(await runningPods(env, q("nodes"), q("perNode"), q("from"), n));
    }
    if (url.pathname === "/__bench/nodes") return Response.json(await perfNodes(env, n));
    if (url.pathname === "/__bench/backlog") return Response.json(await backlog(env, url.searchParams.get("ns") ?? "backlog", n));
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
