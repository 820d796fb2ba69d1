// The garbage collector over D1. Instead of upstream's in-memory graph it asks the
// object table, whose owner_uid column (the controller owner's uid) is indexed:
// - sweep: dependents whose controller owner's uid no longer exists are deleted
//   (Background), or lose the dangling reference when other owners remain;
// - an owner being deleted with the `orphan` finalizer frees its dependents, then
//   drops the finalizer; with `foregroundDeletion` it deletes them and goes last.
// Only controller references are indexed, so a dependent held solely by a
// non-controller reference is not collected here.
import type { KubeObject } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { commitChunked } from "./commit";
import { FOREGROUND, ORPHAN, finalizerRemovalOp, foregroundOps, gcDecision, gcOps, withoutOwners } from "./gc-plan";
import { GC_KEY } from "./keys";
import { isBuiltInStorageKey } from "../model/resources";
import type { Controller, NamespacedName } from "./controller";

const SWEEP_LIMIT = 200;
/** Resources whose deletion leaves dependents behind (and every custom resource). */
const OWNERS = new Set(["replicasets.apps", "replicationcontrollers", "deployments.apps", "jobs.batch", "cronjobs.batch"]);
/** GC sweeps at most this often, however many deletions ask for one. */
const GC_MIN_INTERVAL_MS = 500;
/** A sweep covers the whole cluster: one key. */
const SWEEP: NamespacedName = { namespace: "", name: "" };

interface Dependent {
  resource: string;
  object: KubeObject;
}

/** The uids among `uids` that exist. */
function existingUids(ctx: ControllerContext, uids: string[]): Promise<Set<string>> {
  return ctx.store.existingUids(uids);
}

/** Every object whose controller reference points at `ownerUid`. */
async function dependentsOf(ctx: ControllerContext, ownerUid: string): Promise<Dependent[]> {
  const groups = await ctx.store.groupsOwnedBy(ownerUid);
  const out: Dependent[] = [];
  for (const g of groups) {
    const { items } = await ctx.store.list(g.resource, { namespace: g.namespace, ownerUid });
    for (const object of items) out.push({ resource: g.resource, object });
  }
  return out;
}

/** One sweep for dependents of owners that are gone. Requeues itself while there is more. */
async function sweep(ctx: ControllerContext): Promise<number> {
  const dangling = await ctx.store.groupsWithMissingOwner(SWEEP_LIMIT);
  if (dangling.length === 0) return 0;
  const now = ctx.now();
  const ops: WriteOp[] = [];
  for (const g of dangling) {
    const { items } = await ctx.store.list(g.resource, { namespace: g.namespace, ownerUid: g.ownerUid });
    const refs = [...new Set(items.flatMap((o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid)))];
    const existing = await existingUids(ctx, refs);
    for (const obj of items) ops.push(...gcOps(g.resource, obj, gcDecision(obj, existing), now));
  }
  await commitChunked(ctx, ops);
  if (dangling.length === SWEEP_LIMIT) ctx.enqueue(GC_KEY);
  return ops.length;
}

/**
 * An owner with a deletionTimestamp: carry out its `orphan` or `foregroundDeletion`
 * finalizer. Returns true while the owner still waits for dependents.
 */
export async function finalizeOwner(ctx: ControllerContext, resource: string, owner: KubeObject, selfKey: string): Promise<boolean> {
  if (!owner.metadata.deletionTimestamp) return false;
  const finalizers = owner.metadata.finalizers ?? [];
  const uid = owner.metadata.uid ?? "";
  if (finalizers.includes(ORPHAN)) {
    const deps = await dependentsOf(ctx, uid);
    await commitChunked(ctx, deps.map((d) => withoutOwners(d.resource, d.object, new Set([uid]))));
    const fin = finalizerRemovalOp(resource, owner, ORPHAN);
    if (fin) await ctx.registry.commit([fin]);
    return false;
  }
  if (finalizers.includes(FOREGROUND)) {
    const deps = await dependentsOf(ctx, uid);
    const { ops, waiting } = foregroundOps(owner, deps, ctx.now());
    await commitChunked(ctx, ops);
    if (waiting > 0) {
      // Dependents' changes wake us; look again anyway in case one is missed.
      ctx.enqueue(selfKey, 5_000);
      return true;
    }
    const fin = finalizerRemovalOp(resource, owner, FOREGROUND);
    if (fin) await ctx.registry.commit([fin]);
  }
  return false;
}

/** The garbage collector's row: a deleted owner may leave dependents behind. */
export function garbageCollector(ctx: ControllerContext): Controller {
  return {
    name: "gc",
    minIntervalMs: GC_MIN_INTERVAL_MS,
    keysFor: (ch) => (ch.type === "DELETED" && (OWNERS.has(ch.resource) || !isBuiltInStorageKey(ch.resource)) ? [SWEEP] : []),
    reconcile: async () => {
      await sweep(ctx);
    },
    resyncKeys: async () => [SWEEP],
  };
}
