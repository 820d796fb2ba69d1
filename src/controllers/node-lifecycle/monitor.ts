// Failure detection and taint eviction for the nodes one lifecycle controller watches
// (pkg/controller/nodelifecycle and the taint-eviction controller), on the
// controller's ONE alarm:
// - a `deadline` timer per node (last renewal + NODE_MONITOR_GRACE_PERIOD), moved on
//   every renewal. When it fires it re-checks (alarms fire late or twice; an external
//   agent may have renewed through the API), then marks the node Ready=Unknown with the
//   unreachable NoExecute taint, marks its pods not ready, records events, and sets one
//   eviction timer per pod;
// - `evict` timers: when a pod's toleration of the taint runs out, the pod is marked for
//   deletion (the DisruptionTarget condition says why) and its controller replaces it.
//   Timers due together are evicted together, in a few D1 batches;
// - the `lease-flush` timer: the lease writer's batch (lease-writer.ts).
// The detector lives here, not in the node it judges: a node that stops doing anything
// at all (not even its alarm) is still found out.
import type { ObjectStore, WriteOp } from "../../store/store";
import type { ClusterConfig } from "../../config";
import type { Condition, Lease, Node, Pod } from "../../model/types";
import type { Timer, TimerTable } from "../../util/timer-table";
import { ApiError } from "../../model/errors";
import { isoSeconds } from "../../config";
import { deleteObject, planDeletion } from "../../store/deletion";
import { setCondition } from "../../store/binding";
import { eventWrite } from "../../store/events";
import { markReachable, markUnreachable, hasTaint, isReady, UNREACHABLE_TAINT } from "./node-health";
import { evictionTime } from "./taint-eviction";
import { renewedAt, NODE_LEASE_NAMESPACE } from "./lease";
import { LeaseWriter, LEASES } from "./lease-writer";
import { RenewalTable } from "./renewals";

export const DEADLINE = "deadline";
export const EVICT = "evict";
export const LEASE_FLUSH = "lease-flush";

export interface MonitorDeps {
  sql: SqlStorage;
  timers: TimerTable;
  store: ObjectStore;
  config: ClusterConfig;
  now: () => number;
}

/** Pods evicted per D1 batch (two writes each: the pod and its event). */
const EVICTION_BATCH = 100;

interface EvictTarget {
  node: string;
  namespace: string;
  name: string;
  uid: string;
}

const deadlineKey = (node: string) => `deadline/${node}`;
const evictPrefix = (node: string) => `evict/${node}/`;

export class NodeMonitor {
  readonly renewals: RenewalTable;
  private readonly leases: LeaseWriter;

  constructor(private readonly d: MonitorDeps) {
    this.renewals = new RenewalTable(d.sql);
    this.leases = new LeaseWriter({ store: d.store, renewals: this.renewals, leaseDurationSeconds: d.config.nodeLeaseDurationSeconds });
  }

  /**
   * A kubelet's renewal: one row and one timer in local storage. A node seen for the
   * first time gets its Lease written at once (an external agent only ever renews it);
   * otherwise the Lease waits for the next batch.
   */
  async renewed(node: string, at: number): Promise<void> {
    const { row, added } = this.renewals.renew(node, at);
    await this.d.timers.set(deadlineKey(node), row.renewed + this.d.config.nodeMonitorGracePeriodMs, DEADLINE, node);
    if (!row.lease) await this.leases.writeOne(node);
    else if (!this.d.timers.get(LEASE_FLUSH)) await this.d.timers.set(LEASE_FLUSH, this.d.now() + this.d.config.nodeLeaseWriteIntervalMs, LEASE_FLUSH);
    // Heartbeats are back on a node this controller marked (or may have, before it knew the node).
    if (row.marked || added) await this.recoverIfMarked(node, this.d.now());
  }

  async forget(node: string): Promise<void> {
    this.renewals.delete(node);
    await this.d.timers.cancel(deadlineKey(node));
    await this.d.timers.cancelPrefix(evictPrefix(node));
  }

  /** Write the stale Leases now (the timer does this every NODE_LEASE_WRITE_INTERVAL). */
  async flushLeases(): Promise<number> {
    const n = await this.leases.flush();
    // Renewals that arrived while writing wait for the next round.
    if (this.renewals.stale().length) await this.d.timers.setIfEarlier(LEASE_FLUSH, this.d.now() + this.d.config.nodeLeaseWriteIntervalMs, LEASE_FLUSH);
    return n;
  }

