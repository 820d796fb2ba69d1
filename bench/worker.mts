// Benchmark-only worker entry (bundled by the bench scripts, never deployed): the real
// worker, plus two endpoints that measure from inside workerd, against the cluster's
// own D1 database, what an HTTP client cannot see:
//
//   POST /__bench/d1?n=1000        raw D1 row inserts: n one at a time, then n in one batch
//   GET  /__bench/scheduler        the scheduler's status() (queue, counters)
//   GET  /__bench/controllers      the controller manager's work queue (count, a sample)
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
//   GET  /__bench/d1-queries?caches=leases,pods
//                                  D1 round trips made since start by the worker's isolate
//                                  and by the named resources' watch caches (added when
//                                  they run in another isolate): every statement run on
//                                  its own and every batch counts one
//
// Both need the API token. Inside workerd Date.now() advances across I/O, and
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
let d1Counting = false;
let isolate: string | undefined;
const isolateId = () => (isolate ??= crypto.randomUUID());
function countD1Queries(db: D1Database): void {
  if (d1Counting) return;
  d1Counting = true;
  const wrap = (proto: object, names: string[]) => {
    const target = proto as Record<string, (...a: unknown[]) => unknown>;
    for (const name of names) {
      const original = target[name];
      if (typeof original !== "function") continue;
      target[name] = function (this: unknown, ...args: unknown[]) {
        d1Queries++;
        return original.apply(this, args);
      };
    }
  };
  wrap(Object.getPrototypeOf(db) as object, ["batch", "exec"]);
  wrap(Object.getPrototypeOf(db.prepare("SELECT 1")) as object, ["first", "run", "all", "raw"]);
}

async function rawInserts(db: D1Database, n: number) {
  const body = "x".repeat(1024); // about the size of a small pod's JSON
  await db.exec("CREATE TABLE IF NOT EXISTS bench_raw_insert (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL)");
  const stmt = db.prepare("INSERT INTO bench_raw_insert (name, body) VALUES (?, ?)");
  let t = Date.now();
  for (let i = 0; i < n; i++) await stmt.bind(`single-${i}`, body).run();
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

  async benchD1Queries(): Promise<{ isolate: string; queries: number }> {
    return { isolate: isolateId(), queries: d1Queries };
  }
}

async function d1QueryCount(env: Env, caches: string[]) {
  let queries = d1Queries;
  const isolates = [isolateId()];
  for (const resource of caches) {
    const stub = env.WATCH_CACHE.get(env.WATCH_CACHE.idFromName(resource)) as unknown as DurableObjectStub<WatchCache>;
    const c = await stub.benchD1Queries();
    if (!isolates.includes(c.isolate)) {
      isolates.push(c.isolate);
      queries += c.queries;
    }
  }
  return { queries, isolates: isolates.length };
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

export default {
  async fetch(req, env, ctx) {
    countD1Queries(env.DB);
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/__bench/")) return worker.fetch(req, env, ctx);
    if (!env.API_TOKEN || req.headers.get("authorization") !== `Bearer ${env.API_TOKEN}`) return new Response("unauthorized", { status: 401 });
    const n = Number(url.searchParams.get("n") ?? "1000");
    if (url.pathname === "/__bench/d1-queries") return Response.json(await d1QueryCount(env, (url.searchParams.get("caches") ?? "").split(",").filter(Boolean)));
    if (url.pathname === "/__bench/bare-alarms") return Response.json(await bareAlarms(env as unknown as BenchEnv, n, Number(url.searchParams.get("intervalMs") ?? "10000")));
    if (url.pathname === "/__bench/d1") return Response.json(await rawInserts(env.DB, n));
    if (url.pathname === "/__bench/controllers") {
      const state = await (controllers(env) as unknown as DurableObjectStub<ControllerManager>).state();
      return Response.json({ queued: state.keys.length, nextDue: state.nextDue, idle: state.idle, sample: state.keys.slice(0, 20) });
    }
    if (url.pathname === "/__bench/scheduler") return Response.json(await (scheduler(env) as unknown as DurableObjectStub<Scheduler>).status());
    if (url.pathname === "/__bench/nodes") return Response.json(await perfNodes(env, n));
    if (url.pathname === "/__bench/backlog") return Response.json(await backlog(env, url.searchParams.get("ns") ?? "backlog", n));
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
