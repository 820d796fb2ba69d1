// Garbage-collector decisions as pure functions (upstream garbagecollector
// attemptToDeleteItem / processDeletingDependentsItem / orphanDependents, reduced to
// what ownerReferences by uid can tell).
import type { KubeObject } from "../model/types";
import { planDeletion } from "../registry/deletion";
import type { WriteOp } from "../registry/ops";

export const FOREGROUND = "foregroundDeletion";
export const ORPHAN = "orphan";

type GcDecision =
  | { action: "keep" }
  /** Some owners are gone but others remain: drop the dangling references only. */
  | { action: "drop-references"; uids: string[] }
  /** Every owner is gone: the dependent goes too. */
  | { action: "delete" };

/** What to do with a dependent, given which uids still exist. */
export function gcDecision(obj: KubeObject, existing: ReadonlySet<string>): GcDecision {
  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { action: "keep" };
  const dangling = refs.filter((r) => !existing.has(r.uid)).map((r) => r.uid);
  if (dangling.length === 0) return { action: "keep" };
  if (dangling.length === refs.length) return { action: "delete" };
  return { action: "drop-references", uids: dangling };
}

/** The store writes that carry out a delete request (or none when nothing changes). */
export function deletionOps(resource: string, obj: KubeObject, propagation: "Foreground" | "Background" | undefined, now: number): WriteOp[] {
  const next = planDeletion(resource, obj, propagation ? { propagationPolicy: propagation } : {}, now);
  const expectedRv = Number(obj.metadata.resourceVersion);
  if (next === null) return [{ op: "delete", resource, object: obj, expectedRv }];
  if (JSON.stringify(next) === JSON.stringify(obj)) return [];
  return [{ op: "update", resource, object: next, expectedRv }];
}

/** The write that applies a GC decision to a dependent. */
export function gcOps(resource: string, obj: KubeObject, decision: GcDecision, now: number): WriteOp[] {
  switch (decision.action) {
    case "keep":
      return [];
    case "delete":
      return deletionOps(resource, obj, undefined, now);
    case "drop-references":
      return [withoutOwners(resource, obj, new Set(decision.uids))];
  }
}

/** An update removing the references to `uids` (orphaning, or a dangling reference). */
export function withoutOwners(resource: string, obj: KubeObject, uids: ReadonlySet<string>): WriteOp {
  const next = structuredClone(obj);
  next.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
  return { op: "update", resource, object: next, expectedRv: Number(obj.metadata.resourceVersion) };
}

/**
 * The owner after dropping `finalizer`: an update, or its removal when it was being
 * deleted and no finalizer is left (what the API server does on such an update).
 */
export function finalizerRemovalOp(resource: string, owner: KubeObject, finalizer: string): WriteOp | undefined {
  const left = (owner.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (left.length === (owner.metadata.finalizers ?? []).length) return undefined;
  const expectedRv = Number(owner.metadata.resourceVersion);
  if (left.length === 0 && owner.metadata.deletionTimestamp) return { op: "delete", resource, object: owner, expectedRv };
  const next = structuredClone(owner);
  if (left.length) next.metadata.finalizers = left;
  else delete next.metadata.finalizers;
  return { op: "update", resource, object: next, expectedRv };
}

/**
 * For an owner in foreground deletion: dependents not yet deleting are deleted
 * (non-pods in foreground too, so grandchildren go first); the owner may go once none
 * is left.
 */
export function foregroundOps(owner: KubeObject, dependents: { resource: string; object: KubeObject }[], now: number): { ops: WriteOp[]; waiting: number } {
  const ops: WriteOp[] = [];
  let waiting = 0;
  for (const { resource, object } of dependents) {
    if (!object.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) continue;
    const dOps = object.metadata.deletionTimestamp ? [] : deletionOps(resource, object, resource === "pods" ? undefined : "Foreground", now);
    ops.push(...dOps);
    // Only a dependent removed by this very write stops counting.
    if (!(dOps.length === 1 && dOps[0].op === "delete")) waiting++;
  }
  return { ops, waiting };
}