  async handle(due: Timer[]): Promise<void> {
    const evictions: EvictTarget[] = [];
    for (const timer of due) {
      if (timer.kind === DEADLINE) await this.checkDeadline(timer.payload as string);
      else if (timer.kind === EVICT) evictions.push(timer.payload as EvictTarget);
      else if (timer.kind === LEASE_FLUSH) await this.flushLeases();
    }
    const byNode = new Map<string, EvictTarget[]>();
    for (const t of evictions) byNode.set(t.node, [...(byNode.get(t.node) ?? []), t]);
    for (const [node, targets] of byNode) await this.evictAll(node, targets);
  }

  /** The latest renewal: a kubelet's, held here, or an external agent's, written to the Lease through the API. */
  private async latestRenewal(node: string): Promise<number> {
    const lease = (await this.d.store.get(LEASES, NODE_LEASE_NAMESPACE, node)) as Lease | null;
    return Math.max(this.renewals.get(node)?.renewed ?? 0, renewedAt(lease));
  }

  private async checkDeadline(node: string): Promise<void> {
    const row = this.renewals.get(node);
    if (!row) return;
    const now = this.d.now();
    const deadline = (await this.latestRenewal(node)) + this.d.config.nodeMonitorGracePeriodMs;
    if (deadline > now) {
      await this.d.timers.set(deadlineKey(node), deadline, DEADLINE, node);
      if (row.marked) await this.recoverIfMarked(node, now);
      return;
    }
    if (!(await this.d.store.get("nodes", "", node))) return this.forget(node);
    await this.markNodeUnreachable(node, now);
  }

  private async markNodeUnreachable(nodeName: string, now: number): Promise<void> {
    const { store } = this.d;
    let marked: Node | null = null;
    const stored = (await store.guaranteedUpdate("nodes", "", nodeName, (cur) => {
      marked = markUnreachable(cur as Node, now);
      return marked;
    })) as Node;
    this.renewals.mark(nodeName, true);
    if (marked) {
      await store.commit([eventWrite(stored, { type: "Normal", reason: "NodeNotReady", message: `Node ${nodeName} status is now: NodeNotReady`, source: { component: "node-controller" } }, now)]);
    }
    await this.scheduleEvictions(stored, now, marked !== null);
  }

