// Failure detection and taint eviction for the nodes one lifecycle controller watches
// (pkg/controller/nodelifecycle and the taint-eviction controller), on the
// controller's ONE alarm:
// - a `deadline` timer per node (last renewal + NODE_MONITOR_GRACE_PERIOD, rounded up to
//   the next DEADLINE_TICK_MS), moved to the latest renewal each time it comes due. The
//   deadlines due on one tick are checked together: those renewed in time moved in one
//   statement. When one has passed it re-checks (alarms fire late or twice; an external
//   agent may have renewed through the API), then marks the node Ready=Unknown with the
//   unreachable NoExecute taint, marks its pods not ready, records events, and sets one
//   eviction timer per pod;
// - `evict` timers: when a pod's toleration of the taint runs out, the pod is marked for
//   deletion (the DisruptionTarget condition says why) and its controller replaces it.
//   Timers due together are evicted together, in a few D1 batches;
// - the `lease-flush` timer: the lease writer's batch (lease-writer.ts).
// The detector lives here, not in the node it judges: a node that stops doing anything
// at all (not even its alarm) is still found out.
import type { ObjectStore } from "../../store/store";
import type { Registry } from "../../registry/registry";
import type { WriteOp } from "../../registry/ops";
import type { ClusterConfig } from "../../config";
import type { Condition, KubeObject, Lease, Node, Pod } from "../../model/types";
import type { Timer, TimerTable } from "../../util/timer-table";
import type { NodeRenewal } from "../../controlplane/stubs";
import { isoSeconds } from "../../config";
import { planDeletion } from "../../registry/deletion";
import { setCondition } from "../../store/binding";
import { eventWrite } from "../../store/events";
import { isStaleOrGone, retryOnConflict } from "../../store/retry";
import { commitGroups, type Group } from "../../store/commit-groups";
import { markReachable, markUnreachable, hasTaint, isReady, UNREACHABLE_TAINT } from "./node-health";
import { evictionTime } from "./taint-eviction";
import { renewedAt, NODE_LEASE_NAMESPACE } from "./lease";
import { LeaseWriter, LEASES } from "./lease-writer";
import { RenewalTable } from "./renewals";

export const DEADLINE = "deadline";
export const EVICT = "evict";
export const LEASE_FLUSH = "lease-flush";

interface MonitorDeps {
  sql: SqlStorage;
  timers: TimerTable;
  /** Every write goes through the registry (validated as a user's would be); reads go to its store. */
  registry: Registry;
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

/**
 * Deadlines fall on ticks of this period, so the nodes whose deadlines come due on one
 * tick are checked in one alarm: at 5,000 nodes, 4 shards and the 50 s grace period,
 * 2 alarms a second per shard instead of about 25, each with its own statements. Upstream
 * checks every node each --node-monitor-period (5 s); this detects within half a second
 * of the grace period's end.
 */
export const DEADLINE_TICK_MS = 500;
const onTick = (t: number) => Math.ceil(t / DEADLINE_TICK_MS) * DEADLINE_TICK_MS;
const evictPrefix = (node: string) => `evict/${node}/`;

export class NodeMonitor {
  readonly renewals: RenewalTable;
  private readonly leases: LeaseWriter;

  constructor(private readonly d: MonitorDeps) {
    this.renewals = new RenewalTable(d.sql);
    this.leases = new LeaseWriter({ registry: d.registry, renewals: this.renewals, leaseDurationSeconds: d.config.nodeLeaseDurationSeconds });
  }

  private get store(): ObjectStore {
    return this.d.registry.store;
  }

  /**
   * Read, change, write back conditionally, again on a conflict (null: nothing to
   * change). The write carries status and spec together (a condition and its taint),
   * so it goes as computed, after validation, as the controller's batches do.
   */
  private async rewrite<T extends KubeObject>(resource: string, namespace: string, name: string, mutate: (current: T) => T | null): Promise<{ stored: T; changed: boolean }> {
    return retryOnConflict(async () => {
      const current = (await this.store.mustGet(resource, namespace, name)) as T;
      const next = mutate(structuredClone(current));
      if (!next) return { stored: current, changed: false };
      const [stored] = await this.d.registry.commit([{ op: "update", resource, object: next, expectedRv: Number(current.metadata.resourceVersion) }]);
      return { stored: stored as T, changed: true };
    });
  }

