// The ReplicaSet reconciler as a pure function (upstream replica_set.go syncReplicaSet,
// manageReplicas, calculateStatus): from the ReplicaSet and the pods observed, what to
// adopt, release, create and delete, and the status to report. A ReplicationController
// is reconciled by the same rules over its equality-based selector, as upstream's
// replication manager runs the ReplicaSet controller over a converted object.
import type { Pod, ReplicaSet, ReplicaSetStatus, ReplicationController } from "../model/types";
import { matchesLabels, selectorFromLabelSelector, type LabelRequirement } from "../model/selectors";
import { claimObjects } from "./claim";
import { isPodActive, isPodAvailable, isPodReady, podReadyTime } from "./pod-state";
import { podsToDelete } from "./pod-ranking";
import { canonicalJson } from "./hash";

/** Upstream BurstReplicas: at most this many creates or deletes per sync. */
const BURST_REPLICAS = 500;

/** What this planner keeps running: a ReplicaSet or a ReplicationController. */
export type Replicated = ReplicaSet | ReplicationController;

/** Its selector as requirements: a ReplicationController's label map is all equalities. */
export function replicatedSelector(obj: Replicated): LabelRequirement[] | null {
  if (obj.kind === "ReplicationController") return selectorFromLabelSelector({ matchLabels: obj.spec.selector ?? {} });
  return selectorFromLabelSelector(obj.spec.selector);
}

interface ReplicaSetObservation {
  rs: Replicated;
  /** Pods carrying this ReplicaSet's controller reference, in any state. */
  owned: Pod[];
  /** Pods without a controller reference in the namespace; undefined when not scanned. */
  orphans?: Pod[];
  /** Pods of sibling ReplicaSets (same owner): crowded nodes lose pods first. */
  siblings?: Pod[];
  now: number;
}

export interface ReplicaSetPlan {
  adopt: Pod[];
  release: Pod[];
  /** How many new pods to create from the template. */
  create: number;
  /** Pods to delete, worst first. */
  remove: Pod[];
  status: ReplicaSetStatus;
  statusChanged: boolean;
  /** Reconcile again after this long (a ready pod becoming available). */
  requeueAfterMs?: number;
}

export function planReplicaSet(obs: ReplicaSetObservation, burst = BURST_REPLICAS): ReplicaSetPlan {
  const { rs, now } = obs;
  const selector = replicatedSelector(rs);
  const claim = claimObjects(rs, selector, [...obs.owned, ...(obs.orphans ?? [])]);
  const active = claim.owned.filter(isPodActive);
  const desired = rs.spec.replicas ?? 1;

  let create = 0;
  let remove: Pod[] = [];
  // A ReplicaSet being deleted only reports; the garbage collector removes its pods.
  if (!rs.metadata.deletionTimestamp) {
    const diff = active.length - desired;
    if (diff < 0) create = Math.min(-diff, burst);
    else if (diff > 0) {
      const related = [...active, ...(obs.siblings ?? []).filter(isPodActive)];
      remove = podsToDelete(active, related, Math.min(diff, burst));
    }
  }

  const status = replicaSetStatus(rs, active, now);
  return {
    adopt: claim.adopt,
    release: claim.release,
    create,
    remove,
    status,
    statusChanged: canonicalJson(status) !== canonicalJson(rs.status ?? {}),
    requeueAfterMs: nextAvailability(active, rs.spec.minReadySeconds ?? 0, now),
  };
}

/** calculateStatus: counts over the active pods; zero counts are omitted as Go does. */
function replicaSetStatus(rs: Replicated, active: Pod[], now: number): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const templateSelector = Object.entries(templateLabels).map(([key, v]) => ({ key, operator: "=" as const, values: [v] }));
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of active) {
    if (matchesLabels(templateSelector, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const status: ReplicaSetStatus = { replicas: active.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return status;
}

/** When the next ready pod passes minReadySeconds (so availableReplicas changes). */
function nextAvailability(active: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of active) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const since = podReadyTime(pod) ?? now;
    const after = since + minReadySeconds * 1000 - now;
    next = next === undefined ? after : Math.min(next, after);
  }
  return next === undefined ? undefined : Math.max(0, next) + 100;
}
