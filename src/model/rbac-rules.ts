// How RBAC reads a PolicyRule (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go
// and pkg/registry/rbac/validation): whether one rule allows a request, and whether a
// set of rules covers another (the escalation check: nobody grants what they do not
// hold). Pure functions over plain data, so both are tested table by table.
import type { PolicyRule, Subject } from "./types";
import type { UserInfo } from "./user-info";
import { serviceAccountUsername } from "./user-info";

export const RBAC_GROUP = "rbac.authorization.k8s.io";
export const VERB_ALL = "*";
export const API_GROUP_ALL = "*";
export const RESOURCE_ALL = "*";
export const NON_RESOURCE_ALL = "*";

/** What a request asks, as the authorizer's Attributes. */
export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; a lowercase method for paths outside the resource tree. */
  verb: string;
  isResourceRequest: boolean;
  /** Non-resource requests. */
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const has = (set: readonly string[] | undefined, v: string) => !!set && set.includes(v);
const hasAll = (set: readonly string[] | undefined, vs: readonly string[] | undefined) => (vs ?? []).every((v) => has(set, v));

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, VERB_ALL) || has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, API_GROUP_ALL) || has(rule.apiGroups, group);
}

/** `combined` is "pods" or "pods/log"; "*" and "*\/log" match too. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === RESOURCE_ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(name);
}

/** "/logs" matches "/logs"; "/logs/*" matches anything under "/logs/"; "*" matches every path. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === NON_RESOURCE_ALL || u === path) return true;
    if (u.endsWith("*") && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attrs: Omit<Attributes, "user">, rule: PolicyRule): boolean {
  if (attrs.isResourceRequest) {
    const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return verbMatches(rule, attrs.verb) && apiGroupMatches(rule, attrs.apiGroup) && resourceMatches(rule, combined, attrs.subresource) && resourceNameMatches(rule, attrs.name);
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}

/**
 * Whether a binding's subject is this user. A ServiceAccount subject without a
 * namespace means the binding's own (a RoleBinding may leave it out).
 */
export function subjectAppliesTo(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return !!ns && user.username === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

// ---- coverage (escalation) ----

/** One verb on one resource (and name), or one verb on one URL. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function resourceCoversAll(owner: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  if (has(owner, RESOURCE_ALL) || hasAll(owner, requested)) return true;
  for (const r of requested ?? []) {
    if (has(owner, r)) continue;
    const slash = r.indexOf("/");
    if (slash < 0 || !has(owner, `*/${r.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLsCoverAll(owner: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  return (requested ?? []).every((r) => (owner ?? []).some((o) => o === r || (o.endsWith("*") && r.startsWith(o.slice(0, -1)))));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, VERB_ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, API_GROUP_ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Whether `owner` holds every right in `requested`, and the atomic rights it lacks. */
export function covers(owner: PolicyRule[], requested: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const rule of requested) {
    for (const atom of breakdownRule(rule)) {
      if (!owner.some((o) => ruleCovers(o, atom))) missing.push(atom);
    }
  }
  return { covered: missing.length === 0, missing };
}

/** Atomic rules on the same group and resource (no names) merged into one with all their verbs, as CompactRules does. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.resourceNames?.length && !r.nonResourceURLs?.length;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0]]);
    const existing = simple.get(key);
    if (existing) {
      for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
    } else {
      const copy = { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** Go's %q of a []string. */
const q = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;

/** PolicyRule.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["create"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(", ")}}`;
}

/**
 * The reason an escalation is refused (ConfirmNoEscalation): who asked, and each
 * right they lack, compacted and sorted, one a line.
 */
export function escalationMessage(user: UserInfo, missing: PolicyRule[], resolutionErrors: string[] = []): string {
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${q(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join("\n")}`;
  if (resolutionErrors.length) msg += `; resolution errors: [${resolutionErrors.join(", ")}]`;
  return msg;
}
