// PATCH with application/apply-patch+yaml: server-side apply. The configuration is
// merged into the live object by its schema, with ownership recorded in
// managedFields (src/model/managed-fields.ts); an apply to an object that does not
// exist creates it. Conflicts with other managers are a 409 unless `force=true`.
import type { KubeObject } from "../model/types";
import { ApiError, badRequest } from "../model/errors";
import { schemaOfResource } from "../model/field-schema-crd";
import { applyConfiguration, ApplyConflicts, conflictReport } from "../model/managed-fields";
import { scopeOf, writerOf } from "../registry/field-manager";
import type { ResourceInfo } from "../model/resources";

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The configuration as sent: an object whose managedFields the client may not set. */
export function appliedConfiguration(patch: unknown): KubeObject {
  if (!isMap(patch)) throw badRequest("error decoding YAML: the apply configuration is not an object");
  const meta = patch.metadata;
  if (meta !== undefined && !isMap(meta)) throw badRequest("error decoding YAML: metadata is not an object");
  if (meta && meta.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
  return structuredClone(patch) as KubeObject;
}

export interface ApplyRequest {
  info: ResourceInfo;
  resource: string;
  config: KubeObject;
  manager: string;
  force: boolean;
  subresource?: string;
  now: number;
}

/** The object after applying `config` to `live` (undefined: a create), or the 409 of its conflicts. */
export function applyTo(live: KubeObject | undefined, a: ApplyRequest): KubeObject {
  try {
    return applyConfiguration(live, a.config, schemaOfResource(a.info), writerOf(a.info, a.manager, a.now, a.subresource), scopeOf(a.info, a.subresource), a.force).object;
  } catch (e) {
    if (!(e instanceof ApplyConflicts)) throw e;
    const { message, causes } = conflictReport(e.conflicts);
    throw new ApiError(409, "Conflict", message, { causes });
  }
}
