// The Deployment reconciler as a pure function (upstream deployment controller:
// syncDeployment, sync/scale, rolloutRolling, rolloutRecreate, getNewReplicaSet,
// cleanupDeployment, syncRolloutStatus). Upstream issues one API call per step; here
// every step edits working copies and the result is one set of writes the caller
// commits in a single batch, so a sync is all-or-nothing.
import type { Deployment, LabelSelector, Pod, ReplicaSet } from "../model/types";
import { selectorFromLabelSelector } from "../model/selectors";
import { isoSeconds } from "../config";
import { claimObjects } from "./claim";
import { canonicalJson, computeHash, POD_TEMPLATE_HASH_LABEL } from "./hash";
import { newControllerRef } from "./pod-state";
import {
  activeReplicaSets,
  availableReplicas,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasAnnotation,
  findNewReplicaSet,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from "./deployment-util";
import { calculateStatus, deploymentComplete, getCondition, newCondition, REASON, rolloutStatus, setCondition } from "./deployment-status";

interface DeploymentObservation {
  deployment: Deployment;
  /** Every ReplicaSet in the deployment's namespace (ownership is decided here). */
  replicaSets: ReplicaSet[];
  /** Pods per ReplicaSet uid; needed by Recreate to wait for old pods to go. */
  podsByReplicaSet?: Map<string, Pod[]>;
  now: number;
}

interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface DeploymentPlan {
  /** New ReplicaSets, without server-set metadata (uid, creationTimestamp). */
  create: ReplicaSet[];
  /** Changed ReplicaSets, carrying the resourceVersion they were read at. */
  update: ReplicaSet[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  remove: ReplicaSet[];
  /** The deployment with new annotations/status, when they changed. */
  deployment?: Deployment;
  /** Events on the deployment. */
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

interface Tracked {
  rs: ReplicaSet;
  original?: ReplicaSet;
}

/** Working state of one sync: copies of the deployment and of the ReplicaSets it owns. */
class Sync {
  readonly d: Deployment;
  readonly owned: Tracked[] = [];
  readonly released: ReplicaSet[] = [];
  readonly removed: ReplicaSet[] = [];
  readonly events: PlannedEvent[] = [];
  readonly namesTaken: Set<string>;
  requeueAfterMs?: number;

  constructor(
    readonly obs: DeploymentObservation,
    readonly now: number,
  ) {
    this.d = structuredClone(obs.deployment);
    this.namesTaken = new Set(obs.replicaSets.map((rs) => rs.metadata.name ?? ""));
    const claim = claimObjects(this.d, selectorFromLabelSelector(this.d.spec.selector), obs.replicaSets);
    const originals = new Map(obs.replicaSets.map((rs) => [rs.metadata.name, rs]));
    for (const rs of claim.owned) this.owned.push({ rs: structuredClone(rs), original: originals.get(rs.metadata.name) });
    this.released.push(...claim.release);
  }

  all(): ReplicaSet[] {
    return this.owned.map((t) => t.rs);
  }

  event(reason: string, message: string): void {
    this.events.push({ type: "Normal", reason, message });
  }
}

export function planDeployment(obs: DeploymentObservation): DeploymentPlan {
  const s = new Sync(obs, obs.now);
  const d = s.d;
  if (d.metadata.deletionTimestamp) syncStatusOnly(s);
  else {
    checkPausedConditions(s);
    if (d.spec.paused) sync(s);
    else if (isScalingEvent(s)) sync(s);
    else if (isRollingUpdate(d)) rolloutRolling(s);
    else rolloutRecreate(s);
  }
  return finish(s);
}

function finish(s: Sync): DeploymentPlan {
  const plan: DeploymentPlan = { create: [], update: [...s.released], remove: s.removed, events: s.events, requeueAfterMs: s.requeueAfterMs };
  const removedNames = new Set(s.removed.map((rs) => rs.metadata.name));
  for (const t of s.owned) {
    if (!t.original) {
      plan.create.push(t.rs);
      continue;
    }
    if (removedNames.has(t.rs.metadata.name)) continue;
    if (canonicalJson(t.rs) === canonicalJson(t.original)) continue;
    // The registry's update strategy moves the generation when the spec changed.
    plan.update.push(t.rs);
  }
  const before = s.obs.deployment;
  if (canonicalJson(s.d.metadata) !== canonicalJson(before.metadata) || canonicalJson(s.d.status ?? {}) !== canonicalJson(before.status ?? {})) {
    plan.deployment = s.d;
  }
  return plan;
}

// ---- finding and creating the new ReplicaSet ----

type NewRS = { rs: ReplicaSet | undefined; collision: boolean };

/** getNewReplicaSet: find (and bring up to date) or create the ReplicaSet of the current template. */
function getNewReplicaSet(s: Sync, createIfMissing: boolean): NewRS {
  const d = s.d;
  const all = s.all();
  const existing = findNewReplicaSet(d, all);
  const old = all.filter((rs) => rs !== existing);
  const newRevision = maxRevision(old) + 1;

  if (existing) {
    setNewReplicaSetAnnotations(d, existing, newRevision, true);
    const minReady = d.spec.minReadySeconds ?? 0;
    if ((existing.spec.minReadySeconds ?? 0) !== minReady) {
      if (minReady) existing.spec.minReadySeconds = minReady;
      else delete existing.spec.minReadySeconds;
    }
    setDeploymentRevision(d, existing.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(d.status, "Progressing")) {
      d.status ??= {};
      setCondition(d.status, newCondition("Progressing", "True", REASON.FoundNewReplicaSet, `Found new replica set "${existing.metadata.name}"`, s.now));
    }
    return { rs: existing, collision: false };
  }
  if (!createIfMissing) return { rs: undefined, collision: false };

  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const name = `${d.metadata.name}-${hash}`;
  if (s.namesTaken.has(name)) {
    // Another ReplicaSet already has this name (not ours, or a different template):
    // a hash collision. Count it so the next hash differs, and try again.
    d.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
    s.requeueAfterMs = 0;
    return { rs: undefined, collision: true };
  }
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector: LabelSelector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [newControllerRef(d)],
      creationTimestamp: isoSeconds(s.now),
    },
    spec: { replicas: 0, selector, template, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  rs.spec.replicas = newRSNewReplicas(d, [...old, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false);
  s.owned.push({ rs });
  s.namesTaken.add(name);
  if (rs.spec.replicas > 0) s.event("ScalingReplicaSet", `Scaled up replica set ${name} to ${rs.spec.replicas} from 0`);
  setDeploymentRevision(d, String(newRevision));
  if (hasProgressDeadline(d)) {
    d.status ??= {};
    setCondition(d.status, newCondition("Progressing", "True", REASON.NewReplicaSetCreated, `Created new replica set "${name}"`, s.now));
  }
  return { rs, collision: false };
}

// ---- scaling ----

/** scaleReplicaSet: new size and replica annotations; an event when the size moved. */
function scaleReplicaSet(s: Sync, rs: ReplicaSet, newScale: number, operation?: "up" | "down"): boolean {
  const d = s.d;
  const oldScale = replicasOf(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const max = replicasOf(d) + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return false;
  rs.spec.replicas = newScale;
  setReplicasAnnotations(rs, replicasOf(d), max);
  if (!sizeNeedsUpdate) return false;
  const op = operation ?? (oldScale < newScale ? "up" : "down");
  s.event("ScalingReplicaSet", `Scaled ${op} replica set ${rs.metadata.name} to ${newScale} from ${oldScale}`);
  return true;
}

/** isScalingEvent: spec.replicas differs from what an active ReplicaSet was sized for. */
function isScalingEvent(s: Sync): boolean {
  const { rs: newRS, collision } = getNewReplicaSet(s, false);
  if (collision) return false;
  const all = [...s.all().filter((rs) => rs !== newRS), newRS];
  for (const rs of activeReplicaSets(all)) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicasOf(s.d)) return true;
  }
  return false;
}

/**
 * scale: a resize while paused or mid-rollout is spread over the active ReplicaSets in
 * proportion to their size, so a resize never speeds up or slows down a rollout.
 */
function scale(s: Sync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const d = s.d;
  const replicas = replicasOf(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== replicas) scaleReplicaSet(s, activeOrLatest, replicas);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) scaleReplicaSet(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  let operation: "up" | "down" | undefined;
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = "up";
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = "down";
  }
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs, replicasOf(rs));
  }
  all.forEach((rs, i) => {
    let size = sizes.get(rs)!;
    // Leftovers go to the largest ReplicaSet.
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    scaleReplicaSet(s, rs, size, operation);
  });
}

