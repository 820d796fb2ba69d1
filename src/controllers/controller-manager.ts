// The kube-controller-manager: one Durable Object hosting the cluster's controllers,
// a table of rows (table.ts) each naming the keys a change maps to and reconciling one
// key at a time. Pokes and this process's own commits become keys in a persistent
// work queue (deduplicated, one run per key at a time, back-off on errors) drained by
// a few concurrent workers. The DO's single alarm is set to the earliest of the next
// due key and the next periodic resync, which asks every controller for its keys so a
// lost poke is corrected within RESYNC_MS. Every reconcile re-reads state, so an alarm
// that fires twice or late does no harm.
import { DurableObject } from "cloudflare:workers";
import { volumeStore, type ControllerKey, type ControllerManagerApi } from "../controlplane/stubs";
import { controllerKeyOf, dispatchChanges } from "../controlplane/dispatch";
import { ObjectStore, type Change } from "../store/store";
import { readConfig } from "../config";
import { ApiError } from "../model/errors";
import { SingleFlight } from "../util/single-flight";
import { ClientRateLimiter, type ClientRateLimiterStats, type RateLimit } from "../util/client-rate-limiter";
import { WorkQueue, type QueueStorage } from "./workqueue";
import type { ControllerContext } from "./context";
import type { Controller } from "./controller";
import { keysFor, parseKey, workKey, type WorkKey } from "./keys";
import { controllerTable } from "./table";
import { ServiceAllocator, type AllocationStore } from "./service-allocator";
import type { AllocationRequest, AllocationResult, Owner } from "../controlplane/service-allocation";
import { serviceAddresses } from "../controlplane/service-addresses";
import { Registry } from "../registry/registry";
import { defaultingFrom } from "../registry/defaults";
import { podUsage } from "../controlplane/metrics";
import { clusterCA } from "../controlplane/cluster-ca";

/** Periodic resync of everything, covering lost pokes. */
const RESYNC_MS = 30_000;
/** Keys reconciled at once (each waits on D1 most of the time). */
const WORKERS = 8;
/** Conflicts are normal under concurrency: retry at once this many times before backing off. */
const QUICK_RETRIES = 5;

export interface QueueState {
  keys: string[];
  nextDue?: number;
  idle: boolean;
  /** The writes' client-side rate limit so far (--kube-api-qps/--kube-api-burst), all clients. */
  writes: ClientRateLimiterStats;
  /** The same, by client (upstream's client names: replicaset-controller, namespace-controller...). */
  clients: Record<string, ClientRateLimiterStats>;
}

