// The kube-controller-manager: one Durable Object hosting the cluster's controllers.
// Pokes name the objects that changed; they become keys in a persistent work queue
// (deduplicated, one run per key at a time, back-off on errors) drained by a few
// concurrent workers. The DO's single alarm is set to the earliest of the next due
// key and the next periodic resync, which re-lists deployments, ReplicaSets and
// namespaces so a lost poke is corrected within RESYNC_MS. Every handler re-reads
// state, so an alarm that fires twice or late does no harm.
import { DurableObject } from "cloudflare:workers";
import type { ControllerKey, ControllerManagerApi } from "../controlplane/stubs";
import { dispatchChanges } from "../controlplane/dispatch";
import { ObjectStore, type Change } from "../store/store";
import { readConfig } from "../config";
import { ApiError } from "../model/errors";
import { WorkQueue, type QueueStorage } from "./workqueue";
import type { ControllerContext } from "./context";
import { GC_KEY, keysForChange, keysForPoke, parseKey, workKey, type WorkKey } from "./keys";
import { ReplicaSetController } from "./replicaset-controller";
import { DeploymentController } from "./deployment-controller";
import { reconcileNamespace } from "./namespace-controller";
import { sweep } from "./garbage-collector";
import { PodGC } from "./pod-gc";
import { resolvePodOwner, resolveReplicaSetOwner } from "./owner-lookup";
import { ServiceAllocator, type AllocationStore } from "./service-allocator";
import type { AllocationRequest, AllocationResult, Owner } from "../controlplane/service-allocation";
import { ServiceController } from "./service-controller";
import { serviceAddresses } from "../controlplane/service-addresses";
import { Registry } from "../registry/registry";
import { defaultingFrom } from "../registry/defaults";

/** Periodic resync of everything, covering lost pokes. */
export const RESYNC_MS = 30_000;
/** Keys reconciled at once (each waits on D1 most of the time). */
const WORKERS = 8;
/** Conflicts are normal under concurrency: retry at once this many times before backing off. */
const QUICK_RETRIES = 5;
/** GC sweeps at most this often, however many deletions ask for one. */
const GC_MIN_INTERVAL_MS = 500;

export interface QueueState {
  keys: string[];
  nextDue?: number;
  idle: boolean;
}

