// Heartbeats and failure detection for one node, on the node's single alarm.
//
// - `heartbeat` timer (every NODE_LEASE_RENEW_INTERVAL): the built-in kubelet renews
//   the node's Lease, unless a fault stops it or an external agent drives the node.
// - `lease-deadline` timer (last renewal + NODE_MONITOR_GRACE_PERIOD): re-checks the
//   renewal (alarms fire late or twice; an external agent may have renewed through
//   the API), then marks the node Ready=Unknown with the unreachable NoExecute taint,
//   marks its pods not ready, records events, and sets one eviction timer per pod.
// - `evict` timers: when a pod's toleration of the taint runs out, the pod is marked
//   for deletion (DisruptionTarget condition says why); its controller replaces it.
//   Timers due together are evicted together, in a few D1 batches.
// Heartbeats are writes to the Lease only; the Node object changes on transitions.
import type { ObjectStore, WriteOp } from "../../store/store";
import type { ClusterConfig } from "../../config";
import type { Condition, Lease, Node, Pod } from "../../model/types";
import type { Timer, TimerTable } from "../timers";
import { ApiError } from "../../model/errors";
import { isoSeconds } from "../../config";
import { deleteObject, planDeletion } from "../../store/deletion";
import { setCondition } from "../../store/binding";
import { eventWrite } from "../../store/events";
import { faultOf, isExternallyDriven, type Fault } from "./fault";
import { markReachable, markUnreachable, hasTaint, isReady, UNREACHABLE_TAINT } from "./node-health";
import { evictionTime } from "./taint-eviction";
import { newLease, renewedAt, NODE_LEASE_NAMESPACE } from "./lease";
import { isoMicros } from "./time";

export const LIFECYCLE_TIMERS = ["heartbeat", "lease-deadline", "evict"] as const;

export interface LifecycleDeps {
  kv: SyncKvStorage;
  timers: TimerTable;
  store: ObjectStore;
  config: ClusterConfig;
  nodeName: string;
  now: () => number;
}

const LEASES = "leases.coordination.k8s.io";
/** Pods evicted per D1 batch (two writes each: the pod and its event). */
const EVICTION_BATCH = 100;

interface EvictTarget {
  namespace: string;
  name: string;
  uid: string;
}