export class ControllerManager extends DurableObject<Env> implements ControllerManagerApi {
  private readonly queue: WorkQueue;
  private readonly context: ControllerContext;
  /** In table order; `byName` finds a key's controller. */
  private readonly controllers: Controller[];
  private readonly byName: Map<string, Controller>;
  private readonly quickRetries = new Map<WorkKey, number>();
  /** Each controller's client's writes wait their turn in its own bucket, by client name. */
  private readonly limiters = new Map<string, ClientRateLimiter>();
  /** Every client's QPS and burst (--kube-api-qps/--kube-api-burst). */
  private limit: RateLimit;
  /** When each rate-limited key last started (controllers with minIntervalMs). */
  private readonly lastRun = new Map<WorkKey, number>();
  /** One drain at a time; a poke during one gets one more, so nothing due is left behind. */
  private readonly drains = new SingleFlight(() => this.drain());
  /** The manager's clock (due times, back-off, requeues, the resync). Tests replace it to step time. */
  private clock: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.queue = new WorkQueue(ctx.storage.kv as unknown as QueueStorage);
    // Our own writes wake the scheduler and kubelets, and queue the objects they
    // touch here directly (no RPC to ourselves).
    const config = readConfig(env);
    const store = new ObjectStore(
      env.DB,
      (changes) => {
        this.onCommitted(changes);
        ctx.waitUntil(dispatchChanges(env, changes, { origin: "controllers" }));
      },
      { changeLogRetain: config.changeLogRetain },
    );
    const now = () => this.clock();
    this.limit = config.controllerKubeApi;
    // The allocator is this object's own storage: Services written here reach it directly.
    const serviceAddressHooks = serviceAddresses({ allocate: (req) => this.allocateService(req), release: (owner) => this.releaseService(owner) });
    this.context = {
      store,
      registry: new Registry(store, { now, defaults: defaultingFrom(config), hooks: { serviceAddresses: serviceAddressHooks }, fieldManager: "kube-controller-manager" }),
      now,
      config,
      enqueue: (key, delayMs) => this.enqueue(key, delayMs),
      terminating: new Set(),
      volumes: (pv) => volumeStore(env, pv),
      podUsage: (pods) => podUsage(env, pods),
      clusterCA: () => clusterCA(env.DB, now),
    };
    this.controllers = controllerTable((name) => this.client(name), () => this.allocator());
    this.byName = new Map(this.controllers.map((c) => [c.name, c]));
    // Waking up (first use, or after an eviction): make sure the alarm, and with it the
    // resync and any queued work, is armed.
    void ctx.blockConcurrencyWhile(async () => {
      if ((await ctx.storage.getAlarm()) === null) await this.scheduleAlarm();
    });
  }

  /** For tests: run the controllers on another clock. */
  useClock(clock: () => number): void {
    this.clock = clock;
  }

  /** For tests: pace the writes at another QPS and burst (the suite runs without a limit). */
  useRateLimit(qps: number, burst: number): void {
    this.limit = { qps, burst };
    this.limiters.clear();
  }

  /** The context a controller works in: the shared one, writing as client `name`. */
  private client(name: string): ControllerContext {
    const limiter = () => this.limiterOf(name);
    return { ...this.context, registry: this.context.registry.withLimiter({ wait: (n) => limiter().wait(n) }), writeBurst: () => limiter().burst };
  }

  private limiterOf(name: string): ClientRateLimiter {
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = new ClientRateLimiter(this.limit)));
    return limiter;
  }

  async poke(keys: ControllerKey[]): Promise<void> {
    for (const k of keys) for (const wk of keysFor(this.controllers, k)) this.enqueue(wk);
    this.ctx.waitUntil(this.drains.run());
  }

  override async alarm(): Promise<void> {
    if (this.clock() >= this.resyncAt()) await this.resync();
    await this.drains.run();
  }

  /** Drain whatever is due now (tests and operators); resolves when nothing due is left. */
  async flush(): Promise<QueueState> {
    await this.drains.run();
    return this.state();
  }

  async state(): Promise<QueueState> {
    const writes: ClientRateLimiterStats = { requests: 0, throttled: 0, waitedMs: 0 };
    const clients: Record<string, ClientRateLimiterStats> = {};
    for (const [name, { stats }] of this.limiters) {
      clients[name] = { ...stats };
      writes.requests += stats.requests;
      writes.throttled += stats.throttled;
      writes.waitedMs += stats.waitedMs;
    }
    return { keys: this.queue.keys(), nextDue: this.queue.nextDue(), idle: this.queue.isIdle() && !this.drains.running, writes, clients };
  }

  /** Run a resync now (tests; the alarm does this every RESYNC_MS). */
  async resyncNow(): Promise<QueueState> {
    await this.resync();
    return this.flush();
  }

  /**
   * node-ipam: hands each node a distinct pod CIDR index. The Durable Object is
   * single-threaded, so two joining nodes can never get the same range.
   */
  async allocatePodCIDR(nodeName: string): Promise<number> {
    const key = `cidr:${nodeName}`;
    const existing = await this.ctx.storage.get<number>(key);
    if (existing !== undefined) return existing;
    const next = ((await this.ctx.storage.get<number>("cidr-next")) ?? 1);
    await this.ctx.storage.put({ [key]: next, "cidr-next": next + 1 });
    return next;
  }

  /** The registry's allocation step for a Service being created or updated (see service-allocator). */
  async allocateService(req: AllocationRequest): Promise<AllocationResult> {
    return this.allocator().allocate(req, this.clock());
  }

  /** The registry's delete step: a deleted Service's addresses are free again at once. */
  async releaseService(owner: Owner): Promise<number> {
    return this.allocator().releaseOwner(owner);
  }

  private allocator(): ServiceAllocator {
    return new ServiceAllocator(this.ctx.storage.kv as unknown as AllocationStore);
  }

  // ---- queue plumbing ----

  private enqueue(key: WorkKey, delayMs = 0): void {
    let due = this.clock() + Math.max(0, delayMs);
    const interval = this.byName.get(parseKey(key).kind)?.minIntervalMs;
    if (interval) due = Math.max(due, (this.lastRun.get(key) ?? 0) + interval);
    this.queue.add(key, due);
  }

  private onCommitted(changes: Change[]): void {
    for (const ch of changes) {
      for (const k of keysFor(this.controllers, controllerKeyOf(ch))) this.enqueue(k);
    }
    // Mid-drain this asks for one more drain after it, which finds what the workers left.
    this.ctx.waitUntil(this.drains.run());
  }

  private async drain(): Promise<void> {
    const worker = async () => {
      for (;;) {
        const [key] = this.queue.take(this.clock(), 1);
        if (key === undefined) return;
        await this.process(key);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await this.scheduleAlarm();
  }

  private async process(key: WorkKey): Promise<void> {
    const { kind, namespace, name } = parseKey(key);
    const controller = this.byName.get(kind);
    if (!controller) {
      // Left in storage by a build that had this controller: nothing runs it now.
      this.queue.done(key);
      return;
    }
    try {
      if (controller.minIntervalMs) this.lastRun.set(key, this.clock());
      const result = await controller.reconcile({ namespace, name });
      this.quickRetries.delete(key);
      this.queue.done(key);
      if (result?.requeueAfterMs !== undefined) this.enqueue(key, result.requeueAfterMs);
    } catch (e) {
      const tries = this.quickRetries.get(key) ?? 0;
      // A conflict or a vanished object means someone else moved first: re-read and retry.
      if (e instanceof ApiError && [409, 404].includes(e.code) && tries < QUICK_RETRIES) {
        this.quickRetries.set(key, tries + 1);
        this.queue.done(key);
        this.queue.add(key, this.clock());
        return;
      }
      this.quickRetries.delete(key);
      const delay = this.queue.failed(key, this.clock());
      console.error(`controller ${key} failed (retry in ${delay} ms):`, (e as Error)?.message ?? e);
    }
  }

  // ---- resync and the alarm ----

  private resyncAt(): number {
    let at = this.ctx.storage.kv.get<number>("resync-at");
    if (at === undefined) {
      at = this.clock() + RESYNC_MS;
      this.ctx.storage.kv.put("resync-at", at);
    }
    return at;
  }

  private async resync(): Promise<void> {
    this.ctx.storage.kv.put("resync-at", this.clock() + RESYNC_MS);
    for (const c of this.controllers) {
      for (const k of (await c.resyncKeys?.()) ?? []) this.enqueue(workKey(c.name, k.namespace, k.name));
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const next = Math.min(this.queue.nextDue() ?? Infinity, this.resyncAt());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current !== next) await this.ctx.storage.setAlarm(next);
  }
}
