// What the Scheduler DO knows, kept apart from its I/O so it can be tested without
// bindings: the cluster view (nodes and the pods on them) and the scheduling queue
// (pods waiting for a node), and the rules that turn store changes into both.
//
// Rules, per pod change (from a list or the change log, applied in revision order):
// - a change older than (or equal to) what is held for that key is ignored: the
//   view may already hold a newer version, e.g. the scheduler's own bind, learnt
//   from its commit before the change log is read;
// - bound and running: accounted on its node, never queued;
// - bound and finished (Succeeded/Failed) or deleted: its resources are freed,
//   which is an AssignedPodDelete event for parked pods;
// - unbound, ours (schedulerName default-scheduler), not being deleted: queued
//   (queue.add of a known key is an update, and a status-only update, such as the
//   scheduler's own PodScheduled=False, does not wake a parked pod: no write loop).

import type { KubeObject, Node, PersistentVolumeClaim, Pod } from "../model/types";
import type { PodDisruptionBudget } from "../model/policy-types";
import { ClusterView } from "./cluster-view";
import { nodeUpdateEvents, type ClusterEvent } from "./events";
import { isTerminal, podInfoOf, podKey } from "./node-info";
import type { PodInfo } from "./framework";
import { SchedulingQueue, type QueueOptions } from "./queue";

export const SCHEDULER_NAME = "default-scheduler";

function isOurs(pod: Pod): boolean {
  return (pod.spec.schedulerName || SCHEDULER_NAME) === SCHEDULER_NAME;
}

function rvOf(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion ?? 0);
}

export class SchedulerState {
  view = new ClusterView();
  readonly queue: SchedulingQueue;
  /** Keys given to the queue and not yet removed: a relist drops the ones that vanished. */
  private readonly queued = new Set<string>();
  /** PersistentVolumeClaims by "namespace/name", for VolumeBinding. */
  claims = new Map<string, PersistentVolumeClaim>();
  private budgets = new Map<string, PodDisruptionBudget>();
  private budgetList: PodDisruptionBudget[] | undefined;
  /** Pending pods nominated to a node by a preemption (status.nominatedNodeName): node -> key -> pod. */
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNode = new Map<string, string>();

  constructor(opts: QueueOptions) {
    this.queue = new SchedulingQueue(opts);
  }

  /** The resourceVersion held for a pod key, in the view or the queue. */
  heldRv(key: string): number | undefined {
    const placed = this.view.placement(key);
    if (placed) return placed.rv;
    const q = this.queue.get(key);
    return q ? rvOf(q.pod) : undefined;
  }

  applyPod(pod: Pod, deleted: boolean): void {
    const key = podKey(pod);
    const held = this.heldRv(key);
    if (!deleted && held !== undefined && rvOf(pod) <= held) return;
    const node = pod.spec.nodeName;
    if (deleted || (node && isTerminal(pod))) {
      this.dequeue(key);
      if (this.view.remove(key)) this.event("AssignedPodDelete");
      return;
    }
    if (node) {
      this.dequeue(key);
      this.view.place(pod);
      return;
    }
    // Unbound. spec.nodeName never goes back to empty, so a view entry is stale (recreated pod).
    if (this.view.remove(key)) this.event("AssignedPodDelete");
    if (pod.metadata.deletionTimestamp || !isOurs(pod) || isTerminal(pod)) {
      this.dequeue(key);
      return;
    }
    this.queued.add(key);
    this.queue.add(pod);
    this.nominate(pod, pod.status?.nominatedNodeName);
  }

  /** The pods nominated to `node` (the upstream nominator's NominatedPodsForNode). */
  nominatedPods(node: string): readonly PodInfo[] | undefined {
    const m = this.nominated.get(node);
    return m?.size ? [...m.values()] : undefined;
  }

  /** Records (or, without a node, drops) a pending pod's nomination. */
  nominate(pod: Pod, node: string | undefined): void {
    const key = podKey(pod);
    const held = this.nominatedNode.get(key);
    if (held !== undefined) {
      this.nominated.get(held)?.delete(key);
      this.nominatedNode.delete(key);
    }
    if (!node) return;
    let m = this.nominated.get(node);
    if (!m) this.nominated.set(node, (m = new Map()));
    m.set(key, podInfoOf(pod));
    this.nominatedNode.set(key, node);
  }

