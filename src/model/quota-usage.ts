// What an object costs a ResourceQuota (the quota evaluators of pkg/quota/v1/evaluator/core
// and the generic object-count evaluator): a pod's compute requests and limits, a claim's
// storage, a Service's load balancers and node ports, and one of each object for
// `count/<resource>`. Pure: the admission and the resourcequota controller both count here.
import type { Container, PersistentVolumeClaim, Pod, ResourceList, Service } from "./types";
import type { ResourceQuota } from "./quota-types";
import { addQuantities, compareQuantities, isValidQuantity, maxQuantity } from "./quantity";

/** Core resources that a quota may also name without `count/` (the legacy object counts). */
const LEGACY_COUNTS = new Set(["pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims"]);

/** Pod resources a quota tracking compute insists every container sets (the evaluator's Constraints). */
const REQUIRED_PER_CONTAINER = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

const ONE = "1";

/** A quantity given as string or JSON number, or undefined when it does not parse. */
function q(v: unknown): string | undefined {
  const text = typeof v === "number" ? String(v) : typeof v === "string" ? v : undefined;
  return text !== undefined && isValidQuantity(text) ? text : undefined;
}

function addInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = k in dst ? addQuantities(dst[k], v) : v;
}

function maxInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = k in dst ? maxQuantity(dst[k], v) : v;
}

function list(rl: ResourceList | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(rl ?? {})) {
    const text = q(v);
    if (text !== undefined) out[k] = text;
  }
  return out;
}

/** A container's requests as stored after defaulting: a limit stands for a missing request. */
export function containerRequests(c: Container): ResourceList {
  const out = list(c.resources?.limits);
  return { ...out, ...list(c.resources?.requests) };
}

function containerLimits(c: Container): ResourceList {
  return list(c.resources?.limits);
}

/**
 * PodRequests / PodLimits: the app containers and sidecars summed, each regular init
 * container alone (with the sidecars started before it) as a floor, overhead on top.
 */
function podTotal(pod: Pod, of: (c: Container) => ResourceList): ResourceList {
  const total: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) addInto(total, of(c));
  const sidecars: ResourceList = {};
  const initPeak: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === "Always") {
      addInto(total, own);
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const footprint = { ...own };
      addInto(footprint, sidecars);
      maxInto(initPeak, footprint);
    }
  }
  maxInto(total, initPeak);
  const overhead = list(pod.spec?.overhead as ResourceList | undefined);
  if (Object.keys(total).length) addInto(total, overhead);
  return total;
}

/** podComputeUsageHelper: pods=1 and the compute names a quota may track. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: ONE };
  for (const [name, v] of Object.entries(requests)) {
    if (name === "cpu" || name === "memory" || name === "ephemeral-storage") out[name] = v;
    out[`requests.${name}`] = v;
  }
  for (const [name, v] of Object.entries(limits)) {
    if (name === "cpu" || name === "memory" || name === "ephemeral-storage") out[`limits.${name}`] = v;
  }
  return out;
}

/**
 * A pod that no longer uses compute: Succeeded or Failed, or deleted and past its grace
 * period (QuotaV1Pod). It still counts for `count/pods`.
 */
export function podIsTerminal(pod: Pod, now: number): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === "Succeeded" || phase === "Failed") return true;
  const deleted = pod.metadata.deletionTimestamp;
  if (deleted) {
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    if (now > Date.parse(deleted) + grace) return true;
  }
  return false;
}

export function podUsage(pod: Pod, now: number): ResourceList {
  const count: ResourceList = { "count/pods": ONE };
  if (podIsTerminal(pod, now)) return count;
  return { ...count, ...computeUsage(podTotal(pod, containerRequests), podTotal(pod, containerLimits)) };
}

