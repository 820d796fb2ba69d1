// ConfigMaps, Secrets and ServiceAccounts (k8s.io/kubernetes/pkg/apis/core/validation:
// ValidateConfigMap[Update], ValidateSecret[Update], ValidateServiceAccount). Secret
// `data` is validated after the strategy decoded it (base64) and folded `stringData`
// into it, as upstream validates the internal object.
import type { ConfigMap, Secret, StatusCause } from "./types";
import { child, forbidden, index, invalidField, required, tooLong } from "./field-errors";
import { isConfigMapKey } from "./name-rules";
import { jsonEqual } from "./validate-pod";
import { base64DecodedLength, decodeBase64 } from "./base64";

/** core.MaxSecretSize: the total of a ConfigMap's or Secret's values. */
export const MAX_CONFIG_SIZE = 1024 * 1024;

const IMMUTABLE = "field is immutable when `immutable` is set";

const keyErrors = (path: string, key: string): StatusCause[] => isConfigMapKey(key).map((m) => invalidField(index(path, key), key, m));

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

export function validateConfigMap(cm: ConfigMap): StatusCause[] {
  const errs: StatusCause[] = [];
  let total = 0;
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...keyErrors("data", key));
    if (Object.hasOwn(binary, key)) errs.push(invalidField(index("data", key), key, "duplicate of key present in binaryData"));
    total += utf8Length(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    errs.push(...keyErrors("binaryData", key));
    total += base64DecodedLength(value);
  }
  // The whole object is at fault, so the error names no field.
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong("", MAX_CONFIG_SIZE));
  return errs;
}

export function validateConfigMapUpdate(next: ConfigMap, old: ConfigMap): StatusCause[] {
  const errs: StatusCause[] = [];
  if (old.immutable === true) {
    if (next.immutable !== true) errs.push(forbidden("immutable", IMMUTABLE));
    if (!jsonEqual(next.data ?? {}, old.data ?? {})) errs.push(forbidden("data", IMMUTABLE));
    if (!jsonEqual(next.binaryData ?? {}, old.binaryData ?? {})) errs.push(forbidden("binaryData", IMMUTABLE));
  }
  return [...errs, ...validateConfigMap(next)];
}

/** The keys a Secret of a well-known type must hold. */
function typeErrors(secret: Secret): StatusCause[] {
  const data = secret.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  const need = (k: string) => (has(k) ? [] : [required(index("data", k))]);
  const wellFormedJson = (k: string): StatusCause[] => {
    if (!has(k)) return [required(index("data", k))];
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(decodeBase64(data[k])));
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("json: cannot unmarshal into Go value of type map[string]interface {}");
      return [];
    } catch (e) {
      return [invalidField(index("data", k), "<secret contents redacted>", e instanceof Error ? e.message : String(e))];
    }
  };
  switch (secret.type) {
    case "kubernetes.io/service-account-token":
      // Only the ServiceAccount's name is required; the token controller fills the rest.
      return secret.metadata.annotations?.["kubernetes.io/service-account.name"] ? [] : [required(index(child("metadata", "annotations"), "kubernetes.io/service-account.name"))];
    case "kubernetes.io/dockercfg":
      return wellFormedJson(".dockercfg");
    case "kubernetes.io/dockerconfigjson":
      return wellFormedJson(".dockerconfigjson");
    case "kubernetes.io/basic-auth":
      return has("username") || has("password") ? [] : [required("data[username]"), required("data[password]")];
    case "kubernetes.io/ssh-auth":
      return data["ssh-privatekey"] ? [] : [required("data[ssh-privatekey]")];
    case "kubernetes.io/tls":
      return [...need("tls.crt"), ...need("tls.key")];
    default:
      return []; // Opaque, and any type of the user's own
  }
}

export function validateSecret(secret: Secret): StatusCause[] {
  const errs: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    errs.push(...keyErrors("data", key));
    total += base64DecodedLength(value);
  }
  if (total > MAX_CONFIG_SIZE) errs.push(tooLong("data", MAX_CONFIG_SIZE));
  return [...errs, ...typeErrors(secret)];
}

export function validateSecretUpdate(next: Secret, old: Secret): StatusCause[] {
  const errs: StatusCause[] = [];
  if ((next.type ?? "") !== (old.type ?? "")) errs.push(invalidField("type", next.type ?? "", "field is immutable"));
  if (old.immutable === true) {
    if (next.immutable !== true) errs.push(forbidden("immutable", IMMUTABLE));
    if (!jsonEqual(next.data ?? {}, old.data ?? {})) errs.push(forbidden("data", IMMUTABLE));
  }
  return [...errs, ...validateSecret(next)];
}
