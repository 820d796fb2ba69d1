// The scheduling loop the Scheduler DO runs, with its I/O passed in (store, the
// kubelets' admission, clock): refresh the view from the store, then schedule the
// active queue in batches. A batch is decided in memory first (each decision
// assumed at once, so the next one sees it), then completed chunk by chunk (about
// CHUNK_PODS pods, never splitting a node's pods): admitted by the chosen nodes'
// kubelets in parallel (one call per node, for all its pods in the batch), then
// written to D1 in one commit: binds, Scheduled events, PodScheduled=False conditions
// and FailedScheduling events together. A commit of a few hundred pods costs tens of
// milliseconds where one write per pod would cost a millisecond each.

import type { AdmitResult } from "../controlplane/node-api";
import type { KubeObject, Node, PersistentVolumeClaim, Pod } from "../model/types";
import type { PodDisruptionBudget } from "../model/policy-types";
import { PDB_RESOURCE } from "../model/disruption-budget";
import { ApiError } from "../model/errors";
import type { ObjectStore } from "../store/store";
import type { Registry } from "../registry/registry";
import type { WriteOp } from "../registry/ops";
import { Code } from "./framework";
import { DecisionLog } from "./decisions";
import { explainSchedule, type Explanation } from "./explain";
import { listCluster, readChanges } from "./informer";
import type { QueuedPodInfo } from "./queue";
import { schedulePod, type ScheduleResult } from "./schedule-one";
import { SchedulerState } from "./state";
import { bindOps, failedOps, victimOps } from "./writes";
import type { Candidate } from "./preemption";
import { commitGroups } from "../store/commit-groups";
import { podKey } from "./node-info";
import { groupByNode, nodeChunks, verdictsFor } from "./admission-batch";

/**
 * Pods decided per batch: bounds the time between refreshes. A batch is PODS_PER_NODE
 * times the node count, at most BATCH_MAX, so each node it lands on gets several of its
 * pods and is asked once (admission) and woken once (its binds share a commit) for all
 * of them: the calls to distinct nodes, two per pod in batches of 250, were most of a
 * bind's cost (at 1,000 kubelet-less nodes, 459 pods/s in batches of 250 against 682
 * with 2.5 pods a node, alternating; 5 pods a node against 2.5, 827 pods/s against 734,
 * medians of 9 runs). At 5,000 nodes the cap leaves two pods a node, and each node's
 * object is woken once instead of twice, cold each time (local workerd evicts an object
 * idle for 10 s): 634-738 pods/s against 553-621 for batches of 250 in the runs after a
 * cluster's first, alternating. (Under wrangler dev's local explorer, which made every
 * cold wake write to storage, large batches had measured slower there.) A batch is
 * decided in one go, CPU only (about 150 microseconds a pod at 1,000 nodes and 200 at
 * 5,000, `npm run bench -- decide`): where components share a thread (locally) that
 * holds it for up to 2 s at 5,000 nodes.
 * Yielding on a timer between parts of a batch stalled the scheduler in a test (a
 * daemon pod created later was never scheduled), so the run awaits only its I/O.
 */
const BATCH_MIN = 250;
const BATCH_MAX = 10_000;
const PODS_PER_NODE = 5;

function batchSize(nodes: number): number {
  return Math.min(BATCH_MAX, Math.max(BATCH_MIN, Math.ceil(nodes * PODS_PER_NODE)));
}

/** Pods admitted and committed at a time (a node's pods in a batch are never split). */
const CHUNK_PODS = 250;
/** Store operations per D1 commit (a bind is 2: the pod and its event; each op is 2 statements). */
const MAX_OPS_PER_COMMIT = 500;
/** Admission RPCs (one per node in the batch) in flight at once. */
const ADMIT_CONCURRENCY = 64;
/** A full relist now and then, as insurance against drift (the change log is otherwise exact). */
const RELIST_MS = 10 * 60_000;

interface LoopDeps {
  store: ObjectStore;
  /** Binds and status writes go through it, validated as any client's writes are. */
  registry: Registry;
  /**
   * The chosen node's kubelet, the final authority on its resources: one call per
   * node per batch, its pods in decision order, one verdict per pod.
   */
  admit(node: string, pods: Pod[]): Promise<AdmitResult[]>;
  now(): number;
  random(): number;
}

