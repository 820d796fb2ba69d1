// Validation of Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation):
// names are path segments, a rule names verbs and either resources (with API groups)
// or, for ClusterRoles only, non-resource URLs; a binding refers to a role of an
// allowed kind in rbac.authorization.k8s.io, its subjects are Users, Groups or
// ServiceAccounts, and its roleRef never changes. JSON types are checked first, so
// the authorizer may trust what is stored.
import type { ClusterRole, PolicyRule, RoleBinding, StatusCause, Subject } from "./types";
import { GoRepr, child, index, invalidField, notSupported, required, typeInvalid } from "./field-errors";
import { nameIsDNSSubdomain } from "./name-rules";
import { validateLabelSelector } from "./validate-meta";
import { RBAC_GROUP } from "./rbac-rules";

/** path.IsValidPathSegmentName: RBAC names only have to fit in a URL path segment. */
export function nameIsPathSegment(name: string, _prefix: boolean): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errs: string[] = [];
  if (name.includes("/")) errs.push("may not contain '/'");
  if (name.includes("%")) errs.push("may not contain '%'");
  return errs;
}

const isStringArray = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === "string"));
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function ruleTypeErrors(rules: unknown, path: string): StatusCause[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return [typeInvalid(path, new GoRepr(typeof rules), "expected an array of PolicyRule")];
  const errs: StatusCause[] = [];
  rules.forEach((r, i) => {
    if (!isObject(r)) return errs.push(typeInvalid(index(path, i), new GoRepr(typeof r), "expected a PolicyRule object"));
    for (const f of ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"]) {
      if (!isStringArray(r[f])) errs.push(typeInvalid(child(index(path, i), f), new GoRepr(typeof r[f]), "expected an array of strings"));
    }
  });
  return errs;
}

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!rule.verbs?.length) errs.push(required(child(path, "verbs"), "verbs must contain at least one value"));
  if (rule.nonResourceURLs?.length) {
    const urls = new GoRepr(`[]string{${rule.nonResourceURLs.map((u) => JSON.stringify(u)).join(", ")}}`);
    if (namespaced) errs.push(invalidField(child(path, "nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalidField(child(path, "nonResourceURLs"), urls, "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(child(path, "apiGroups"), "resource rules must supply at least one api group"));
  if (!rule.resources?.length) errs.push(required(child(path, "resources"), "resource rules must supply at least one resource"));
  return errs;
}

export function validateRole(role: ClusterRole, namespaced: boolean): StatusCause[] {
  const types = ruleTypeErrors(role.rules, "rules");
  if (types.length) return types;
  const errs: StatusCause[] = [];
  (role.rules ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, index("rules", i))));
  if (!namespaced && role.aggregationRule !== undefined && role.aggregationRule !== null) {
    const selectors = isObject(role.aggregationRule) ? role.aggregationRule.clusterRoleSelectors : undefined;
    if (!Array.isArray(selectors) || selectors.length === 0) {
      errs.push(required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    } else selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, index("aggregationRule.clusterRoleSelectors", i))));
  }
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!s.name) errs.push(required(child(path, "name")));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.name) for (const msg of nameIsDNSSubdomain(s.name, false)) errs.push(invalidField(child(path, "name"), s.name, msg));
      if (s.apiGroup) errs.push(notSupported(child(path, "apiGroup"), s.apiGroup, [""]));
      if (!namespaced && !s.namespace) errs.push(required(child(path, "namespace")));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(child(path, "apiGroup"), s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, "kind"), s.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

export function validateRoleBinding(b: RoleBinding, namespaced: boolean, old?: RoleBinding): StatusCause[] {
  const subjects: unknown = b.subjects;
  if (subjects !== undefined && subjects !== null && (!Array.isArray(subjects) || !subjects.every(isObject))) {
    return [typeInvalid("subjects", new GoRepr(typeof subjects), "expected an array of Subject")];
  }
  const ref: unknown = b.roleRef;
  if (ref !== undefined && ref !== null && !isObject(ref)) return [typeInvalid("roleRef", new GoRepr(typeof ref), "expected a RoleRef object")];
  const errs: StatusCause[] = [];
  const roleRef = (ref ?? {}) as Partial<RoleBinding["roleRef"]>;
  if (roleRef.apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", roleRef.apiGroup ?? "", [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(roleRef.kind ?? "")) errs.push(notSupported("roleRef.kind", roleRef.kind ?? "", kinds));
  if (!roleRef.name) errs.push(required("roleRef.name"));
  else for (const msg of nameIsPathSegment(roleRef.name, false)) errs.push(invalidField("roleRef.name", roleRef.name, msg));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index("subjects", i))));
  if (old) {
    const a = old.roleRef ?? {};
    if (a.apiGroup !== roleRef.apiGroup || a.kind !== roleRef.kind || a.name !== roleRef.name) {
      const repr = new GoRepr(`rbac.RoleRef{APIGroup:${JSON.stringify(roleRef.apiGroup ?? "")}, Kind:${JSON.stringify(roleRef.kind ?? "")}, Name:${JSON.stringify(roleRef.name ?? "")}}`);
      errs.push(invalidField("roleRef", repr, "cannot change roleRef"));
    }
  }
  return errs;
}
