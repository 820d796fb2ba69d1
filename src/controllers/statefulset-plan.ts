// The StatefulSet reconciler as a pure function (upstream stateful_set_control.go
// updateStatefulSet, processReplica, processCondemned and the rolling update): from the
// set, its pods, the claims that exist and its two revisions, one batch of actions —
// claims to create (before their pod), pods to create, pods to delete — and the status.
//
// Ordinals in [start, start+replicas) are replicas, the others are condemned. With
// OrderedReady ("monotonic") the first pod that is missing, terminating, or not Running
// and Ready (and available) stops the pass: pods come up one at a time in ordinal
// order, and only then is the highest condemned pod deleted, one at a time. Parallel
// does everything at once. A pod whose name is taken by a terminating pod is never
// created beside it: the name is the identity, so a node failure never yields two.
// RollingUpdate then deletes the highest-ordinal pod (at or above the partition) not at
// the update revision, once every pod above it is available again; OnDelete leaves
// that to the user.
import type { ControllerRevision, KubeObject, Pod, PodTemplateSpec, StatefulSet, StatefulSetStatus } from "../model/types";
import { canonicalJson } from "./hash";
import { isPodReady, podReadyTime } from "./pod-state";
import { revisionTemplate } from "./statefulset-history";
import {
  endOrdinal, isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating, isUnavailable, parentAndOrdinal, podName, revisionOf, startOrdinal, statefulClaims,
} from "./stateful-pods";

export interface StatefulSetObservation {
  set: StatefulSet;
  /** Pods carrying the set's controller reference, in any state. */
  pods: Pod[];
  /** Names of the PersistentVolumeClaims that exist in the set's namespace. */
  claims: ReadonlySet<string>;
  current: ControllerRevision;
  update: ControllerRevision;
  now: number;
}

export interface PodToCreate {
  ordinal: number;
  name: string;
  /** The revision's name, the pod's controller-revision-hash label. */
  revision: string;
  template: PodTemplateSpec;
}

export interface StatefulSetPlan {
  /** Claims to create, each with the pod it is for (created before that pod). */
  claims: { claim: KubeObject; pod: string }[];
  create: PodToCreate[];
  /** Pods to delete: failed ones, condemned ones, and the one a rolling update replaces. */
  remove: Pod[];
  status: StatefulSetStatus;
  statusChanged: boolean;
  /** Reconcile again after this long (a ready pod becoming available). */
  requeueAfterMs?: number;
}

/** A replica slot: a pod that exists, or one this pass creates. */
type Slot = { pod: Pod } | { planned: PodToCreate };

interface Pass {
  obs: StatefulSetObservation;
  minReady: number;
  monotonic: boolean;
  plan: StatefulSetPlan;
}

const slotRevision = (s: Slot) => ("pod" in s ? revisionOf(s.pod) : s.planned.revision);

/** newVersionedStatefulSetPod: below the partition pods keep the current revision. */
function plannedPod(obs: StatefulSetObservation, ordinal: number): PodToCreate {
  const { set, current, update } = obs;
  const strategy = set.spec.updateStrategy;
  const ru = strategy?.rollingUpdate;
  const keepCurrent = (strategy?.type ?? "RollingUpdate") === "RollingUpdate" && (ru ? ordinal < (ru.partition ?? 0) : ordinal < (set.status?.currentReplicas ?? 0));
  const revision = keepCurrent ? current : update;
  const template = keepCurrent ? revisionTemplate(current) : structuredClone(set.spec.template);
  return { ordinal, name: podName(set, ordinal), revision: revision.metadata.name ?? "", template };
}

/** The claims of `ordinal` that do not exist yet (createMissingPersistentVolumeClaims). */
function missingClaims(p: Pass, ordinal: number): void {
  const pod = podName(p.obs.set, ordinal);
  for (const claim of statefulClaims(p.obs.set, ordinal)) {
    const name = claim.metadata.name ?? "";
    if (p.obs.claims.has(name) || p.plan.claims.some((c) => c.claim.metadata.name === name)) continue;
    p.plan.claims.push({ claim, pod });
  }
}

/** processReplica: true when an OrderedReady pass must stop here. */
function processReplica(p: Pass, slots: Slot[], i: number): boolean {
  const slot = slots[i];
  if ("planned" in slot) {
    missingClaims(p, slot.planned.ordinal);
    p.plan.create.push(slot.planned);
    return p.monotonic;
  }
  const pod = slot.pod;
  const phase = pod.status?.phase;
  // A finished pod (evicted, or stopped with its node) is deleted; its successor comes once it is gone.
  if (phase === "Failed" || phase === "Succeeded") {
    if (!isTerminating(pod)) p.plan.remove.push(pod);
    return true;
  }
  if (phase === "Pending") missingClaims(p, parentAndOrdinal(pod.metadata.name).ordinal);
  if (!p.monotonic) return false;
  // Terminating, not yet Running and Ready, or not yet available: the next waits.
  return isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, p.minReady, p.obs.now);
}

/** processCondemned: true when an OrderedReady pass must stop here. */
function processCondemned(p: Pass, pod: Pod, firstUnhealthy: Pod | undefined): boolean {
  if (isTerminating(pod)) return p.monotonic;
  if (p.monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, p.minReady, p.obs.now))) return true;
  p.plan.remove.push(pod);
  return true;
}