export class NodeLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  get fault(): Fault {
    return this.d.kv.get<Fault>("lifecycle:fault") ?? "none";
  }

  get lastRenew(): number {
    return this.d.kv.get<number>("lifecycle:lastRenew") ?? 0;
  }

  /**
   * The node came up (or restarted): heartbeat now. The Lease exists from the start,
   * so an external agent only ever renews it (its token cannot create objects).
   */
  async start(): Promise<void> {
    const now = this.d.now();
    const exists = await this.d.store.get(LEASES, NODE_LEASE_NAMESPACE, this.d.nodeName);
    if (!exists) {
      await this.renewLease(now);
      this.d.kv.put("lifecycle:lastRenew", now);
    }
    await this.d.timers.set("lifecycle:heartbeat", now, "heartbeat");
  }

  async stop(): Promise<void> {
    await this.d.timers.cancelPrefix("lifecycle:");
  }

  /** The Node object changed (e.g. its fault label): pick up faults and recoveries. */
  async nodeChanged(node: Node): Promise<void> {
    const fault = faultOf(node);
    const before = this.fault;
    this.d.kv.put("lifecycle:external", isExternallyDriven(node));
    if (fault === before) return;
    this.d.kv.put("lifecycle:fault", fault);
    // Recovery: heartbeat at once rather than at the next interval.
    if (fault === "none") await this.d.timers.set("lifecycle:heartbeat", this.d.now(), "heartbeat");
  }

  /** The lifecycle timers the alarm found due. */
  async handle(due: Timer[]): Promise<void> {
    const evictions: EvictTarget[] = [];
    for (const timer of due) {
      if (timer.kind === "heartbeat") await this.heartbeat();
      else if (timer.kind === "lease-deadline") await this.checkDeadline();
      else if (timer.kind === "evict") evictions.push(timer.payload as EvictTarget);
    }
    if (evictions.length) await this.evictAll(evictions);
  }

  private async heartbeat(): Promise<void> {
    const now = this.d.now();
    await this.d.timers.set("lifecycle:heartbeat", now + this.d.config.nodeLeaseRenewIntervalMs, "heartbeat");
    const external = this.d.kv.get<boolean>("lifecycle:external") ?? false;
    if (this.fault === "none" && !external) {
      await this.renewLease(now);
      this.d.kv.put("lifecycle:lastRenew", now);
      await this.recoverIfMarked(now);
    }
    await this.d.timers.setIfEarlier("lifecycle:lease-deadline", Math.max(this.lastRenew, now) + this.d.config.nodeMonitorGracePeriodMs, "lease-deadline");
  }

  private async renewLease(now: number): Promise<void> {
    const { store, nodeName, config } = this.d;
    // The Lease as this kubelet last wrote it: a renewal is then one conditional write
    // (one D1 round trip per heartbeat); anyone else's write makes it conflict, and the
    // Lease is read afresh.
    const mine = this.d.kv.get<Lease>("lifecycle:lease");
    if (mine && (await this.writeRenewal(mine, now))) return;
    const current = (await store.get(LEASES, NODE_LEASE_NAMESPACE, nodeName)) as Lease | null;
    // Someone else renewing it in between is fine too: the lease is fresh either way.
    if (current) return void (await this.writeRenewal(current, now));
    const node = await store.get("nodes", "", nodeName);
    const lease = newLease(nodeName, node?.metadata.uid, config.nodeLeaseDurationSeconds, now);
    lease.metadata.uid = crypto.randomUUID();
    lease.metadata.creationTimestamp = isoSeconds(now);
    try {
      this.d.kv.put("lifecycle:lease", (await store.create(LEASES, lease)) as Lease);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
  }

  /** Renew `base` conditionally on its version; false when someone else wrote (or deleted) it first. */
  private async writeRenewal(base: Lease, now: number): Promise<boolean> {
    const { store, nodeName, config } = this.d;
    const next: Lease = { ...base, spec: { ...base.spec, holderIdentity: nodeName, leaseDurationSeconds: config.nodeLeaseDurationSeconds, renewTime: isoMicros(now) } };
    try {
      this.d.kv.put("lifecycle:lease", (await store.update(LEASES, next, Number(base.metadata.resourceVersion))) as Lease);
      return true;
    } catch (e) {
      if (!(e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound"))) throw e;
      this.d.kv.delete("lifecycle:lease");
      return false;
    }
  }

  /** The latest renewal, by this kubelet or by an external agent through the API. */
  private async latestRenewal(): Promise<number> {
    const lease = (await this.d.store.get(LEASES, NODE_LEASE_NAMESPACE, this.d.nodeName)) as Lease | null;
    return Math.max(this.lastRenew, renewedAt(lease));
  }

  private async checkDeadline(): Promise<void> {
    const now = this.d.now();
    const renewed = await this.latestRenewal();
    const deadline = renewed + this.d.config.nodeMonitorGracePeriodMs;
    if (deadline > now) {
      await this.d.timers.set("lifecycle:lease-deadline", deadline, "lease-deadline");
      return;
    }
    await this.markNodeUnreachable(now);
  }

  private async markNodeUnreachable(now: number): Promise<void> {
    const { store, nodeName } = this.d;
    let marked: Node | null = null;
    const stored = (await store.guaranteedUpdate("nodes", "", nodeName, (cur) => {
      marked = markUnreachable(cur as Node, now);
      return marked;
    })) as Node;
    if (marked) {
      await store.commit([eventWrite(stored, { type: "Normal", reason: "NodeNotReady", message: `Node ${nodeName} status is now: NodeNotReady`, source: { component: "node-controller" } }, now)]);
    }
    await this.scheduleEvictions(stored, now, marked !== null);
  }

  /** One eviction timer per pod on the node; pods also lose their Ready condition. */
  private async scheduleEvictions(node: Node, now: number, justMarked: boolean): Promise<void> {
    const { store, nodeName } = this.d;
    const pods = (await store.list("pods", { nodeName })).items as Pod[];
    const ops: WriteOp[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, node.spec.taints ?? [], now);
      if (at !== null) {
        await this.d.timers.set(`lifecycle:evict:${pod.metadata.uid}`, at, "evict", { namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid });
      }
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

  /**
   * Evict the targets whose toleration has run out. With short tolerations a failed
   * node's pods are all due at once, so they go in batches (one D1 round trip per
   * EVICTION_BATCH pods) rather than a few round trips each. Everything is re-checked
   * first: the node may have recovered, a pod may be gone, replaced by a namesake, or
   * already terminating.
   */
  private async evictAll(targets: EvictTarget[]): Promise<void> {
    const { store, nodeName } = this.d;
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
      if (at > now) await this.d.timers.set(`lifecycle:evict:${target.uid}`, at, "evict", target);
      else due.push(pod);
    }
    for (let i = 0; i < due.length; i += EVICTION_BATCH) {
      const chunk = due.slice(i, i + EVICTION_BATCH);
      try {
        await store.commit(chunk.flatMap((pod) => evictionWrites(pod, now)));
      } catch (e) {
        if (!(e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound"))) throw e;
        // One of them changed since the list (the batch wrote nothing): one by one, each re-read.
        for (const pod of chunk) await this.evict({ namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" });
      }
    }
  }

  /** One eviction, re-read and retried on conflicts: the fallback when a batch conflicts. */
  private async evict(target: EvictTarget): Promise<void> {
    const { store, nodeName } = this.d;
    const now = this.d.now();
    const node = (await store.get("nodes", "", nodeName)) as Node | null;
    const pod = (await store.get("pods", target.namespace, target.name)) as Pod | null;
    // Re-check everything: the node may have recovered, the pod may be gone or new.
    if (!node || !hasTaint(node, UNREACHABLE_TAINT)) return;
    if (!pod || pod.metadata.uid !== target.uid || pod.spec.nodeName !== nodeName || pod.metadata.deletionTimestamp) return;
    const at = evictionTime(pod, node.spec.taints ?? [], now);
    if (at === null) return;
    if (at > now) {
      await this.d.timers.set(`lifecycle:evict:${target.uid}`, at, "evict", target);
      return;
    }
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
  private async recoverIfMarked(now: number): Promise<void> {
    const { store, nodeName } = this.d;
    const node = (await store.get("nodes", "", nodeName)) as Node | null;
    // Only a node this monitor marked needs recovering; a healthy one costs no write.
    if (!node || (isReady(node) && !hasTaint(node, UNREACHABLE_TAINT))) return;
    let recovered: Node | null = null;
    const stored = await store.guaranteedUpdate("nodes", "", nodeName, (cur) => {
      recovered = markReachable(cur as Node, now);
      return recovered;
    });
    await this.d.timers.cancelPrefix("lifecycle:evict:");
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