type Attempt =
  | { kind: "bind"; info: QueuedPodInfo; node: string }
  | { kind: "unschedulable"; info: QueuedPodInfo; result: ScheduleResult }
  /** No node fits, but evicting `candidate.victims` from `candidate.node` would make room: nominate and preempt. */
  | { kind: "preempt"; info: QueuedPodInfo; result: ScheduleResult; candidate: Candidate; victims?: Pod[] }
  /** A scheduler error, or the kubelet refused: back-off. */
  | { kind: "failed"; info: QueuedPodInfo; message: string };

interface Write {
  attempt: Attempt;
  ops: WriteOp[];
  stored?: KubeObject[];
  error?: unknown;
}

export interface LoopStats {
  cycles: number;
  bound: number;
  unschedulable: number;
  /** Preemptions written (a nomination and its victims' deletions). */
  preemptions: number;
  failed: number;
  relists: number;
  /**
   * Wall time spent awaiting each phase (ms). Inside workerd the clock only moves
   * across I/O, so CPU-only work (deciding) shows up in none of these.
   */
  refreshMs: number;
  admitMs: number;
  commitMs: number;
}

export class SchedulerLoop {
  readonly state: SchedulerState;
  readonly decisions = new DecisionLog();
  readonly stats: LoopStats = { cycles: 0, bound: 0, unschedulable: 0, preemptions: 0, failed: 0, relists: 0, refreshMs: 0, admitMs: 0, commitMs: 0 };
  /** Last change-log revision applied; undefined until the first list. */
  private cursor: number | undefined;
  private listedAt = 0;
  private startIndex = 0;

  constructor(private readonly deps: LoopDeps) {
    this.state = new SchedulerState({ now: deps.now });
  }

  get synced(): boolean {
    return this.cursor !== undefined;
  }

  /**
   * Bring the view and the queue up to date with the store. A fresh instance
   * (first start, or evicted while idle) lists the whole cluster only when some
   * pod waits for a node, or when `needView` (explain) asks for it: an idle
   * cluster's resync alarms and node pokes then cost one indexed query.
   */
  async refresh(needView = false): Promise<void> {
    const t = this.deps.now();
    try {
      await this.refreshOnce(needView);
    } finally {
      this.stats.refreshMs += this.deps.now() - t;
    }
  }

  private async refreshOnce(needView: boolean): Promise<void> {
    if (this.cursor === undefined) {
      if (!needView && (await this.deps.store.list("pods", { nodeName: "", limit: 1 })).items.length === 0) return;
      return this.relist();
    }
    if (this.deps.now() - this.listedAt >= RELIST_MS) return this.relist();
    const changes = await readChanges(this.deps.store, this.cursor);
    if (changes === "expired") return this.relist();
    for (const c of changes) {
      if (c.resource === "pods") this.state.applyPod(c.object as Pod, c.deleted);
      else if (c.resource === "persistentvolumeclaims") this.state.applyClaim(c.object as PersistentVolumeClaim, c.deleted);
      else if (c.resource === PDB_RESOURCE) this.state.applyBudget(c.object as PodDisruptionBudget, c.deleted);
      else this.state.applyNode(c.object as Node, c.deleted);
      this.cursor = c.rv;
    }
  }

  private async relist(): Promise<void> {
    const listed = await listCluster(this.deps.store);
    this.state.replaceAll(listed.nodes, listed.pods, listed.claims, listed.budgets);
    this.cursor = listed.rv;
    this.listedAt = this.deps.now();
    this.stats.relists++;
  }

  /**
   * Schedule until the active queue is empty; `between` runs after each batch
   * (the DO refreshes there when it was poked meanwhile).
   */
  async drain(between: () => Promise<void>): Promise<void> {
    for (;;) {
      const batch = this.decide(batchSize(this.state.view.nodeCount));
      if (batch.length === 0) return;
      await this.complete(batch);
      await between();
    }
  }

  /** Pop and decide up to `limit` pods; pure CPU, no awaits, so the view cannot change meanwhile. */
  decide(limit = BATCH_MIN): Attempt[] {
    const out: Attempt[] = [];
    const { queue, view } = this.state;
    while (out.length < limit) {
      const info = queue.pop();
      if (!info) break;
      this.stats.cycles++;
      let result: ScheduleResult;
      try {
        result = schedulePod(info.pod, view.snapshot, {
          random: this.deps.random,
          startIndex: this.startIndex,
          claims: this.state.claims,
          nominatedPods: (node) => this.state.nominatedPods(node),
          pdbs: this.state.pdbs(),
          imageNodes: view.imageNodes,
        });
      } catch (e) {
        // schedulePod turns plugin failures into statuses; this guards the pod from being stranded in flight.
        out.push({ kind: "failed", info, message: `scheduling failed: ${(e as Error)?.message ?? String(e)}` });
        continue;
      }
      this.startIndex = result.nextStartIndex;
      this.decisions.record(info.key, { uid: info.pod.metadata.uid ?? "", at: this.deps.now(), result, nodes: view.names() });
      if (result.node) {
        this.state.assume(info.pod, result.node);
        out.push({ kind: "bind", info, node: result.node });
      } else if (result.preemption?.candidate) {
        // Nominated at once, so the rest of this batch leaves the room to be freed to it.
        this.state.nominate(info.pod, result.preemption.candidate.node);
        out.push({ kind: "preempt", info, result, candidate: result.preemption.candidate });
      } else if (result.status.code === Code.Error) {
        out.push({ kind: "failed", info, message: result.message ?? result.status.reasons.join(", ") });
      } else {
        out.push({ kind: "unschedulable", info, result });
      }
    }
    return out;
  }

