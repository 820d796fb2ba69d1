// PATCH bodies by content type, with the API server's answers when a patch cannot
// apply: JSON Patch (RFC 6902), JSON Merge Patch (RFC 7386) and strategic merge
// patch. Server-side apply (application/apply-patch+yaml) is apply.ts's.
import { applyPatch as applyJsonPatch, JsonPatchError, type Operation } from "fast-json-patch";
import type { KubeObject } from "../model/types";
import { ApiError, badRequest } from "../model/errors";
import { PATCH_MEDIA_TYPES, unsupportedMediaType } from "./body";
import { patchMetaFor } from "../model/patch-meta";
import { strategicMerge, StrategicMergeError } from "./strategic-merge";

type JMap = Record<string, unknown>;

const MAX_JSON_PATCH_OPERATIONS = 10000;

const isMap = (v: unknown): v is JMap => v !== null && typeof v === "object" && !Array.isArray(v);

const goJsonType = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v === "object" ? "object" : typeof v === "boolean" ? "bool" : typeof v);

/** 422 as upstream answers a patch that does not apply (NewGenericServerResponse). */
function patchDoesNotApply(detail: string): ApiError {
  return new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {
    causes: [{ reason: "UnexpectedServerResponse", message: detail }],
  });
}

function jsonPatch(current: JMap, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isMap(op)) throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(413, "RequestEntityTooLarge", `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  try {
    // validate=true: a failed `test` or a missing path throws instead of being skipped.
    return applyJsonPatch(current, structuredClone(patch) as Operation[], true, false).newDocument;
  } catch (e) {
    if (e instanceof JsonPatchError) throw patchDoesNotApply(`${e.name}: ${e.message.split("\n")[0]}`);
    // The library's other failures (a path into a value that is not a container, a
    // prototype path it refuses) are patches that do not apply too.
    if (e instanceof Error) throw patchDoesNotApply(e.message.split("\n")[0]);
    throw e;
  }
}

/** RFC 7386; nulls in newly added objects are dropped, as the Go implementation does. */
function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map((e) => (isMap(e) ? mergePatchValue({}, e) : e));
  if (!isMap(patch)) return patch;
  const out: JMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (k === "__proto__") Object.defineProperty(out, k, { value: mergePatchValue(undefined, v), writable: true, enumerable: true, configurable: true });
    else out[k] = mergePatchValue(out[k], v);
  }
  return out;
}

function mergePatch(current: JMap, patch: unknown): unknown {
  if (!isMap(patch)) throw badRequest("Invalid JSON Patch");
  return mergePatchValue(structuredClone(current), structuredClone(patch));
}

function strategicPatch(current: JMap, patch: unknown, resource: string): unknown {
  // A JSON null body decodes to an empty patch upstream.
  if (patch === null) return structuredClone(current);
  if (!isMap(patch)) throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
  try {
    return strategicMerge(current, patch, patchMetaFor(resource));
  } catch (e) {
    if (!(e instanceof StrategicMergeError)) throw e;
    if (e.status === 400) throw badRequest(e.message);
    if (e.status === 422) throw patchDoesNotApply(e.message);
    // The API server answers the errors it does not classify (a list where a map must
    // be, an item without its merge key) with a 500; they are the patch's fault: 400.
    throw badRequest(e.message);
  }
}

/**
 * Apply a PATCH body to the current object. `contentType` may carry parameters
 * ("application/merge-patch+json; charset=utf-8"); `resource` is the storage key and
 * selects the strategic merge keys. Inputs are not modified.
 */
export function applyPatch(contentType: string, current: KubeObject, patch: unknown, resource: string): KubeObject {
  const type = contentType.split(";")[0].trim().toLowerCase();
  let result: unknown;
  switch (type) {
    case "application/json-patch+json":
      result = jsonPatch(current, patch);
      break;
    case "application/merge-patch+json":
      result = mergePatch(current, patch);
      break;
    case "application/strategic-merge-patch+json":
      result = strategicPatch(current, patch, resource);
      break;
    default:
      throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  }
  if (!isMap(result)) throw patchDoesNotApply(`the patched document is a JSON ${goJsonType(result)}, not an object`);
  return result as KubeObject;
}
