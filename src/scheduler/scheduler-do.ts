// The scheduler Durable Object (kube-scheduler): woken when a pod needs a node or
// the cluster changed. One instance ("default-scheduler"), so its in-memory view
// and queue are the only scheduler state; the store remains the truth and a fresh
// instance rebuilds everything from one list.
//
// Concurrency: a DO's input gate does not hold across D1 awaits, so a poke can
// arrive mid-cycle. Only one run is ever in flight (SingleFlight); a poke during a
// run waits for one more, unless the running drain takes it in between batches.
//
// Timing: one alarm, set to the earliest of the queue's next wake-up (a back-off
// ending, a parked pod's 5-minute retry) and a periodic resync (RESYNC_MS) that
// covers a lost poke. Alarms may fire late or twice; a run is level-triggered
// (it re-reads the store), so an extra one is harmless.
import { DurableObject } from "cloudflare:workers";
import type { SchedulerApi } from "../controlplane/stubs";
import { nodeAgent } from "../controlplane/stubs";
import { dispatchChanges } from "../controlplane/dispatch";
import { ObjectStore } from "../store/store";
import { Registry } from "../registry/registry";
import { defaultingFrom } from "../registry/defaults";
import { readConfig } from "../config";
import type { Pod } from "../model/types";
import { SchedulerLoop, type ExplainResult, type LoopStats } from "./loop";
import type { QueueLocation } from "./queue";
import { SingleFlight } from "../util/single-flight";
import { ClientRateLimiter } from "../util/client-rate-limiter";

const RESYNC_MS = 30_000;

/**
 * `explain(namespace, name)`: why the scheduler placed a pod where it did, or why
 * it cannot place it (kube-scheduler-simulator's view). null when the pod does not
 * exist. Shape (JSON):
 *   {
 *     pod: "default/web", uid, nodeName: "node-2" | null,
 *     queue: "active" | "backoff" | "unschedulable" | "inFlight" | null,
 *     source: "last-decision"   // the decision that placed/rejected it (kept for the last 128 pods)
 *           | "dry-run",        // computed now over every node, with every filter plugin's verdict;
 *                               // for a bound pod: "where would it go now" with its own room freed
 *     decidedAt?: ISO time of the recorded decision,
 *     explanation: {            // src/scheduler/explain.ts Explanation
 *       pod, selectedNode, code, message?, numAllNodes, numNodesToFind, evaluated, feasible,
 *       scoring: "scored" | "single-feasible-node" | "none-feasible" | "error",
 *       skippedScorePlugins: string[],
 *       nodes: [{ name, evaluated, feasible, selected,
 *                 filter: { code, reasons, decidedBy?, plugins?: [{ plugin, code, reasons }] },
 *                 score?: { plugins: [{ plugin, raw, normalized, weight, weighted }], final } }],
 *       preemption?: {          // no node fit: DefaultPreemption's verdict
 *         nominatedNode: "node-2" | null, victims: ["default/low-1"],
 *         message?: "preemption: ...",   // why it could not help, or may not be tried
 *         nodes: [{ node, victims?: [...], reasons?: [...] }] }
 *     }
 *   }
 * Not written into a pod annotation: that would cost a D1 write per pod per decision.
 */
interface PodExplanation extends ExplainResult {
  pod: string;
  uid?: string;
  nodeName: string | null;
  queue: QueueLocation | null;
}

interface SchedulerStatus {
  /** When this instance was constructed: a Durable Object loses its memory when evicted or reset. */
  startedAt: string;
  synced: boolean;
  nodes: number;
  queue: Record<QueueLocation, number>;
  stats: LoopStats;
}

export class Scheduler extends DurableObject<Env> implements SchedulerApi {
  private readonly store: ObjectStore;
  private readonly loop: SchedulerLoop;
  private readonly runs = new SingleFlight(() => this.run());
  /** explain() needs the whole view even when no pod is pending. */
  private needView = false;
  /** The alarm as last set by this instance (undefined: unknown or fired). */
  private alarmAt: number | undefined;
  private readonly startedAt = new Date().toISOString();
  /** The scheduler's clock (back-off, the parked pods' retry, the alarm). Tests replace it to step time. */
  private clock: () => number = () => Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Our own writes do not poke us (origin), they wake the nodes the pods were bound to.
    this.store = new ObjectStore(env.DB, (changes) => ctx.waitUntil(dispatchChanges(env, changes, { origin: "scheduler" })), { changeLogRetain: readConfig(env).changeLogRetain });
    this.loop = new SchedulerLoop({
      store: this.store,
      // Binds and status writes paced as the scheduler's client is (clientConnection qps/burst).
      registry: new Registry(this.store, { now: () => this.clock(), defaults: defaultingFrom(readConfig(env)), fieldManager: "kube-scheduler", limiter: new ClientRateLimiter(readConfig(env).schedulerKubeApi) }),
      admit: (node, pods) => nodeAgent(env, node).admitMany(pods),
      now: () => this.clock(),
      random: Math.random,
    });
  }

  /** For tests: run the scheduler on another clock. */
  useClock(clock: () => number): void {
    this.clock = clock;
  }

  /** A pod needs a node, or the cluster changed: resolves once a run has seen this poke. */
  async poke(): Promise<void> {
    await this.kick();
  }

  override async alarm(): Promise<void> {
    this.alarmAt = undefined;
    try {
      await this.kick();
    } catch (e) {
      // Logged, not rethrown: the run's finally already set the next alarm.
      console.error("scheduler: resync failed:", e);
    }
  }

  async explain(namespace: string, name: string, mode: "auto" | "dry-run" = "auto"): Promise<PodExplanation | null> {
    this.needView = true;
    await this.kick();
    const pod = (await this.store.get("pods", namespace, name)) as Pod | null;
    if (!pod) return null;
    return {
      pod: `${namespace}/${name}`,
      uid: pod.metadata.uid,
      nodeName: pod.spec.nodeName || null,
      queue: this.loop.state.queue.where(`${namespace}/${name}`) ?? null,
      ...this.loop.explain(pod, mode),
    };
  }

  /** Queue sizes and counters, for tests, the benchmark and debugging. */
  async status(): Promise<SchedulerStatus> {
    return {
      startedAt: this.startedAt,
      synced: this.loop.synced,
      nodes: this.loop.state.view.nodeCount,
      queue: this.loop.state.queue.stats(),
      stats: { ...this.loop.stats },
    };
  }

  private kick(): Promise<void> {
    return this.runs.run();
  }

  private async run(): Promise<void> {
    try {
      await this.loop.refresh(this.needView);
      if (this.loop.synced) this.needView = false;
      await this.loop.drain(async () => {
        // Poked mid-drain: new pods or a changed cluster; take them into this drain.
        if (this.runs.absorb()) await this.loop.refresh();
      });
    } finally {
      await this.armAlarm();
    }
  }

  private async armAlarm(): Promise<void> {
    const now = this.clock();
    const desired = Math.min(this.loop.nextWakeAt() ?? Infinity, now + RESYNC_MS);
    // An alarm already due no later than needed will do: fewer storage writes.
    if (this.alarmAt !== undefined && this.alarmAt > now && this.alarmAt <= desired) return;
    await this.ctx.storage.setAlarm(desired);
    this.alarmAt = desired;
  }
}