  applyNode(node: Node, deleted: boolean): void {
    if (deleted) {
      this.view.removeNode(node.metadata.name ?? "");
      return;
    }
    for (const e of this.view.upsertNode(node)) this.event(e);
  }

  /** A claim changed: pods VolumeBinding parked may go now. */
  applyClaim(claim: PersistentVolumeClaim, deleted: boolean): void {
    const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
    const held = this.claims.get(key);
    if (!deleted && held && rvOf(claim) <= rvOf(held)) return;
    if (deleted) this.claims.delete(key);
    else this.claims.set(key, claim);
    this.event("PvcChange");
  }

  /** A PodDisruptionBudget changed: preemption reads the budgets as they are now (no pod becomes schedulable). */
  applyBudget(pdb: PodDisruptionBudget, deleted: boolean): void {
    const key = `${pdb.metadata.namespace}/${pdb.metadata.name}`;
    const held = this.budgets.get(key);
    if (!deleted && held && rvOf(pdb) <= rvOf(held)) return;
    if (deleted) this.budgets.delete(key);
    else this.budgets.set(key, pdb);
    this.budgetList = undefined;
  }

  /** The budgets, as preemption takes them. */
  pdbs(): readonly PodDisruptionBudget[] {
    return (this.budgetList ??= [...this.budgets.values()]);
  }

  /**
   * Rebuild from a full list (start, a compacted change log, periodic insurance).
   * The queue keeps its state (back-off, parked) for pods still pending; the
   * differences from the old view become the events a change log would have given.
   */
  replaceAll(nodes: Node[], pods: Pod[], claims: PersistentVolumeClaim[] = [], budgets: PodDisruptionBudget[] = []): void {
    this.budgets = new Map(budgets.map((b) => [`${b.metadata.namespace}/${b.metadata.name}`, b]));
    this.budgetList = undefined;
    const oldClaims = this.claims;
    this.claims = new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]));
    const old = this.view;
    this.view = new ClusterView();
    const events = new Set<ClusterEvent>();
    for (const n of nodes) {
      const prev = old.node(n.metadata.name ?? "");
      if (!prev) events.add("NodeAdd");
      else for (const e of nodeUpdateEvents(prev.node, n)) events.add(e);
      this.view.upsertNode(n);
    }
    const pending = new Set<string>();
    for (const p of pods) {
      const key = podKey(p);
      if (p.spec.nodeName) {
        if (!isTerminal(p)) this.view.place(p);
        continue;
      }
      if (p.metadata.deletionTimestamp || !isOurs(p) || isTerminal(p)) continue;
      pending.add(key);
      const q = this.queue.get(key);
      if (q && rvOf(p) <= rvOf(q.pod)) continue;
      this.queued.add(key);
      this.queue.add(p);
      this.nominate(p, p.status?.nominatedNodeName);
    }
    for (const key of [...this.queued]) if (!pending.has(key)) this.dequeue(key);
    for (const key of old.placedKeys()) {
      if (!this.view.placement(key)) {
        events.add("AssignedPodDelete");
        break;
      }
    }
    if (claims.length !== oldClaims.size || claims.some((c) => oldClaims.get(`${c.metadata.namespace}/${c.metadata.name}`)?.metadata.resourceVersion !== c.metadata.resourceVersion)) {
      events.add("PvcChange");
    }
    for (const e of events) this.event(e);
  }

  /** The scheduler decided `node` for `pod`: account it now so the next decision sees it. */
  assume(pod: Pod, node: string): void {
    this.view.place({ ...pod, spec: { ...pod.spec, nodeName: node } }, true);
  }

  /** The bind was written: hold the stored pod (its newer resourceVersion skips older changes). */
  confirm(key: string, stored: Pod): void {
    this.queue.done(key);
    this.queued.delete(key);
    this.nominate(stored, undefined);
    this.view.place(stored);
  }

  /** The bind was refused or failed: free what was assumed (that may let a parked pod fit). */
  forget(key: string): void {
    if (this.view.placement(key)?.assumed && this.view.remove(key)) this.event("AssignedPodDelete");
  }

  /** The pod is gone or no longer ours. */
  dequeue(key: string): void {
    this.queued.delete(key);
    this.queue.delete(key);
    const node = this.nominatedNode.get(key);
    if (node !== undefined) {
      this.nominated.get(node)?.delete(key);
      this.nominatedNode.delete(key);
    }
  }

  event(e: ClusterEvent): void {
    this.queue.moveAllToActiveOrBackoff(e);
  }
}