  /** A kubelet's renewal (renewedAll of one). */
  async renewed(node: string, at: number): Promise<void> {
    const [failure] = await this.renewedAll([{ node, at }]);
    if (failure) throw failure.error;
  }

  /**
   * Kubelets' renewals: each one row and one timer in local storage. A node seen for
   * the first time gets its Lease written at once (an external agent only ever renews
   * it); otherwise the Lease waits for the next batch. Every renewal is recorded before
   * any of them waits for D1 (a first Lease, a recovery): those then run side by side,
   * as separate calls would, so one node's recovery never holds back the renewals that
   * came with it (held back, they missed their deadlines, and the recoveries that
   * followed held back more). Answers the nodes whose D1 work failed; their renewals
   * are recorded all the same.
   */
  async renewedAll(renewals: readonly NodeRenewal[]): Promise<{ node: string; error: unknown }[]> {
    const followUps: { node: string; work: Promise<void> }[] = [];
    // The batch's rows in one statement, and every timer it may set read in one query
    // (when due only, not their payloads): a heartbeat is the hot path, thousands a
    // second at 5,000 nodes.
    const outcomes = this.renewals.renewAll(renewals);
    const set = this.d.timers.atsOf([...outcomes.keys()].map(deadlineKey).concat(LEASE_FLUSH));
    for (const [node, { renewed, leased, marked, added }] of outcomes) {
      // The deadline is not moved on every renewal: it is set once, and when it comes due
      // checkDeadline moves it to the latest renewal + grace. Detection still comes on the
      // first tick after the last renewal + NODE_MONITOR_GRACE_PERIOD.
      const key = deadlineKey(node);
      const deadline = onTick(renewed + this.d.config.nodeMonitorGracePeriodMs);
      const current = set.get(key);
      if (current === undefined || deadline < current) await this.d.timers.set(key, deadline, DEADLINE, node);
      if (leased && !set.has(LEASE_FLUSH)) {
        const flushAt = this.d.now() + this.d.config.nodeLeaseWriteIntervalMs;
        await this.d.timers.set(LEASE_FLUSH, flushAt, LEASE_FLUSH);
        set.set(LEASE_FLUSH, flushAt);
      }
      if (leased && !marked && !added) continue;
      const work = (async () => {
        if (!leased) await this.firstLease(node);
        // Heartbeats are back on a node this controller marked (or may have, before it knew the node).
        if (marked || added) await this.recoverIfMarked(node, this.d.now());
      })();
      followUps.push({ node, work });
    }
    const settled = await Promise.allSettled(followUps.map((f) => f.work));
    return settled.flatMap((r, i) => (r.status === "rejected" ? [{ node: followUps[i].node, error: r.reason as unknown }] : []));
  }

  /**
   * The Lease of a node new here. A failure (say, kube-node-lease not there yet) does
   * not fail the renewal: it counts for detection all the same, and the next renewal
   * tries the Lease again, as a kubelet retries ensuring its lease.
   */
  private async firstLease(node: string): Promise<void> {
    try {
      await this.leases.writeOne(node);
    } catch (e) {
      console.warn(`node-lifecycle: the Lease of ${node} is not written yet, will retry:`, (e as Error)?.message ?? e);
    }
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
    const deadlines: string[] = [];
    for (const timer of due) {
      if (timer.kind === DEADLINE) deadlines.push(timer.payload as string);
      else if (timer.kind === EVICT) evictions.push(timer.payload as EvictTarget);
      else if (timer.kind === LEASE_FLUSH) await this.flushLeases();
    }
    await this.checkDeadlines(deadlines);
    const byNode = new Map<string, EvictTarget[]>();
    for (const t of evictions) byNode.set(t.node, [...(byNode.get(t.node) ?? []), t]);
    for (const [node, targets] of byNode) await this.evictAll(node, targets);
  }

