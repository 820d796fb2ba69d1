// The node lifecycle controller: one Durable Object per shard of node names
// (lifecycleShardOf in controlplane/stubs), so no one object holds thousands of
// nodes' heartbeat traffic. Kubelets send their renewals here; the deadlines, the
// evictions and the batched Lease writes are timers on this object's one alarm. This
// file is only the shell: RPC entry points and the alarm; the work is in monitor.ts.
import { DurableObject } from "cloudflare:workers";
import type { NodeLifecycleApi, NodeRenewal } from "../../controlplane/stubs";
import { dispatchChanges } from "../../controlplane/dispatch";
import { ObjectStore } from "../../store/store";
import { Registry } from "../../registry/registry";
import { defaultingFrom } from "../../registry/defaults";
import { readConfig } from "../../config";
import { TimerTable } from "../../util/timer-table";
import { runDueTimers, type TimerHandler } from "../../util/timer-dispatch";
import { NodeMonitor, DEADLINE, EVICT, LEASE_FLUSH } from "./monitor";

export class NodeLifecycleController extends DurableObject<Env> implements NodeLifecycleApi {
  /** The controller's clock. Tests replace it to pass grace periods without waiting. */
  private clock: () => number = () => Date.now();
  private readonly timers: TimerTable;
  private readonly monitor: NodeMonitor;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.timers = new TimerTable(ctx.storage);
    const config = readConfig(env);
    const store = new ObjectStore(env.DB, (changes) => ctx.waitUntil(dispatchChanges(env, changes)), { changeLogRetain: config.changeLogRetain });
    const registry = new Registry(store, { now: () => this.clock(), defaults: defaultingFrom(config), fieldManager: "kube-controller-manager" });
    this.monitor = new NodeMonitor({ sql: ctx.storage.sql, timers: this.timers, registry, config, now: () => this.clock() });
  }

  async renew(nodeName: string, at: number): Promise<void> {
    await this.monitor.renewed(nodeName, at);
  }

  /** Renewals the nodes of one isolate sent together: each counts as if it came alone. */
  async renewAll(renewals: NodeRenewal[]): Promise<void> {
    // One node's renewal whose D1 work failed does not fail the others' (they are recorded).
    for (const f of await this.monitor.renewedAll(renewals)) {
      console.error(`node-lifecycle: the renewal of ${f.node} failed:`, (f.error as Error)?.message ?? f.error);
    }
  }

  async forget(nodeName: string): Promise<void> {
    await this.monitor.forget(nodeName);
  }

  /** Write the stale Leases now (tests and operators; the alarm does it every NODE_LEASE_WRITE_INTERVAL). */
  async flushLeases(): Promise<number> {
    return this.monitor.flushLeases();
  }

  /** For tests: run the controller on another clock. */
  useClock(clock: () => number): void {
    this.clock = clock;
  }

  override async alarm(): Promise<void> {
    const handle: TimerHandler = (due) => this.monitor.handle(due);
    await runDueTimers(this.timers, this.clock(), new Map([DEADLINE, EVICT, LEASE_FLUSH].map((kind) => [kind, handle])));
  }
}