/** FindActiveOrLatest: the one active ReplicaSet, the newest if none is; undefined if several. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

// ---- the sync paths ----

function split(s: Sync, newRS: ReplicaSet | undefined): { old: ReplicaSet[]; all: ReplicaSet[] } {
  const old = s.all().filter((rs) => rs !== newRS);
  return { old, all: newRS ? [...old, newRS] : old };
}

function syncStatusOnly(s: Sync): void {
  const { rs: newRS } = getNewReplicaSet(s, false);
  const { all } = split(s, newRS);
  s.d.status = calculateStatus(all, newRS, s.d, s.now);
}

/** checkPausedConditions: Progressing=Unknown while paused, so a pause never times out. */
function checkPausedConditions(s: Sync): void {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, "Progressing");
  if (cond?.reason === REASON.ProgressDeadlineExceeded) return;
  const pausedExists = cond?.reason === REASON.DeploymentPaused;
  d.status ??= {};
  if (d.spec.paused && !pausedExists) {
    setCondition(d.status, newCondition("Progressing", "Unknown", REASON.DeploymentPaused, "Deployment is paused", s.now));
  } else if (!d.spec.paused && pausedExists) {
    setCondition(d.status, newCondition("Progressing", "Unknown", REASON.DeploymentResumed, "Deployment is resumed", s.now));
  }
}