  /** The latest renewal: a kubelet's, held here, or an external agent's, written to the Lease through the API. */
  private async latestRenewal(node: string): Promise<number> {
    const lease = (await this.store.get(LEASES, NODE_LEASE_NAMESPACE, node)) as Lease | null;
    return Math.max(this.renewals.get(node)?.renewed ?? 0, renewedAt(lease));
  }

  /**
   * Deadlines due together. A node that renewed here within the grace period and is
   * not marked only has its deadline moved: all of those in one statement, with no D1
   * read. The others (silent here, or marked and perhaps back) are checked one by one.
   */
  private async checkDeadlines(nodes: readonly string[]): Promise<void> {
    if (nodes.length === 0) return;
    const now = this.d.now();
    const grace = this.d.config.nodeMonitorGracePeriodMs;
    const rows = this.renewals.renewedOf(nodes);
    const moved: { key: string; at: number; kind: string; payload: string }[] = [];
    const others: string[] = [];
    for (const node of nodes) {
      const row = rows.get(node);
      if (!row) continue;
      if (row.renewed + grace > now && !row.marked) moved.push({ key: deadlineKey(node), at: onTick(row.renewed + grace), kind: DEADLINE, payload: node });
      else others.push(node);
    }
    await this.d.timers.setAll(moved);
    for (const node of others) await this.checkDeadline(node);
  }

  private async checkDeadline(node: string): Promise<void> {
    const row = this.renewals.get(node);
    if (!row) return;
    const now = this.d.now();
    // A kubelet that renewed here in time needs no D1 read; only past that can an
    // external agent's renewal (written to the Lease through the API) be the later one.
    const local = row.renewed + this.d.config.nodeMonitorGracePeriodMs;
    const latest = local > now ? row.renewed : await this.latestRenewal(node);
    const deadline = latest + this.d.config.nodeMonitorGracePeriodMs;
    if (deadline > now) {
      await this.d.timers.set(deadlineKey(node), onTick(deadline), DEADLINE, node);
      if (row.marked) await this.recoverIfMarked(node, now);
      return;
    }
    if (!(await this.store.get("nodes", "", node))) return this.forget(node);
    await this.markNodeUnreachable(node, now);
    // Renewals are calls, answered while this alarm awaits D1: one that came in after
    // the deadline was read found the node not marked yet, so it recovered nothing.
    // The node is alive: recover it now (its evictions go with the marks), rather than
    // leave it Unknown, and its intolerant pods evicted, until the next renewal.
    if ((this.renewals.get(node)?.renewed ?? 0) > latest) await this.recoverIfMarked(node, this.d.now());
  }

  private async markNodeUnreachable(nodeName: string, now: number): Promise<void> {
    const { stored, changed } = await this.rewrite<Node>("nodes", "", nodeName, (cur) => markUnreachable(cur, now));
    this.renewals.mark(nodeName, true);
    if (changed) {
      await this.d.registry.commit([eventWrite(stored, { type: "Normal", reason: "NodeNotReady", message: `Node ${nodeName} status is now: NodeNotReady`, source: { component: "node-controller" } }, now)]);
    }
    await this.scheduleEvictions(stored, now, changed);
  }

