// Deletion as the API server performs it, shared by the DELETE handler, evictions and
// the controllers:
// - A pod bound to a node is deleted gracefully: it gets a deletionTimestamp
//   (now + grace period) and its kubelet stops the containers, then removes it.
// - An object with finalizers, or deleted with Foreground/Orphan propagation, gets a
//   deletionTimestamp (and the matching finalizer); the garbage collector finishes.
// - Otherwise it is removed at once; dependents go with Background propagation,
//   through the garbage collector's owner-reference check.
import { CRD_CLEANUP_FINALIZER, CRD_RESOURCE } from "../model/crd-types";
import type { ObjectStore } from "../store/store";
import type { KubeObject, Pod } from "../model/types";
import { conflict } from "../model/errors";
import { GUARANTEED_UPDATE_ATTEMPTS, isConflict, retryOnConflict } from "../store/retry";
import { isoSeconds } from "../config";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** true when the object is gone; false when it is now terminating. */
  deleted: boolean;
  object: KubeObject;
}

/** Default propagation when none is given: Background, except Orphan for what asks. */
function propagationOf(obj: KubeObject, opts: DeleteOptions): "Foreground" | "Background" | "Orphan" {
  if (opts.propagationPolicy) return opts.propagationPolicy;
  if (obj.metadata.finalizers?.includes("orphan")) return "Orphan";
  return "Background";
}

/**
 * A delete request, as the API server's store runs it: read, check the preconditions,
 * write conditionally; when another write got in between, again from the object as it
 * is then. So of concurrent deletes pinned to one resourceVersion one goes through, and
 * the others fail the precondition against the version that write left (409), or find
 * the object gone (404).
 */
export async function deleteObject(store: ObjectStore, resource: string, namespace: string, name: string, opts: DeleteOptions, now: number): Promise<DeleteResult> {
  let preconditionFailed = false;
  const retriable = (e: unknown) => isConflict(e) && !preconditionFailed;
  return retryOnConflict(async () => {
    const current = await store.mustGet(resource, namespace, name);
    try {
      checkPreconditions(resource, current, opts);
    } catch (e) {
      preconditionFailed = true;
      throw e;
    }
    const next = planDeletion(resource, current, opts, now);
    if (opts.dryRun) return { deleted: next === null, object: next ?? current };
    if (next === null) return { deleted: true, object: await store.remove(resource, current) };
    if (JSON.stringify(next) === JSON.stringify(current)) return { deleted: false, object: current };
    return { deleted: false, object: await store.update(resource, next, Number(current.metadata.resourceVersion)) };
  }, GUARANTEED_UPDATE_ATTEMPTS, retriable);
}

export function checkPreconditions(resource: string, obj: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw conflict(resource, obj.metadata.name ?? "", `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(resource, obj.metadata.name ?? "", `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
}

/**
 * Whether an update of an object being deleted removes it (the generic store's
 * ShouldDeleteDuringUpdate): it does once the update leaves no finalizers. A pod only
 * once its graceful period is over as well (deletionGracePeriodSeconds 0, as a delete
 * with grace 0 leaves it): until then its kubelet stops the containers and removes it
 * with that final delete, so no status write of a kubelet or controller cuts it short.
 */
export function shouldDeleteDuringUpdate(resource: string, next: KubeObject, old: KubeObject): boolean {
  if (next.metadata.finalizers?.length) return false;
  if (resource !== "pods") return !!next.metadata.deletionTimestamp;
  return !!old.metadata.deletionTimestamp && (old.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}

/** The object as it should be after the delete request, or null for "remove now". */
export function planDeletion(resource: string, current: KubeObject, opts: DeleteOptions, now: number): KubeObject | null {
  const next = structuredClone(current);
  const meta = next.metadata;
  const finalizers = new Set(meta.finalizers ?? []);
  const propagation = propagationOf(current, opts);
  if (propagation === "Foreground" && resource !== "pods") finalizers.add("foregroundDeletion");
  if (propagation === "Orphan") finalizers.add("orphan");
  // A CRD goes only after its custom objects: the CRD controller removes this finalizer.
  if (resource === CRD_RESOURCE) finalizers.add(CRD_CLEANUP_FINALIZER);

  if (resource === "pods") {
    const pod = next as Pod;
    const terminal = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
    const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const bound = !!pod.spec.nodeName;
    // An unbound or finished pod has nothing to stop: it goes at once (unless finalized).
    const immediate = !bound || terminal || grace <= 0;
    if (immediate && finalizers.size === 0) return null;
    const graceNow = immediate ? 0 : grace;
    if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= graceNow) return next;
    meta.deletionTimestamp = isoSeconds(now + graceNow * 1000);
    meta.deletionGracePeriodSeconds = graceNow;
    meta.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!meta.finalizers) delete meta.finalizers;
    return next;
  }

  if (resource === "namespaces") {
    // The namespace controller empties it, then removes the "kubernetes" finalizer.
    meta.deletionTimestamp ??= isoSeconds(now);
    meta.deletionGracePeriodSeconds ??= 0;
    (next.status as { phase?: string }) = { ...(next.status as object), phase: "Terminating" };
    return next;
  }

  if (finalizers.size === 0) return null;
  meta.deletionTimestamp ??= isoSeconds(now);
  meta.deletionGracePeriodSeconds ??= 0;
  meta.finalizers = [...finalizers];
  return next;
}
