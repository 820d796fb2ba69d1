// ResourceQuota and LimitRange validation (ValidateResourceQuota, ValidateLimitRange in
// pkg/apis/core/validation): quota resource names and scopes, quantities, and a
// LimitRange's cross-field rules (min <= defaultRequest <= default <= max, ratio >= 1).
import type { StatusCause } from "./types";
import type { LimitRange, ResourceQuota } from "./quota-types";
import { child, duplicate, forbidden, GoRepr, index, invalidField, notSupported, required } from "./field-errors";
import { isQualifiedName } from "./name-rules";
import { canonicalQuantity, compareQuantities, isValidQuantity, parseQuantity } from "./quantity";
import { validateQuantityValue } from "./validate-pod";

const STANDARD_QUOTA_RESOURCES = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
  "services.nodeports", "services.loadbalancers", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
  "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);
const INTEGER_QUOTA_RESOURCES = new Set(["pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"]);
const STANDARD_SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"];
/** What a scoped quota may track (IsResourceQuotaScopeValidForResource). */
const POD_OBJECT_COUNTS = new Set(["pods", "count/pods"]);
const POD_COMPUTE = new Set(["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "ephemeral-storage", "requests.ephemeral-storage", "limits.ephemeral-storage"]);
const SCOPE_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];
const CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage", "storage"]);
const LIMIT_TYPES = ["Pod", "Container", "PersistentVolumeClaim"];

function quotaResourceName(name: string, path: string): StatusCause[] {
  const errs = isQualifiedName(name).map((m) => invalidField(path, name, m));
  if (errs.length) return errs;
  const standard = STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith("count/") || name.startsWith("requests.hugepages-") || name.startsWith("hugepages-");
  if (!name.includes("/") && !standard) return [invalidField(path, name, "must be a standard resource for quota")];
  return [];
}

function quotaQuantity(name: string, raw: unknown, path: string): StatusCause[] {
  const errs = validateQuantityValue(name, raw, path);
  if (errs.length) return errs;
  const integer = INTEGER_QUOTA_RESOURCES.has(name) || name.startsWith("count/");
  const canonical = canonicalQuantity(String(raw));
  if (integer && name !== "pods" && !/^\d+[kMGTPE]?$/.test(canonical)) return [invalidField(path, canonical, "must be an integer")];
  return [];
}

function resourceList(list: Record<string, unknown> | undefined, path: string, names: (n: string, p: string) => StatusCause[]): StatusCause[] {
  return Object.entries(list ?? {}).flatMap(([name, v]) => {
    const p = index(path, name);
    return [...names(name, p), ...quotaQuantity(name, v, p)];
  });
}

function scopeAllows(scope: string, resource: string): boolean {
  if (scope === "BestEffort") return POD_OBJECT_COUNTS.has(resource);
  if (scope === "CrossNamespacePodAffinity") return POD_OBJECT_COUNTS.has(resource);
  return POD_OBJECT_COUNTS.has(resource) || POD_COMPUTE.has(resource) || resource.startsWith("requests.hugepages-");
}

const goScopes = (scopes: string[]) => new GoRepr(`[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(", ")}}`);

function validateScopes(quota: ResourceQuota): StatusCause[] {
  const spec = quota.spec ?? {};
  const scopes = spec.scopes ?? [];
  const path = "spec.scopes";
  const errs: StatusCause[] = [];
  if (!scopes.length) return errs;
  const hard = Object.keys(spec.hard ?? {});
  if (!hard.length) errs.push(required("spec.hard", "must specify which resources this quota tracks"));
  for (const scope of scopes) {
    if (!STANDARD_SCOPES.includes(scope)) errs.push(invalidField(path, goScopes(scopes), "unsupported scope"));
    for (const k of hard) if (!scopeAllows(scope, k)) errs.push(invalidField(path, goScopes(scopes), "unsupported scope applied to resource"));
  }
  const has = (s: string) => scopes.includes(s);
  if ((has("Terminating") && has("NotTerminating")) || (has("BestEffort") && has("NotBestEffort"))) errs.push(invalidField(path, goScopes(scopes), "conflicting scopes"));
  return errs;
}

function validateScopeSelector(quota: ResourceQuota): StatusCause[] {
  const errs: StatusCause[] = [];
  const path = "spec.scopeSelector.matchExpressions";
  (quota.spec?.scopeSelector?.matchExpressions ?? []).forEach((r, i) => {
    const p = index(path, i);
    if (!STANDARD_SCOPES.includes(r.scopeName)) errs.push(invalidField(child(p, "scopeName"), r.scopeName, "unsupported scope"));
    if (!SCOPE_OPERATORS.includes(r.operator)) errs.push(notSupported(child(p, "operator"), r.operator, SCOPE_OPERATORS));
    const values = r.values ?? [];
    if ((r.operator === "In" || r.operator === "NotIn") && !values.length) errs.push(required(child(p, "values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    if ((r.operator === "Exists" || r.operator === "DoesNotExist") && values.length) errs.push(invalidField(child(p, "values"), new GoRepr(`[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
  });
  return errs;
}

export function validateResourceQuota(quota: ResourceQuota): StatusCause[] {
  return [
    ...resourceList(quota.spec?.hard, "spec.hard", quotaResourceName),
    ...validateScopes(quota),
    ...validateScopeSelector(quota),
    ...resourceList(quota.status?.hard, "status.hard", quotaResourceName),
    ...resourceList(quota.status?.used, "status.used", quotaResourceName),
  ];
}

function limitResourceName(type: string, name: string, path: string): StatusCause[] {
  const errs = isQualifiedName(name).map((m) => invalidField(path, name, m));
  if (errs.length) return errs;
  if (name.includes("/")) return [];
  if (type === "PersistentVolumeClaim" ? name !== "storage" : !CONTAINER_RESOURCES.has(name) && !name.startsWith("hugepages-")) {
    return [invalidField(path, name, "must be a standard limit type or fully qualified")];
  }
  return [];
}

const quantityOf = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number") && isValidQuantity(String(v)) ? String(v) : undefined;

export function validateLimitRange(lr: LimitRange): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = index("spec.limits", i);
    if (seen.has(item.type)) errs.push(duplicate(child(p, "type"), item.type));
    seen.add(item.type);
    if (!LIMIT_TYPES.includes(item.type) && !item.type?.includes("/")) errs.push(notSupported(child(p, "type"), item.type, LIMIT_TYPES));
    const lists = { max: item.max, min: item.min, default: item.default, defaultRequest: item.defaultRequest, maxLimitRequestRatio: item.maxLimitRequestRatio };
    for (const [field, list] of Object.entries(lists)) {
      for (const [name, v] of Object.entries(list ?? {})) {
        const kp = index(child(p, field), name);
        errs.push(...limitResourceName(item.type, name, kp), ...validateQuantityValue(name, v, kp));
      }
    }
    if (item.type === "Pod") {
      if (item.default && Object.keys(item.default).length) errs.push(forbidden(child(p, "default"), "may not be specified when `type` is 'Pod'"));
      if (item.defaultRequest && Object.keys(item.defaultRequest).length) errs.push(forbidden(child(p, "defaultRequest"), "may not be specified when `type` is 'Pod'"));
    }
    if (item.type === "PersistentVolumeClaim" && quantityOf(item.min?.storage) === undefined && quantityOf(item.max?.storage) === undefined) {
      errs.push(required(child(p, "limits"), "either minimum or maximum storage value is required, but neither was provided"));
    }
    const names = new Set(Object.values(lists).flatMap((l) => Object.keys(l ?? {})));
    for (const name of names) {
      const min = quantityOf(item.min?.[name]);
      const max = quantityOf(item.max?.[name]);
      const def = quantityOf(item.default?.[name]);
      const defReq = quantityOf(item.defaultRequest?.[name]);
      const ratio = quantityOf(item.maxLimitRequestRatio?.[name]);
      const c = canonicalQuantity;
      if (min && max && compareQuantities(min, max) > 0) errs.push(invalidField(index(child(p, "min"), name), c(min), `min value ${c(min)} is greater than max value ${c(max)}`));
      if (defReq && min && compareQuantities(min, defReq) > 0) errs.push(invalidField(index(child(p, "defaultRequest"), name), c(defReq), `min value ${c(min)} is greater than default request value ${c(defReq)}`));
      if (defReq && max && compareQuantities(defReq, max) > 0) errs.push(invalidField(index(child(p, "defaultRequest"), name), c(defReq), `default request value ${c(defReq)} is greater than max value ${c(max)}`));
      if (defReq && def && compareQuantities(defReq, def) > 0) errs.push(invalidField(index(child(p, "defaultRequest"), name), c(defReq), `default request value ${c(defReq)} is greater than default limit value ${c(def)}`));
      if (def && min && compareQuantities(min, def) > 0) errs.push(invalidField(index(child(p, "default"), name), c(min), `min value ${c(min)} is greater than default value ${c(def)}`));
      if (def && max && compareQuantities(def, max) > 0) errs.push(invalidField(index(child(p, "default"), name), c(max), `default value ${c(def)} is greater than max value ${c(max)}`));
      if (ratio && compareQuantities(ratio, 1) < 0) errs.push(invalidField(index(child(p, "maxLimitRequestRatio"), name), c(ratio), `ratio ${c(ratio)} is less than 1`));
      if (ratio && min && max && compareQuantities(min, 0) > 0) {
        const maxRatio = parseQuantity(max) / parseQuantity(min);
        if (parseQuantity(ratio) > maxRatio) errs.push(invalidField(index(child(p, "maxLimitRequestRatio"), name), c(ratio), `ratio ${c(ratio)} is greater than max/min = ${maxRatio.toFixed(6)}`));
      }
    }
  });
  return errs;
}
