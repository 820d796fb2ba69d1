// The API server's field manager on the write path: every create and update records
// in metadata.managedFields which manager set which fields (an Update), unless the
// write is a server-side apply whose managed fields were computed with the merge.
import type { KubeObject } from "../model/types";
import { apiVersionOf, type ResourceInfo } from "../model/resources";
import { schemaOfResource } from "../model/field-schema-crd";
import { decodeManagedFields, managedFromRequest, updateManagedFields, type Scope, type Writer } from "../model/managed-fields";
import { isoSeconds } from "../config";

export interface FieldManagerOptions {
  /** Who writes: the fieldManager parameter, the User-Agent's prefix, or a component's name. */
  fieldManager?: string;
  /** The object's managedFields were computed by a server-side apply: stored as they are. */
  applied?: boolean;
}

/** The scope a write may own: what its strategy does not reset. */
export function scopeOf(info: ResourceInfo, subresource: string | undefined): Scope {
  if (subresource === "status") return "status";
  return info.subresources.includes("status") ? "object-with-status-subresource" : "object";
}

/** The writer as managedFields records it. */
export function writerOf(info: ResourceInfo, manager: string, now: number, subresource?: string): Writer {
  return { manager, apiVersion: apiVersionOf(info), time: isoSeconds(now), ...(subresource ? { subresource } : {}) };
}

function withoutManaged(o: KubeObject): KubeObject {
  if (o.metadata.managedFields === undefined) return o;
  const { managedFields: _drop, ...metadata } = o.metadata;
  return { ...o, metadata };
}

/**
 * Set `obj.metadata.managedFields` for a write from `old` (undefined: a create) to `obj`.
 * `requested` is what the request itself carried in managedFields (ignored on a
 * subresource, as upstream ignores it there).
 */
export function trackManagedFields(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, requested: unknown, writer: Writer, applied: boolean): void {
  let entries;
  if (applied) entries = decodeManagedFields(requested) ?? [];
  else {
    const live = (old && decodeManagedFields(old.metadata.managedFields)) || [];
    const base = writer.subresource ? live : managedFromRequest(requested, live);
    entries = updateManagedFields(base, old && withoutManaged(old), withoutManaged(obj), schemaOfResource(info), writer, scopeOf(info, writer.subresource));
  }
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}