function claimUsage(pvc: PersistentVolumeClaim): ResourceList {
  const out: ResourceList = { persistentvolumeclaims: ONE, "count/persistentvolumeclaims": ONE };
  const storage = q(pvc.spec?.resources?.requests?.storage);
  const cls = pvc.spec?.storageClassName;
  if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = ONE;
  if (storage !== undefined) {
    out["requests.storage"] = storage;
    if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

function serviceUsage(svc: Service): ResourceList {
  const out: ResourceList = { services: ONE, "count/services": ONE };
  const type = svc.spec?.type;
  if (type === "LoadBalancer") out["services.loadbalancers"] = ONE;
  if (type === "LoadBalancer" || type === "NodePort") out["services.nodeports"] = String((svc.spec?.ports ?? []).length);
  return out;
}

/** What one object of `resource` (a storage key: "pods", "deployments.apps") costs. */
export function objectUsage(resource: string, obj: unknown, now: number): ResourceList {
  if (resource === "pods") return podUsage(obj as Pod, now);
  if (resource === "persistentvolumeclaims") return claimUsage(obj as PersistentVolumeClaim);
  if (resource === "services") return serviceUsage(obj as Service);
  const out: ResourceList = { [`count/${resource}`]: ONE };
  if (LEGACY_COUNTS.has(resource)) out[resource] = ONE;
  return out;
}

/** The storage keys a quota's hard names count (`count/deployments.apps`, `pods`, `requests.cpu` -> pods). */
export function resourcesCounted(hard: ResourceList | undefined): Set<string> {
  const out = new Set<string>();
  for (const name of Object.keys(hard ?? {})) {
    if (name.startsWith("count/")) out.add(name.slice("count/".length));
    else if (LEGACY_COUNTS.has(name)) out.add(name);
    else if (name === "requests.storage" || name.includes(STORAGE_CLASS_SUFFIX)) out.add("persistentvolumeclaims");
    else if (name.startsWith("services.")) out.add("services");
    else out.add("pods");
  }
  return out;
}

/** BestEffort QoS: no container or init container asks for or is limited in cpu or memory. */
export function isBestEffort(pod: Pod): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.every((c) => ["cpu", "memory"].every((r) => c.resources?.requests?.[r] === undefined && c.resources?.limits?.[r] === undefined));
}

function scopeMatches(scope: string, pod: Pod): boolean {
  const deadline = pod.spec?.activeDeadlineSeconds;
  const terminating = typeof deadline === "number" && deadline >= 0;
  switch (scope) {
    case "Terminating":
      return terminating;
    case "NotTerminating":
      return !terminating;
    case "BestEffort":
      return isBestEffort(pod);
    case "NotBestEffort":
      return !isBestEffort(pod);
    case "PriorityClass":
      return !!pod.spec?.priorityClassName;
    default:
      return false;
  }
}

/**
 * Whether a quota applies to the object: every scope (and scopeSelector requirement)
 * must hold. Scoped quotas apply to pods only; unscoped ones to everything.
 */
export function quotaMatches(quota: ResourceQuota, resource: string, obj: unknown): boolean {
  const scopes = quota.spec?.scopes ?? [];
  const reqs = quota.spec?.scopeSelector?.matchExpressions ?? [];
  if (!scopes.length && !reqs.length) return true;
  if (resource !== "pods") return false;
  const pod = obj as Pod;
  if (!scopes.every((s) => scopeMatches(s, pod))) return false;
  return reqs.every((r) => {
    if (r.scopeName === "PriorityClass" && (r.operator === "In" || r.operator === "NotIn")) {
      const inValues = (r.values ?? []).includes(pod.spec?.priorityClassName ?? "");
      return r.operator === "In" ? inValues : !inValues;
    }
    const holds = scopeMatches(r.scopeName, pod);
    return r.operator === "DoesNotExist" ? !holds : holds;
  });
}

/** The names of `usage` a quota tracks (hard) that the object charges. */
function tracked(hard: ResourceList, usage: ResourceList): string[] {
  return Object.keys(hard).filter((k) => k in usage);
}

/** prettyPrint: `k=v` sorted by name, joined by ",". */
function pretty(rl: ResourceList, keys: string[]): string {
  return [...keys].sort().map((k) => `${k}=${rl[k] ?? "0"}`).join(",");
}

/** The evaluator's Constraints: the containers missing a request or limit the quota needs. */
export function missingConstraints(pod: Pod, hard: ResourceList): string | undefined {
  const required = REQUIRED_PER_CONTAINER.filter((r) => r in hard);
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const usage = computeUsage(containerRequests(c), containerLimits(c));
    for (const r of required) if (!(r in usage)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name);
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** What a write adds: the new object's usage less the old one's, never below zero (SubtractWithNonNegativeResult). */
export function deltaUsage(usage: ResourceList, previous: ResourceList | undefined): ResourceList {
  if (!previous) return usage;
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(usage)) {
    const diff = k in previous ? addQuantities(v, previous[k], -1) : v;
    if (compareQuantities(diff, 0) > 0) out[k] = diff;
  }
  return out;
}

export interface QuotaCharge {
  quota: ResourceQuota;
  /** status.used after the charge. */
  used: ResourceList;
}

/**
 * The resource quota admission's CheckRequest for one object against the quotas of its
 * namespace: the quotas to charge with their new usage, or the reason it is refused
 * (`failed quota: ...` or `exceeded quota: ...`, the text after `<resource> "<name>" is forbidden: `).
 */
export function checkQuotas(quotas: ResourceQuota[], resource: string, obj: unknown, delta: ResourceList): { charges: QuotaCharge[] } | { refused: string } {
  const interesting: ResourceQuota[] = [];
  for (const quota of [...quotas].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))) {
    if (!quotaMatches(quota, resource, obj)) continue;
    const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
    if (resource === "pods") {
      const missing = missingConstraints(obj as Pod, hard);
      if (missing) return { refused: `failed quota: ${quota.metadata.name}: ${missing}` };
    }
    interesting.push(quota);
  }
  const charges: QuotaCharge[] = [];
  for (const quota of interesting) {
    const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
    const used = quota.status?.used ?? {};
    const requested = tracked(hard, delta);
    if (!requested.length) continue;
    const next: ResourceList = { ...used };
    for (const k of requested) next[k] = k in used ? addQuantities(used[k], delta[k]) : delta[k];
    const exceeded = requested.filter((k) => q(hard[k]) === undefined || compareQuantities(next[k], hard[k]) > 0);
    if (exceeded.length) {
      return { refused: `exceeded quota: ${quota.metadata.name}, requested: ${pretty(delta, exceeded)}, used: ${pretty(used, exceeded)}, limited: ${pretty(hard, exceeded)}` };
    }
    charges.push({ quota, used: next });
  }
  return { charges };
}

/** status.used as a recount finds it: every hard name, "0" where nothing is charged. */
export function usedOf(hard: ResourceList, objects: ResourceList[]): ResourceList {
  const used: ResourceList = {};
  for (const k of Object.keys(hard)) used[k] = "0";
  for (const usage of objects) for (const k of Object.keys(hard)) if (k in usage) used[k] = addQuantities(used[k], usage[k]);
  return used;
}
