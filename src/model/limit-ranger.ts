// The LimitRanger admission plugin (plugin/pkg/admission/limitranger), pure: a pod's
// containers get the requests and limits a LimitRange names as defaults (and an
// annotation saying so), then every Container, Pod and PersistentVolumeClaim item's
// min, max and maxLimitRequestRatio is enforced with the plugin's messages.
import type { Container, PersistentVolumeClaim, Pod, ResourceList } from "./types";
import type { LimitRange, LimitRangeItem } from "./quota-types";
import { addQuantities, canonicalQuantity, compareQuantities, isValidQuantity, maxQuantity, parseQuantity } from "./quantity";

export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

function q(v: unknown): string | undefined {
  const text = typeof v === "number" ? String(v) : typeof v === "string" ? v : undefined;
  return text !== undefined && isValidQuantity(text) ? text : undefined;
}

function entries(rl: ResourceList | undefined): [string, string][] {
  return Object.entries(rl ?? {}).flatMap(([k, v]) => {
    const text = q(v);
    return text === undefined ? [] : [[k, text] as [string, string]];
  });
}

/** The Container items' default limits and default requests, later items winning. */
function containerDefaults(range: LimitRange): { limits: ResourceList; requests: ResourceList } {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const item of range.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    for (const [k, v] of entries(item.defaultRequest)) requests[k] = v;
    for (const [k, v] of entries(item.default)) limits[k] = v;
  }
  return { limits, requests };
}

/**
 * mergePodResourceRequirements: what a container leaves out it gets from the defaults;
 * the pod is annotated "LimitRanger plugin set: cpu, memory request for container app; ...".
 */
function mergeDefaults(pod: Pod, defaults: { limits: ResourceList; requests: ResourceList }): void {
  const notes: string[] = [];
  const merge = (c: Container, what: string) => {
    const res = (c.resources ??= {});
    const limits = (res.limits ??= {});
    const requests = (res.requests ??= {});
    const setLimits = Object.keys(defaults.limits).filter((k) => !(k in limits));
    const setRequests = Object.keys(defaults.requests).filter((k) => !(k in requests));
    for (const k of setLimits) limits[k] = defaults.limits[k];
    for (const k of setRequests) requests[k] = defaults.requests[k];
    if (!Object.keys(limits).length) delete res.limits;
    if (!Object.keys(requests).length) delete res.requests;
    if (setRequests.length) notes.push(`${setRequests.sort().join(", ")} request for ${what} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(", ")} limit for ${what} ${c.name}`);
  };
  for (const c of pod.spec?.containers ?? []) merge(c, "container");
  for (const c of pod.spec?.initContainers ?? []) merge(c, "init container");
  if (notes.length) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
}

const text = (v: string) => canonicalQuantity(v);

function minConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  if (req === undefined) return `minimum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  if (lim !== undefined && compareQuantities(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No limit is specified`;
  if (compareQuantities(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  if (req !== undefined && compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

/** A claim's max is held against what it requests (maxRequestConstraint). */
function maxRequestConstraint(type: string, name: string, enforced: string, requests: ResourceList): string | undefined {
  const req = q(requests[name]);
  if (req === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: string, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = q(requests[name]);
  const lim = q(limits[name]);
  if (req === undefined || compareQuantities(req, 0) === 0) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no request is specified or request is 0`;
  if (lim === undefined || compareQuantities(lim, 0) === 0) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no limit is specified or limit is 0`;
  const ratio = parseQuantity(lim) / parseQuantity(req);
  if (ratio > parseQuantity(enforced)) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(item: LimitRangeItem, requests: ResourceList, limits: ResourceList, out: string[]): void {
  const push = (m: string | undefined) => m && out.push(m);
  for (const [k, v] of entries(item.min)) push(minConstraint(item.type, k, v, requests, limits));
  for (const [k, v] of entries(item.max)) push(maxConstraint(item.type, k, v, requests, limits));
  for (const [k, v] of entries(item.maxLimitRequestRatio)) push(ratioConstraint(item.type, k, v, requests, limits));
}

function sumOf(containers: Container[], of: "requests" | "limits"): ResourceList {
  const out: ResourceList = {};
  for (const c of containers) for (const [k, v] of entries(c.resources?.[of])) out[k] = k in out ? addQuantities(out[k], v) : v;
  return out;
}

/** The pod's total (app containers summed, each init container as a floor). */
function podTotal(pod: Pod, of: "requests" | "limits"): ResourceList {
  const total = sumOf(pod.spec?.containers ?? [], of);
  for (const c of pod.spec?.initContainers ?? []) for (const [k, v] of entries(c.resources?.[of])) total[k] = k in total ? maxQuantity(total[k], v) : v;
  return total;
}

/** utilerrors.NewAggregate's text: one message alone, several in brackets. */
function aggregate(errs: string[]): string | undefined {
  if (!errs.length) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`;
}

/**
 * PodLimitFunc for each LimitRange in turn: defaults merged into the pod (mutated), then
 * the constraints. Returns the first range's refusal (the text after `pods "x" is forbidden: `).
 */
export function limitPod(pod: Pod, ranges: LimitRange[]): string | undefined {
  for (const range of ranges) {
    mergeDefaults(pod, containerDefaults(range));
    const errs: string[] = [];
    for (const item of range.spec?.limits ?? []) {
      if (item.type === "Container") {
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) checkItem(item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      } else if (item.type === "Pod") {
        checkItem(item, podTotal(pod, "requests"), podTotal(pod, "limits"), errs);
      }
    }
    const refused = aggregate(errs);
    if (refused) return refused;
  }
  return undefined;
}

/** PersistentVolumeClaimLimitFunc: a claim's storage request within each range's min and max. */
export function limitClaim(pvc: PersistentVolumeClaim, ranges: LimitRange[]): string | undefined {
  for (const range of ranges) {
    const errs: string[] = [];
    const requests = (pvc.spec?.resources?.requests ?? {}) as ResourceList;
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== "PersistentVolumeClaim") continue;
      for (const [k, v] of entries(item.min)) {
        const m = minConstraint(item.type, k, v, requests, {});
        if (m) errs.push(m);
      }
      for (const [k, v] of entries(item.max)) {
        const m = maxRequestConstraint(item.type, k, v, requests);
        if (m) errs.push(m);
      }
    }
    const refused = aggregate(errs);
    if (refused) return refused;
  }
  return undefined;
}