  /**
   * Admission, the commit, then each pod's outcome into the queue; chunk by chunk, so
   * a node is woken by its commit soon after it was asked (an object left idle is
   * evicted after some seconds, and waking one again costs several times a call).
   */
  async complete(batch: Attempt[]): Promise<void> {
    for (const chunk of nodeChunks(batch, bindNode, CHUNK_PODS)) await this.completeChunk(chunk);
  }

  private async completeChunk(batch: Attempt[]): Promise<void> {
    const t = this.deps.now();
    const attempts = await this.admitAll(batch);
    await this.readVictims(attempts);
    // Read after the admission round trips: the condition and event times are the bind's.
    const now = this.deps.now();
    this.stats.admitMs += now - t;
    const writes: Write[] = attempts.map((a) => ({ attempt: a, ops: this.opsFor(a, now) }));
    await this.commit(writes);
    this.stats.commitMs += this.deps.now() - now;
    let freed = false;
    for (const w of writes) freed = this.settle(w) || freed;
    // Upstream does the same after a failed bind: the forgotten assumption freed room.
    if (freed) this.state.event("AssignedPodDelete");
  }

  /**
   * Ask each chosen kubelet once for all of its pods in the batch; a refusal (or an
   * unreachable node) turns that pod's bind into a failure, and only that pod's.
   */
  private async admitAll(batch: Attempt[]): Promise<Attempt[]> {
    const out = batch.slice();
    const byNode = groupByNode(batch, bindNode);
    await mapLimit([...byNode], ADMIT_CONCURRENCY, async ([node, indices]) => {
      // What admission reads (the pod's identity and spec), not its status or managed
      // fields: the call's arguments are copied, and the copy is most of its cost.
      const pods = indices.map((i): Pod => {
        const { apiVersion, kind, metadata, spec } = batch[i].info.pod;
        return { apiVersion, kind, metadata: { name: metadata.name, namespace: metadata.namespace, uid: metadata.uid }, spec: { ...spec, nodeName: node } };
      });
      let answer: AdmitResult[] | Error;
      try {
        answer = await this.deps.admit(node, pods);
      } catch (e) {
        answer = e instanceof Error ? e : new Error(String(e));
      }
      verdictsFor(pods.length, answer).forEach((verdict, k) => {
        if (verdict.admitted) return;
        const { info } = batch[indices[k]];
        this.state.forget(info.key);
        out[indices[k]] = { kind: "failed", info, message: `Binding rejected: node "${node}" refused the pod: ${verdict.reason}: ${verdict.message}` };
      });
    });
    return out;
  }