/** sync: a scaling event or a paused deployment: resize only, no rollout. */
function sync(s: Sync): void {
  const { rs: newRS, collision } = getNewReplicaSet(s, false);
  if (collision) return;
  const { old, all } = split(s, newRS);
  scale(s, newRS, old);
  if (s.d.spec.paused) cleanupDeployment(s, old);
  s.d.status = calculateStatus(all, newRS, s.d, s.now);
}

function rolloutRolling(s: Sync): void {
  const { rs: newRS, collision } = getNewReplicaSet(s, true);
  if (collision || !newRS) return;
  const { old, all } = split(s, newRS);
  if (reconcileNewReplicaSet(s, all, newRS) || reconcileOldReplicaSets(s, all, activeReplicaSets(old), newRS)) {
    return syncRolloutStatus(s, all, newRS);
  }
  if (deploymentComplete(s.d, s.d.status ?? {})) cleanupDeployment(s, old);
  syncRolloutStatus(s, all, newRS);
}

function reconcileNewReplicaSet(s: Sync, all: ReplicaSet[], newRS: ReplicaSet): boolean {
  const replicas = replicasOf(s.d);
  if (replicasOf(newRS) === replicas) return false;
  if (replicasOf(newRS) > replicas) return scaleReplicaSet(s, newRS, replicas);
  return scaleReplicaSet(s, newRS, newRSNewReplicas(s.d, all, newRS));
}

/** reconcileOldReplicaSets: scale old ReplicaSets down as far as availability allows. */
function reconcileOldReplicaSets(s: Sync, all: ReplicaSet[], oldActive: ReplicaSet[], newRS: ReplicaSet): boolean {
  if (specReplicas(oldActive) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(all) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old replicas go first: removing them costs no availability.
  const cleaned = cleanupUnhealthyReplicas(s, oldActive, maxScaledDown);
  const scaled = scaleDownOldForRollingUpdate(s, [...oldActive, newRS], oldActive);
  return cleaned + scaled > 0;
}

function cleanupUnhealthyReplicas(s: Sync, oldRSs: ReplicaSet[], maxCleanup: number): number {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const replicas = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    scaleReplicaSet(s, rs, replicas - count);
    total += count;
  }
  return total;
}

function scaleDownOldForRollingUpdate(s: Sync, all: ReplicaSet[], oldRSs: ReplicaSet[]): number {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = availableReplicas(all);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), target - total);
    scaleReplicaSet(s, rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}

function rolloutRecreate(s: Sync): void {
  let { rs: newRS } = getNewReplicaSet(s, false);
  let { old, all } = split(s, newRS);
  // First every old pod goes...
  let scaledDown = false;
  for (const rs of activeReplicaSets(old)) if (scaleReplicaSet(s, rs, 0)) scaledDown = true;
  if (scaledDown || oldPodsRunning(s, newRS, old)) return syncRolloutStatus(s, all, newRS);
  // ...then the new ones come.
  if (!newRS) {
    const created = getNewReplicaSet(s, true);
    if (created.collision || !created.rs) return;
    newRS = created.rs;
    ({ old, all } = split(s, newRS));
  }
  scaleReplicaSet(s, newRS, replicasOf(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) cleanupDeployment(s, old);
  syncRolloutStatus(s, all, newRS);
}

/** oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods has not finished. */
function oldPodsRunning(s: Sync, newRS: ReplicaSet | undefined, old: ReplicaSet[]): boolean {
  if (old.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
  for (const [uid, pods] of s.obs.podsByReplicaSet ?? []) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded")) return true;
  }
  return false;
}

/** cleanupDeployment: keep revisionHistoryLimit old ReplicaSets, deleting the oldest empty ones. */
function cleanupDeployment(s: Sync, old: ReplicaSet[]): void {
  if (!hasRevisionHistoryLimit(s.d)) return;
  const cleanable = old.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - (s.d.spec.revisionHistoryLimit ?? 10);
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    const tracked = s.owned.find((t) => t.rs === rs);
    const original = tracked?.original;
    // Never one that still has pods, or whose latest spec its controller has not seen.
    if (!original || (rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    if (canonicalJson(rs.spec) !== canonicalJson(original.spec)) continue;
    s.removed.push(original);
  }
}

function syncRolloutStatus(s: Sync, all: ReplicaSet[], newRS: ReplicaSet | undefined): void {
  const r = rolloutStatus(all, newRS, s.d, s.now);
  s.d.status = r.status;
  if (r.requeueAfterMs !== undefined) s.requeueAfterMs = Math.min(s.requeueAfterMs ?? Infinity, r.requeueAfterMs);
}