  /** One eviction timer per pod on the node; pods also lose their Ready condition. */
  private async scheduleEvictions(node: Node, now: number, justMarked: boolean): Promise<void> {
    const nodeName = node.metadata.name ?? "";
    const pods = (await this.store.list("pods", { nodeName })).items as Pod[];
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
        ops.push({ op: "update", resource: "pods", object: next, expectedRv: Number(pod.metadata.resourceVersion), old: pod, subresource: "status" });
        ops.push(eventWrite(pod, { type: "Warning", reason: "NodeNotReady", message: "Node is not ready", source: { component: "node-controller" } }, now));
      }
    }
    if (ops.length) {
      try {
        await this.d.registry.commit(ops);
      } catch (e) {
        // A pod changed meanwhile: readiness is cosmetic, evictions are already set.
        if (!isStaleOrGone(e)) throw e;
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
    const now = this.d.now();
    const node = (await this.store.get("nodes", "", nodeName)) as Node | null;
    if (!node || !hasTaint(node, UNREACHABLE_TAINT)) return;
    const onNode = new Map(((await this.store.list("pods", { nodeName })).items as Pod[]).map((p) => [p.metadata.uid, p]));
    const due: Pod[] = [];
    for (const target of targets) {
      const pod = onNode.get(target.uid);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, node.spec.taints ?? [], now);
      if (at === null) continue;
      if (at > now) await this.setEvictTimer(target, at);
      else due.push(pod);
    }
    // Last look before writing: a renewal answered while this awaited D1 recovered the node.
    if (!this.stillMarked(nodeName)) return;
    const groups: (Group<WriteOp> & { pod: Pod })[] = due.map((pod) => ({ pod, ops: evictionWrites(pod, now) }));
    await commitGroups<WriteOp, (typeof groups)[number]>((ops) => this.d.registry.commit(ops), groups, { maxOps: EVICTION_BATCH * 2, fallback: "per-group", retriable: isStaleOrGone });
    for (const g of groups) {
      if (g.error === undefined) continue;
      if (!isStaleOrGone(g.error)) throw g.error;
      // This pod changed since the list: evicted on its own, from a fresh read.
      const { namespace = "", name = "", uid = "" } = g.pod.metadata;
      await this.evict({ node: nodeName, namespace, name, uid });
    }
  }

  /** One eviction, re-read and retried on conflicts: the fallback when a batch conflicts. */
  private async evict(target: EvictTarget): Promise<void> {
    const now = this.d.now();
    const node = (await this.store.get("nodes", "", target.node)) as Node | null;
    const pod = (await this.store.get("pods", target.namespace, target.name)) as Pod | null;
    // Re-check everything: the node may have recovered, the pod may be gone or new.
    if (!node || !hasTaint(node, UNREACHABLE_TAINT)) return;
    if (!pod || pod.metadata.uid !== target.uid || pod.spec.nodeName !== target.node || pod.metadata.deletionTimestamp) return;
    const at = evictionTime(pod, node.spec.taints ?? [], now);
    if (at === null) return;
    if (at > now) return this.setEvictTimer(target, at);
    if (!this.stillMarked(target.node)) return;
    await this.d.registry.patch(
      "pods",
      target.namespace,
      target.name,
      (cur) => {
        const p = cur as Pod;
        if (p.metadata.uid === target.uid) p.status = { ...p.status, conditions: setCondition(p.status?.conditions, disruptionTarget(now)) };
        return p;
      },
      { subresource: "status" },
    );
    await this.d.registry.delete("pods", target.namespace, target.name, { preconditions: { uid: target.uid } });
    await this.d.registry.commit([evictionEvent(pod, now)]);
  }

  /**
   * The node is still one this controller marked and has not heard from since.
   * Evictions exist only for such nodes; a renewal clears the mark at once (before its
   * own D1 writes), so an eviction about to be written can see the node came back.
   */
  private stillMarked(nodeName: string): boolean {
    return this.renewals.get(nodeName)?.marked === true;
  }

  /** Heartbeats are back: Ready again, taint removed, pending evictions dropped. */
  private async recoverIfMarked(nodeName: string, now: number): Promise<void> {
    // Cleared before anything is awaited: an eviction about to be written sees it (stillMarked).
    this.renewals.mark(nodeName, false);
    const node = (await this.store.get("nodes", "", nodeName)) as Node | null;
    // Only a node that shows the marks needs recovering; a healthy one costs no write.
    if (!node || (isReady(node) && !hasTaint(node, UNREACHABLE_TAINT))) return;
    const { stored, changed } = await this.rewrite<Node>("nodes", "", nodeName, (cur) => markReachable(cur, now));
    await this.d.timers.cancelPrefix(evictPrefix(nodeName));
    if (changed) {
      await this.d.registry.commit([eventWrite(stored, { type: "Normal", reason: "NodeReady", message: `Node ${nodeName} status is now: NodeReady`, source: { component: "kubelet", host: nodeName } }, now)]);
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
