// Deployment status and its conditions (upstream deployment sync.go calculateStatus and
// progress.go syncRolloutStatus), with the reasons and messages `kubectl rollout status`
// and `kubectl describe` show.
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from "../model/types";
import { isoSeconds } from "../config";
import {
  actualReplicas,
  availableReplicas,
  hasProgressDeadline,
  maxUnavailable,
  readyReplicas,
  replicasOf,
  specReplicas,
} from "./deployment-util";
import { timeOf } from "./pod-state";

export const REASON = {
  MinimumReplicasAvailable: "MinimumReplicasAvailable",
  MinimumReplicasUnavailable: "MinimumReplicasUnavailable",
  NewReplicaSetCreated: "NewReplicaSetCreated",
  FoundNewReplicaSet: "FoundNewReplicaSet",
  ReplicaSetUpdated: "ReplicaSetUpdated",
  NewReplicaSetAvailable: "NewReplicaSetAvailable",
  ProgressDeadlineExceeded: "ProgressDeadlineExceeded",
  DeploymentPaused: "DeploymentPaused",
  DeploymentResumed: "DeploymentResumed",
} as const;

export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: Condition["status"], reason: string, message: string, now: number): Condition {
  const t = isoSeconds(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * SetDeploymentCondition: same status and reason is no change; same status keeps the
 * transition time; the condition moves to the end of the list.
 */
export function setCondition(status: DeploymentStatus, cond: Condition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond = { ...cond, lastTransitionTime: current.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** Drop zero counts the way Go's omitempty does, so stored status looks like a real one. */
function omitZeros(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [k, v] of Object.entries(s) as [keyof DeploymentStatus, unknown][]) {
    if (v === undefined || v === 0) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** calculateStatus: counts from the ReplicaSets, plus the Available condition. */
export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status = omitZeros({
    observedGeneration: d.metadata.generation,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    collisionCount: d.status?.collisionCount,
  });
  if (d.status?.collisionCount === 0) status.collisionCount = 0;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition("Available", "True", REASON.MinimumReplicasAvailable, "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition("Available", "False", REASON.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
  }
  return status;
}

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available pods. */
function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress recorded within progressDeadlineSeconds. */
function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, "Progressing");
  if (!c || c.reason === REASON.NewReplicaSetAvailable) return false;
  if (c.reason === REASON.ProgressDeadlineExceeded) return true;
  const from = timeOf(c.lastUpdateTime) ?? now;
  return from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 < now;
}

interface RolloutStatus {
  status: DeploymentStatus;
  /** Look again after this long to notice a missed progress deadline. */
  requeueAfterMs?: number;
}

/** syncRolloutStatus: the new status with the Progressing condition brought up to date. */
export function rolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: number): RolloutStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");

  const current = getCondition(d.status, "Progressing");
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === REASON.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = newRS?.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = name ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setCondition(status, newCondition("Progressing", "True", REASON.NewReplicaSetAvailable, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = name ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition("Progressing", "True", REASON.ReplicaSetUpdated, msg, now);
      // Progress refreshes lastUpdateTime even with the same reason (the deadline counts from it).
      if (current) {
        if (current.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, "Progressing");
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition("Progressing", "False", REASON.ProgressDeadlineExceeded, msg, now));
    }
  }
  return { status, requeueAfterMs: stuckRequeue(d, status, now) };
}

/** requeueStuckDeployment: when to look again for a deadline that may pass unnoticed. */
function stuckRequeue(d: Deployment, status: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(d.status, "Progressing");
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, status) || c.reason === REASON.ProgressDeadlineExceeded) return undefined;
  const deadline = (timeOf(c.lastUpdateTime) ?? now) + (d.spec.progressDeadlineSeconds ?? 600) * 1000;
  return Math.max(1000, deadline - now + 1000);
}
