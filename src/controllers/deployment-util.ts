// The arithmetic and bookkeeping of Deployments (upstream deployment/util/deployment_util.go):
// surge and unavailability fenceposts, replica-count annotations, revisions, and the
// orderings of ReplicaSets. Pure functions over API objects.
import type { Deployment, ReplicaSet } from "../model/types";
import { timeOf } from "./pod-state";
import { equalIgnoreHash } from "./hash";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
const ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to";

/** Deployment annotations never copied onto its ReplicaSets. */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

/** Revision history kept in the revision-history annotation, in characters. */
const MAX_REV_HISTORY_CHARS = 2000;
const MAX_INT32 = 2147483647;

type IntOrString = number | string | undefined | null;

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of total rounded up or down.
 * Anything else is an error (validation rejects it before it is stored).
 */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

export function replicasOf(obj: { spec: { replicas?: number } }): number {
  return obj.spec.replicas ?? 1;
}

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; if both come
 * out zero, one pod may be unavailable (else the rollout could never move).
 */
export function resolveFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function rollingParams(d: Deployment): { maxSurge: IntOrString; maxUnavailable: IntOrString } {
  const ru = d.spec.strategy?.rollingUpdate;
  return { maxSurge: ru?.maxSurge ?? "25%", maxUnavailable: ru?.maxUnavailable ?? "25%" };
}

/** MaxSurge: how many pods above spec.replicas a rolling update may run. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const p = rollingParams(d);
  return resolveFenceposts(p.maxSurge, p.maxUnavailable, replicasOf(d)).surge;
}

/** MaxUnavailable: how many of spec.replicas may be unavailable, never above replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const p = rollingParams(d);
  return Math.min(resolveFenceposts(p.maxSurge, p.maxUnavailable, replicas).unavailable, replicas);
}

// ---- sums over ReplicaSets ----

export const specReplicas = (rss: (ReplicaSet | undefined)[]) => rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
export const actualReplicas = (rss: (ReplicaSet | undefined)[]) => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const readyReplicas = (rss: (ReplicaSet | undefined)[]) => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const availableReplicas = (rss: (ReplicaSet | undefined)[]) => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** FilterActiveReplicaSets: the ones asked to run pods. */
export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
}

// ---- orderings ----

function created(rs: ReplicaSet): number {
  return timeOf(rs.metadata.creationTimestamp) ?? 0;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const na = a.metadata.name ?? "";
  const nb = b.metadata.name ?? "";
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first, older first among equals (scaling down). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const d = replicasOf(b) - replicasOf(a);
  return d !== 0 ? d : byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, newer first among equals (scaling up). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const d = replicasOf(b) - replicasOf(a);
  return d !== 0 ? d : byCreation(b, a);
}

// ---- revisions and annotations ----

function revisionOf(rs: { metadata: { annotations?: Record<string, string> } }): number {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** ReplicaSetsByRevision: lowest revision first (cleanup removes from the front). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreation(a, b);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Writes desired/max replicas annotations; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  const d = String(desired);
  const m = String(max);
  if (ann[DESIRED_REPLICAS_ANNOTATION] === d && ann[MAX_REPLICAS_ANNOTATION] === m) return false;
  ann[DESIRED_REPLICAS_ANNOTATION] = d;
  ann[MAX_REPLICAS_ANNOTATION] = m;
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** copyDeploymentAnnotationsToReplicaSet: true when something changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copy the deployment's annotations, raise the revision
 * to `newRevision` (a rollback to this ReplicaSet keeps its old numbers in
 * revision-history), and on creation the replica annotations. True when changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const had = ann[REVISION_ANNOTATION];
  const oldRevision = had === undefined || had === "" ? 0 : Number(had);
  if (!Number.isInteger(oldRevision)) return changed;
  if (oldRevision < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had !== undefined && had !== "") {
      const history = ann[REVISION_HISTORY_ANNOTATION];
      if (!history) ann[REVISION_HISTORY_ANNOTATION] = had;
      else {
        const parts = history.split(",");
        let total = history.length + had.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_CHARS && start < parts.length) total -= parts[start++].length + 1;
        if (total <= MAX_REV_HISTORY_CHARS) ann[REVISION_HISTORY_ANNOTATION] = [...parts.slice(start), had].join(",");
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: true when the deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const ann = (d.metadata.annotations ??= {});
  if (ann[REVISION_ANNOTATION] === revision) return false;
  ann[REVISION_ANNOTATION] = revision;
  return true;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}

/** Round half away from zero, as Go's math.Round. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** getReplicaSetFraction: this ReplicaSet's share of a proportional resize. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -replicasOf(rs);
  const deploymentMax = replicas + maxSurge(d);
  let before = maxReplicasAnnotation(rs);
  if (!before) {
    // Someone scaled by hand: fall back to the current size (the min/max in
    // proportion() still keeps the total within bounds).
    before = replicas;
  }
  const newSize = (replicasOf(rs) * deploymentMax) / before;
  return roundHalfAway(newSize) - replicasOf(rs);
}

/** GetProportion: how many replicas this ReplicaSet gains (or loses) in a resize. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** IsSaturated: the new ReplicaSet runs all of spec.replicas, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const replicas = replicasOf(d);
  const surge = scaledValue(rollingParams(d).maxSurge, replicas, true);
  const current = specReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}