  /** One eviction timer per pod on the node; pods also lose their Ready condition. */
  private async scheduleEvictions(node: Node, now: number, justMarked: boolean): Promise<void> {
    const { store } = this.d;
    const nodeName = node.metadata.name ?? "";
    const pods = (await store.list("pods", { nodeName })).items as Pod[];
    const ops: WriteOp[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, node.spec.taints ?? [], now);
      if (at !== null) await this.setEvictTimer({ node: nodeName, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" }, at);
      if (justMarked) {
        const next = structuredClone(pod);
        next.status ??= {};
        const ts = isoSeconds(now);
        next.status.conditions = setCondition(setCondition(next.status.conditions, { type: "Ready", status: "False", lastProbeTime: null, lastTransitionTime: ts }), {
          type: "ContainersReady",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: ts,
        });
        ops.push({ op: "update", resource: "pods", object: next, expectedRv: Number(pod.metadata.resourceVersion) });
        ops.push(eventWrite(pod, { type: "Warning", reason: "NodeNotReady", message: "Node is not ready", source: { component: "node-controller" } }, now));
      }
    }
    if (ops.length) {
      try {
        await store.commit(ops);
      } catch (e) {
        // A pod changed meanwhile: readiness is cosmetic, evictions are already set.
        if (!(e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound"))) throw e;
      }
    }
  }

  private setEvictTimer(t: EvictTarget, at: number): Promise<void> {
    return this.d.timers.set(`${evictPrefix(t.node)}${t.uid}`, at, EVICT, t);
  }

  /**
   * Evict the targets whose toleration has run out. With short tolerations a failed
   * node's pods are all due at once, so they go in batches (one D1 round trip per
   * EVICTION_BATCH pods) rather than a few round trips each. Everything is re-checked
   * first: the node may have recovered, a pod may be gone, replaced by a namesake, or
   * already terminating.
   */
  private async evictAll(nodeName: string, targets: EvictTarget[]): Promise<void> {
    const { store } = this.d;
    const now = this.d.now();
    const node = (await store.get("nodes", "", nodeName)) as Node | null;
    if (!node || !hasTaint(node, UNREACHABLE_TAINT)) return;
    const onNode = new Map(((await store.list("pods", { nodeName })).items as Pod[]).map((p) => [p.metadata.uid, p]));
    const due: Pod[] = [];
    for (const target of targets) {
      const pod = onNode.get(target.uid);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, node.spec.taints ?? [], now);
      if (at === null) continue;
      if (at > now) await this.setEvictTimer(target, at);
      else due.push(pod);
    }
    for (let i = 0; i < due.length; i += EVICTION_BATCH) {
      const chunk = due.slice(i, i + EVICTION_BATCH);
      try {
        await store.commit(chunk.flatMap((pod) => evictionWrites(pod, now)));
      } catch (e) {
        if (!(e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound"))) throw e;
        // One of them changed since the list (the batch wrote nothing): one by one, each re-read.
        for (const pod of chunk) await this.evict({ node: nodeName, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" });
      }
    }
  }

  /** One eviction, re-read and retried on conflicts: the fallback when a batch conflicts. */
  private async evict(target: EvictTarget): Promise<void> {
    const { store } = this.d;
    const now = this.d.now();
    const node = (await store.get("nodes", "", target.node)) as Node | null;
    const pod = (await store.get("pods", target.namespace, target.name)) as Pod | null;
    // Re-check everything: the node may have recovered, the pod may be gone or new.
    if (!node || !hasTaint(node, UNREACHABLE_TAINT)) return;
    if (!pod || pod.metadata.uid !== target.uid || pod.spec.nodeName !== target.node || pod.metadata.deletionTimestamp) return;
    const at = evictionTime(pod, node.spec.taints ?? [], now);
    if (at === null) return;
    if (at > now) return this.setEvictTimer(target, at);
    await store.guaranteedUpdate("pods", target.namespace, target.name, (cur) => {
      const p = cur as Pod;
      if (p.metadata.uid !== target.uid) return null;
      p.status ??= {};
      p.status = { ...p.status, conditions: setCondition(p.status.conditions, disruptionTarget(now)) };
      return p;
    });
    await deleteObject(store, "pods", target.namespace, target.name, { preconditions: { uid: target.uid } }, now);
    await store.commit([evictionEvent(pod, now)]);
  }

  /** Heartbeats are back: Ready again, taint removed, pending evictions dropped. */
  private async recoverIfMarked(nodeName: string, now: number): Promise<void> {
    const { store } = this.d;
    const node = (await store.get("nodes", "", nodeName)) as Node | null;
    this.renewals.mark(nodeName, false);
    // Only a node that shows the marks needs recovering; a healthy one costs no write.
    if (!node || (isReady(node) && !hasTaint(node, UNREACHABLE_TAINT))) return;
    let recovered: Node | null = null;
    const stored = await store.guaranteedUpdate("nodes", "", nodeName, (cur) => {
      recovered = markReachable(cur as Node, now);
      return recovered;
    });
    await this.d.timers.cancelPrefix(evictPrefix(nodeName));
    if (recovered) {
      await store.commit([eventWrite(stored, { type: "Normal", reason: "NodeReady", message: `Node ${nodeName} status is now: NodeReady`, source: { component: "kubelet", host: nodeName } }, now)]);
    }
  }
}

/** The condition that tells why the pod is going (what the taint manager sets). */
function disruptionTarget(now: number): Condition {
  return {
    type: "DisruptionTarget",
    status: "True",
    reason: "DeletionByTaintManager",
    message: "Taint manager: deleting due to NoExecute taint",
    lastProbeTime: null,
    lastTransitionTime: isoSeconds(now),
  };
}

function evictionEvent(pod: Pod, now: number): WriteOp {
  const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
  return eventWrite(pod, { type: "Normal", reason: "TaintManagerEviction", message: `Marking for deletion Pod ${ref}`, source: { component: "taint-eviction-controller" } }, now);
}

/**
 * One pod's eviction as batch writes: the DisruptionTarget condition and the graceful
 * deletion in one update (a terminal pod is removed at once), conditional on the
 * resourceVersion read, plus its event.
 */
function evictionWrites(pod: Pod, now: number): WriteOp[] {
  const marked = structuredClone(pod);
  marked.status = { ...marked.status, conditions: setCondition(marked.status?.conditions, disruptionTarget(now)) };
  const next = planDeletion("pods", marked, {}, now);
  const expectedRv = Number(pod.metadata.resourceVersion);
  const write: WriteOp = next ? { op: "update", resource: "pods", object: next, expectedRv } : { op: "delete", resource: "pods", object: pod, expectedRv };
  return [write, evictionEvent(pod, now)];
}