export class ControllerManager extends DurableObject<Env> implements ControllerManagerApi {
  private readonly queue: WorkQueue;
  private readonly context: ControllerContext;
  private readonly replicaSets: ReplicaSetController;
  private readonly deployments: DeploymentController;
  private readonly podGC: PodGC;
  private readonly services: ServiceController;
  private readonly quickRetries = new Map<WorkKey, number>();
  private draining?: Promise<void>;
  private lastGc = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.queue = new WorkQueue(ctx.storage.kv as unknown as QueueStorage);
    // Our own writes wake the scheduler and kubelets, and queue the objects they
    // touch here directly (no RPC to ourselves).
    const store = new ObjectStore(env.DB, (changes) => {
      this.onCommitted(changes);
      ctx.waitUntil(dispatchChanges(env, changes, { origin: "controllers" }));
    });
    const config = readConfig(env);
    const now = () => Date.now();
    // The allocator is this object's own storage: Services written here reach it directly.
    const serviceAddressHooks = serviceAddresses({ allocate: (req) => this.allocateService(req), release: (owner) => this.releaseService(owner) });
    this.context = {
      store,
      registry: new Registry(store, { now, defaults: defaultingFrom(config), hooks: { serviceAddresses: serviceAddressHooks } }),
      now,
      config,
      enqueue: (key, delayMs) => this.enqueue(key, delayMs),
      terminating: new Set(),
    };
    this.replicaSets = new ReplicaSetController(this.context);
    this.deployments = new DeploymentController(this.context);
    this.podGC = new PodGC(this.context);
    this.services = new ServiceController(this.context, () => this.allocator());
    // Waking up (first use, or after an eviction): make sure the alarm, and with it the
    // resync and any queued work, is armed.
    void ctx.blockConcurrencyWhile(async () => {
      if ((await ctx.storage.getAlarm()) === null) await this.scheduleAlarm();
    });
  }

  async poke(keys: ControllerKey[]): Promise<void> {
    for (const k of keys) for (const wk of keysForPoke(k, this.context.terminating)) this.enqueue(wk);
    this.ctx.waitUntil(this.kick());
  }

  override async alarm(): Promise<void> {
    if (Date.now() >= this.resyncAt()) await this.resync();
    await this.kick();
  }

  /** Drain whatever is due now (tests and operators); resolves when nothing due is left. */
  async flush(): Promise<QueueState> {
    await this.kick();
    return this.state();
  }

  async state(): Promise<QueueState> {
    return { keys: this.queue.keys(), nextDue: this.queue.nextDue(), idle: this.queue.isIdle() && !this.draining };
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
    return this.allocator().allocate(req, Date.now());
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
    // Pod changes in a namespace without Services: nothing for the service controller.
    if (key.startsWith("svcs:") && !this.services.mayHaveServices(parseKey(key).namespace)) return;
    let due = Date.now() + Math.max(0, delayMs);
    if (key === GC_KEY) due = Math.max(due, this.lastGc + GC_MIN_INTERVAL_MS);
    this.queue.add(key, due);
  }

  private onCommitted(changes: Change[]): void {
    for (const ch of changes) {
      for (const k of keysForChange(ch, this.context.terminating)) this.enqueue(k);
    }
    // Workers pick these up before they stop; a kick covers writes made outside a drain.
    if (!this.draining) this.ctx.waitUntil(this.kick());
  }

  private kick(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      // Something became due while the last worker was stopping: go again.
      const next = this.queue.nextDue();
      if (next !== undefined && next <= Date.now()) this.ctx.waitUntil(this.kick());
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    const worker = async () => {
      for (;;) {
        const [key] = this.queue.take(Date.now(), 1);
        if (key === undefined) return;
        await this.process(key);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await this.scheduleAlarm();
  }

  private async process(key: WorkKey): Promise<void> {
    try {
      await this.reconcile(key);
      this.quickRetries.delete(key);
      this.queue.done(key);
    } catch (e) {
      const tries = this.quickRetries.get(key) ?? 0;
      // A conflict or a vanished object means someone else moved first: re-read and retry.
      if (e instanceof ApiError && [409, 404].includes(e.code) && tries < QUICK_RETRIES) {
        this.quickRetries.set(key, tries + 1);
        this.queue.done(key);
        this.queue.add(key, Date.now());
        return;
      }
      this.quickRetries.delete(key);
      const delay = this.queue.failed(key, Date.now());
      console.error(`controller ${key} failed (retry in ${delay} ms):`, (e as Error)?.message ?? e);
    }
  }

  private async reconcile(key: WorkKey): Promise<void> {
    const { kind, namespace, name } = parseKey(key);
    switch (kind) {
      case "rs":
        return this.replicaSets.reconcile(namespace, name);
      case "deploy":
        return this.deployments.reconcile(namespace, name);
      case "ns":
        return reconcileNamespace(this.context, name);
      case "gc":
        this.lastGc = Date.now();
        await sweep(this.context);
        return;
      case "node":
        return this.podGC.reconcileNode(name);
      case "podowner":
        for (const rs of await resolvePodOwner(this.context, namespace, name)) this.replicaSets.wantOrphanScan(namespace, rs);
        return;
      case "rsowner":
        return resolveReplicaSetOwner(this.context, namespace, name);
      case "svc":
        return this.services.reconcile(namespace, name);
      case "svcs":
        for (const svc of await this.services.servicesOf(namespace)) this.enqueue(workKey("svc", namespace, svc));
        return;
    }
  }

  // ---- resync and the alarm ----

  private resyncAt(): number {
    let at = this.ctx.storage.kv.get<number>("resync-at");
    if (at === undefined) {
      at = Date.now() + RESYNC_MS;
      this.ctx.storage.kv.put("resync-at", at);
    }
    return at;
  }

  private async resync(): Promise<void> {
    this.ctx.storage.kv.put("resync-at", Date.now() + RESYNC_MS);
    const { store } = this.context;
    for (const d of (await store.list("deployments.apps")).items) this.enqueue(workKey("deploy", d.metadata.namespace ?? "", d.metadata.name ?? ""));
    for (const rs of (await store.list("replicasets.apps")).items) this.enqueue(workKey("rs", rs.metadata.namespace ?? "", rs.metadata.name ?? ""));
    for (const ns of (await store.list("namespaces")).items) {
      if (ns.metadata.deletionTimestamp) this.enqueue(workKey("ns", "", ns.metadata.name ?? ""));
      else this.context.terminating.delete(ns.metadata.name ?? "");
    }
    for (const node of await this.podGC.nodesOfPodsWithoutNode()) this.enqueue(workKey("node", "", node));
    this.services.forget();
    for (const svc of (await store.list("services")).items) this.enqueue(workKey("svc", svc.metadata.namespace ?? "", svc.metadata.name ?? ""));
    // Addresses held for Services that never made it to the store (or are gone).
    for (const owner of this.allocator().owners()) this.enqueue(workKey("svc", owner.namespace, owner.name));
    this.enqueue(GC_KEY);
  }

  private async scheduleAlarm(): Promise<void> {
    const next = Math.min(this.queue.nextDue() ?? Infinity, this.resyncAt());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current !== next) await this.ctx.storage.setAlarm(next);
  }
}
