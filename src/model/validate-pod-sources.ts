// What a pod takes from ConfigMaps and Secrets, checked as ValidatePodSpec does:
// env[].valueFrom (one source, a named object and a valid key), envFrom (a prefix
// that makes valid names), and configMap/secret volumes (item keys and paths, modes).
import type { Container, EnvFromSource, EnvVar, KeyToPath, StatusCause } from "./types";
import { child, index, invalidField, required } from "./field-errors";
import { isConfigMapKey, isDNS1123Subdomain, isRelaxedEnvVarName } from "./name-rules";

const MAX_MODE = 0o777;
const MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive";
const ENV_SOURCES = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"];

type Named = { name?: string; key?: string };

function validateKeySelector(sel: Named, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const m of isDNS1123Subdomain(sel.name ?? "")) errs.push(invalidField(child(path, "name"), sel.name ?? "", m));
  if (!sel.key) errs.push(required(child(path, "key")));
  else for (const m of isConfigMapKey(sel.key)) errs.push(invalidField(child(path, "key"), sel.key, m));
  return errs;
}

/** validateEnvVarValueFrom for the sources this model reads. */
export function validateEnvValueFrom(ev: EnvVar, path: string): StatusCause[] {
  const from = ev.valueFrom as Record<string, unknown> | null | undefined;
  if (!from) return [];
  const p = child(path, "valueFrom");
  const set = ENV_SOURCES.filter((k) => from[k] !== undefined && from[k] !== null);
  const errs: StatusCause[] = [];
  if (set.length === 0) errs.push(invalidField(p, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if (set.length > 1) errs.push(invalidField(p, "", "may not have more than one field specified at a time"));
  if (from.configMapKeyRef) errs.push(...validateKeySelector(from.configMapKeyRef as Named, child(p, "configMapKeyRef")));
  if (from.secretKeyRef) errs.push(...validateKeySelector(from.secretKeyRef as Named, child(p, "secretKeyRef")));
  if (ev.value && set.length) errs.push(invalidField(p, "", "may not be specified when `value` is not empty"));
  return errs;
}

/** ValidateEnvFrom. */
export function validateEnvFrom(list: Container["envFrom"], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  ((list ?? []) as EnvFromSource[]).forEach((ef, i) => {
    const p = index(path, i);
    if (ef.prefix) for (const m of isRelaxedEnvVarName(ef.prefix)) errs.push(invalidField(child(p, "prefix"), ef.prefix, m));
    const refs = [ef.configMapRef ? "configMapRef" : "", ef.secretRef ? "secretRef" : ""].filter(Boolean);
    if (refs.length === 0) errs.push(invalidField(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (refs.length > 1) errs.push(invalidField(p, "", "may not have more than one field specified at a time"));
    for (const r of refs) {
      const name = (ef[r as "configMapRef" | "secretRef"]?.name ?? "") as string;
      for (const m of isDNS1123Subdomain(name)) errs.push(invalidField(child(p, r, "name"), name, m));
    }
  });
  return errs;
}

export function validateMode(mode: unknown, path: string): StatusCause[] {
  if (mode === undefined || mode === null) return [];
  return typeof mode === "number" && Number.isInteger(mode) && mode >= 0 && mode <= MAX_MODE ? [] : [invalidField(path, mode as number, MODE_MSG)];
}

/** validateLocalDescendingPath: a relative path that stays inside the volume. */
export function validatePath(target: string, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (target.startsWith("/")) errs.push(invalidField(path, target, "must be a relative path"));
  if (target.split("/").includes("..")) errs.push(invalidField(path, target, "must not contain '..'"));
  return errs;
}

export function validateItems(items: KeyToPath[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (items ?? []).forEach((it, i) => {
    const p = index(path, i);
    if (!it.key) errs.push(required(child(p, "key")));
    if (!it.path) errs.push(required(child(p, "path")));
    else {
      errs.push(...validatePath(it.path, child(p, "path")));
      if (it.path.startsWith("..")) errs.push(invalidField(child(p, "path"), it.path, "must not start with '..'"));
    }
    errs.push(...validateMode(it.mode, child(p, "mode")));
  });
  return errs;
}

/** validateConfigMapVolumeSource / validateSecretVolumeSource. */
export function validateConfigVolume(v: { configMap?: unknown; secret?: unknown }, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (v.configMap) {
    const src = v.configMap as { name?: string; items?: KeyToPath[]; defaultMode?: unknown };
    const p = child(path, "configMap");
    if (!src.name) errs.push(required(child(p, "name")));
    errs.push(...validateMode(src.defaultMode, child(p, "defaultMode")), ...validateItems(src.items, child(p, "items")));
  }
  if (v.secret) {
    const src = v.secret as { secretName?: string; items?: KeyToPath[]; defaultMode?: unknown };
    const p = child(path, "secret");
    if (!src.secretName) errs.push(required(child(p, "secretName")));
    errs.push(...validateMode(src.defaultMode, child(p, "defaultMode")), ...validateItems(src.items, child(p, "items")));
  }
  return errs;
}