  /**
   * The victims as stored now: the view keeps only what scheduling reads, and a
   * victim's deletion is a conditional write of the whole pod. One that is gone or
   * was replaced (another uid) needs nothing more.
   */
  private async readVictims(attempts: Attempt[]): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const a of attempts) {
      if (a.kind !== "preempt") continue;
      a.victims = [];
      for (const v of a.candidate.victims) {
        const ns = v.pod.metadata.namespace ?? "default";
        reads.push(
          this.deps.store.get("pods", ns, v.pod.metadata.name ?? "").then((p) => {
            const pod = p as Pod | null;
            if (pod && pod.metadata.uid === v.pod.metadata.uid && pod.spec.nodeName === a.candidate.node) a.victims!.push(pod);
          }),
        );
      }
    }
    await Promise.all(reads);
  }

  private opsFor(a: Attempt, now: number): WriteOp[] {
    if (a.kind === "bind") return bindOps(a.info.pod, a.node, now);
    if (a.kind === "preempt") {
      const { node } = a.candidate;
      return [...failedOps(a.info.pod, "Unschedulable", a.result.message ?? "", now, node), ...(a.victims ?? []).flatMap((v) => victimOps(v, a.info.pod, node, now))];
    }
    if (a.kind === "unschedulable") return failedOps(a.info.pod, "Unschedulable", a.result.message ?? "", now);
    return failedOps(a.info.pod, "SchedulerError", a.message, now);
  }

  /**
   * Optimistic: the whole batch in one commit. A commit is all or nothing, so when
   * it fails (a pod changed or vanished since it was read) each pod's writes are
   * retried alone, and only the stale ones fail.
   */
  private async commit(writes: Write[]): Promise<void> {
    await commitGroups((ops: WriteOp[]) => this.deps.registry.commit(ops), writes, { maxOps: MAX_OPS_PER_COMMIT, fallback: "per-group" });
  }

  /** Puts one pod where its outcome sends it; returns true when an assumption was dropped. */
  private settle(w: Write): boolean {
    const { attempt: a } = w;
    const key = a.info.key;
    const { queue } = this.state;
    const gone = w.error instanceof ApiError && w.error.reason === "NotFound";
    if (w.error && !(w.error instanceof ApiError)) console.error(`scheduler: writing ${key} failed:`, w.error);
    if (a.kind === "bind") {
      if (w.stored) {
        this.state.confirm(key, w.stored[0] as Pod);
        this.stats.bound++;
        return false;
      }
      this.state.forget(key);
      if (gone) this.state.dequeue(key);
      else queue.addBackoff(a.info);
      this.stats.failed++;
      return true;
    }
    if (gone) {
      this.state.dequeue(key);
      return false;
    }
    // A stale status write (w.error) is retried after back-off with the newer pod.
    if ((a.kind === "unschedulable" || a.kind === "preempt") && !w.error) {
      queue.addUnschedulable(a.info, a.result.unschedulablePlugins);
      if (a.kind === "preempt") this.stats.preemptions++;
      else this.stats.unschedulable++;
    } else {
      queue.addBackoff(a.info);
      this.stats.failed++;
    }
    // A preemption not written leaves the nomination the pod had.
    if (a.kind === "preempt" && w.error) this.state.nominate(a.info.pod, a.info.pod.status?.nominatedNodeName);
    // Hold the pod as written, so the next attempt's conditional write is not stale.
    const own = w.stored?.find((o) => o.kind === "Pod" && o.metadata.uid === a.info.pod.metadata.uid);
    if (own) this.state.applyPod(own as Pod, false);
    return false;
  }

  /** When the queue next has work without any event (a back-off ends, a parked pod times out). */
  nextWakeAt(): number | undefined {
    return this.state.queue.nextWakeAt();
  }

  /**
   * The explanation for one pod. A remembered decision is returned as it was made
   * (no per-filter detail for nodes that passed); otherwise a dry run against the
   * current view with every node evaluated and every filter's verdict. A bound pod
   * is taken off its node for the dry run ("where would it go now"), then put back;
   * nothing awaits in between, so no cycle sees the view without it.
   */
  explain(pod: Pod, mode: "auto" | "dry-run" = "auto"): ExplainResult {
    const key = podKey(pod);
    const recorded = mode === "auto" ? this.decisions.get(key, pod.metadata.uid) : undefined;
    if (recorded) {
      return { source: "last-decision", decidedAt: new Date(recorded.at).toISOString(), explanation: explainSchedule(pod, recorded.nodes, recorded.result) };
    }
    const { view } = this.state;
    const held = view.placement(key);
    const placedPod = held ? view.node(held.node)?.pods.find((p) => p.key === key)?.pod : undefined;
    if (placedPod) view.remove(key);
    const unbound: Pod = { ...pod, spec: { ...pod.spec, nodeName: undefined } };
    try {
      const result = schedulePod(unbound, view.snapshot, { random: this.deps.random, percentageOfNodesToScore: 100, explain: true, claims: this.state.claims, imageNodes: view.imageNodes });
      return { source: "dry-run", explanation: explainSchedule(pod, view.snapshot, result) };
    } finally {
      if (placedPod) view.place(placedPod, held!.assumed);
    }
  }
}

export interface ExplainResult {
  /** "last-decision": the decision this scheduler made for this pod; "dry-run": computed now. */
  source: "last-decision" | "dry-run";
  decidedAt?: string;
  explanation: Explanation;
}

/** The node a bind goes to; the other attempts have none. */
function bindNode(a: Attempt): string | undefined {
  return a.kind === "bind" ? a.node : undefined;
}

/** Promise.all with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