/** computeReplicaStatus over the pods with an ordinal. */
function replicaStatus(pods: Pod[], p: Pass): StatefulSetStatus {
  const { current, update, now } = p.obs;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let currentCount = 0;
  let updated = 0;
  for (const pod of pods) {
    if (isCreated(pod)) replicas++;
    if (isRunningAndReady(pod)) {
      ready++;
      if (isRunningAndAvailable(pod, p.minReady, now)) available++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (revisionOf(pod) === current.metadata.name) currentCount++;
      if (revisionOf(pod) === update.metadata.name) updated++;
    }
  }
  return { replicas, readyReplicas: ready, currentReplicas: currentCount, updatedReplicas: updated, availableReplicas: available };
}

export function planStatefulSet(obs: StatefulSetObservation): StatefulSetPlan {
  const { set, now } = obs;
  const minReady = set.spec.minReadySeconds ?? 0;
  const plan: StatefulSetPlan = { claims: [], create: [], remove: [], status: { replicas: 0, availableReplicas: 0 }, statusChanged: false };
  const p: Pass = { obs, minReady, monotonic: set.spec.podManagementPolicy !== "Parallel", plan };

  // Partition the members (named `<set>-<ordinal>`) into replicas and condemned.
  const start = startOrdinal(set);
  const end = endOrdinal(set);
  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  const members: Pod[] = [];
  for (const pod of obs.pods) {
    const { parent, ordinal } = parentAndOrdinal(pod.metadata.name);
    if (parent !== set.metadata.name || ordinal < 0) continue;
    members.push(pod);
    if (ordinal >= start && ordinal <= end) byOrdinal.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => parentAndOrdinal(b.metadata.name).ordinal - parentAndOrdinal(a.metadata.name).ordinal);
  const slots: Slot[] = [];
  for (let ord = start; ord <= end; ord++) {
    const pod = byOrdinal.get(ord);
    slots.push(pod ? { pod } : { planned: plannedPod(obs, ord) });
  }

  let status = replicaStatus(members, p);
  if (!set.metadata.deletionTimestamp) status = act(p, slots, condemned, status);

  // completeRollingUpdate: every pod updated and ready, the update revision becomes current.
  let currentRevision = obs.current.metadata.name ?? "";
  const updateRevision = obs.update.metadata.name ?? "";
  if ((set.spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate" && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    currentRevision = updateRevision;
  }
  plan.status = formatStatus(set, status, currentRevision, updateRevision);
  plan.statusChanged = canonicalJson(plan.status) !== canonicalJson(set.status ?? {});
  plan.requeueAfterMs = nextAvailability(members, minReady, now);
  return plan;
}

/** The pass over replicas, condemned pods and the rolling update; returns the status after it. */
function act(p: Pass, slots: Slot[], condemned: Pod[], status: StatefulSetStatus): StatefulSetStatus {
  const { set, now } = p.obs;
  const unavailable = (s: Slot) => "planned" in s || isUnavailable(s.pod, p.minReady, now);
  // The first unhealthy pod: among replicas in order, else the lowest condemned one.
  const firstUnhealthySlot = slots.find(unavailable);
  const firstUnhealthy = firstUnhealthySlot && "pod" in firstUnhealthySlot ? firstUnhealthySlot.pod : firstUnhealthySlot ? undefined : [...condemned].reverse().find((c) => isUnavailable(c, p.minReady, now));

  for (let i = 0; i < slots.length; i++) if (processReplica(p, slots, i) && p.monotonic) return status;
  for (const pod of condemned) if (processCondemned(p, pod, firstUnhealthy) && p.monotonic) return status;
  if (set.spec.updateStrategy?.type === "OnDelete") return status;

  // The rolling update: from the highest ordinal down to the partition, one pod at a time.
  const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const updateRevision = p.obs.update.metadata.name;
  for (let target = slots.length - 1; target >= partition; target--) {
    const slot = slots[target];
    if (slotRevision(slot) !== updateRevision && "pod" in slot && !isTerminating(slot.pod)) {
      p.plan.remove.push(slot.pod);
      return { ...status, currentReplicas: (status.currentReplicas ?? 0) - 1 };
    }
    if (unavailable(slot)) return status;
  }
  return status;
}

/** The status as apps/v1 writes it: zero counts with omitempty left out, collisionCount always. */
function formatStatus(set: StatefulSet, counts: StatefulSetStatus, currentRevision: string, updateRevision: string): StatefulSetStatus {
  const status: StatefulSetStatus = { replicas: counts.replicas, availableReplicas: counts.availableReplicas };
  if (set.metadata.generation) status.observedGeneration = set.metadata.generation;
  if (counts.readyReplicas) status.readyReplicas = counts.readyReplicas;
  if (counts.currentReplicas) status.currentReplicas = counts.currentReplicas;
  if (counts.updatedReplicas) status.updatedReplicas = counts.updatedReplicas;
  if (currentRevision) status.currentRevision = currentRevision;
  if (updateRevision) status.updateRevision = updateRevision;
  status.collisionCount = set.status?.collisionCount ?? 0;
  if (set.status?.conditions?.length) status.conditions = set.status.conditions;
  return status;
}

/** When the next ready pod passes minReadySeconds (so availableReplicas changes and the next may start). */
function nextAvailability(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (isTerminating(pod) || !isPodReady(pod) || isRunningAndAvailable(pod, minReadySeconds, now)) continue;
    const after = (podReadyTime(pod) ?? now) + minReadySeconds * 1000 - now;
    next = next === undefined ? after : Math.min(next, after);
  }
  return next === undefined ? undefined : Math.max(0, next) + 100;
}
