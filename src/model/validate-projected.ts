// Projected and downwardAPI volume sources, checked as ValidatePodSpec checks them
// (validateProjectedVolumeSource, validateDownwardAPIVolumeSource): one kind per
// projection, named objects, token lifetimes between ten minutes and 2^32 seconds, and
// downward API items that name a metadata field or a container's resource.
import type { StatusCause } from "./types";
import type { DownwardAPIVolumeFile, VolumeProjection } from "./volume-sources";
import { child, forbidden, index, invalidField, notSupported, required } from "./field-errors";
import { validateItems, validateMode, validatePath } from "./validate-pod-sources";

const VOLUME_FIELD_PATHS = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];
const RESOURCES = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function validateDownwardFile(item: DownwardAPIVolumeFile, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!item.path) errs.push(required(child(path, "path")));
  else errs.push(...validatePath(item.path, child(path, "path")));
  errs.push(...validateMode(item.mode, child(path, "mode")));
  if (item.fieldRef && item.resourceFieldRef) {
    errs.push(invalidField(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
  } else if (item.fieldRef) {
    const fp = item.fieldRef.fieldPath ?? "";
    const p = child(path, "fieldRef", "fieldPath");
    if (!fp) errs.push(required(p));
    else if (!VOLUME_FIELD_PATHS.includes(fp) && !/^metadata\.(labels|annotations)\['.+'\]$/.test(fp)) errs.push(notSupported(p, fp, VOLUME_FIELD_PATHS));
  } else if (item.resourceFieldRef) {
    const r = item.resourceFieldRef;
    const p = child(path, "resourceFieldRef");
    if (!r.containerName) errs.push(required(child(p, "containerName")));
    if (!r.resource) errs.push(required(child(p, "resource")));
    else if (!RESOURCES.includes(r.resource)) errs.push(notSupported(child(p, "resource"), r.resource, RESOURCES));
  } else {
    errs.push(required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  return errs;
}

function validateDownwardItems(items: unknown, path: string): StatusCause[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item, i) => (isObject(item) ? validateDownwardFile(item as unknown as DownwardAPIVolumeFile, index(path, i)) : []));
}

function validateProjection(s: VolumeProjection, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const kinds = (["secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"] as const).filter((k) => s[k] !== undefined && s[k] !== null);
  if (kinds.length > 1) errs.push(forbidden(path, "may not specify more than 1 volume type per source"));
  for (const kind of ["secret", "configMap"] as const) {
    const src = s[kind];
    if (!isObject(src)) continue;
    if (!src.name) errs.push(required(child(path, kind, "name")));
    errs.push(...validateItems(src.items, child(path, kind, "items")));
  }
  if (isObject(s.downwardAPI)) errs.push(...validateDownwardItems(s.downwardAPI.items, child(path, "downwardAPI", "items")));
  const token = s.serviceAccountToken;
  if (isObject(token)) {
    const p = child(path, "serviceAccountToken");
    const secs = token.expirationSeconds ?? 3600;
    if (secs < MIN_TOKEN_SECONDS) errs.push(invalidField(child(p, "expirationSeconds"), secs, "may not specify a duration less than 10 minutes"));
    if (secs > MAX_TOKEN_SECONDS) errs.push(invalidField(child(p, "expirationSeconds"), secs, "may not specify a duration larger than 2^32 seconds"));
    if (!token.path) errs.push(required(child(p, "path")));
    else errs.push(...validatePath(token.path, child(p, "path")));
  }
  return errs;
}

/** The projected or downwardAPI source of a volume, if it has one. */
export function validateRenderedVolume(v: { projected?: unknown; downwardAPI?: unknown }, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (isObject(v.projected)) {
    const p = child(path, "projected");
    errs.push(...validateMode(v.projected.defaultMode, child(p, "defaultMode")));
    const sources = v.projected.sources;
    if (Array.isArray(sources)) sources.forEach((s, i) => isObject(s) && errs.push(...validateProjection(s as VolumeProjection, index(child(p, "sources"), i))));
  }
  if (isObject(v.downwardAPI)) {
    const p = child(path, "downwardAPI");
    errs.push(...validateMode(v.downwardAPI.defaultMode, child(p, "defaultMode")), ...validateDownwardItems(v.downwardAPI.items, child(p, "items")));
  }
  return errs;
}
