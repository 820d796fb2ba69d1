// Role and binding validation with upstream's field errors (pkg/apis/rbac/validation),
// and ClusterRole aggregation.
import { describe, it, expect } from "vitest";
import { validateObject } from "../../src/model/validation";
import { aggregatedRules } from "../../src/model/rbac-aggregation";
import { BOOTSTRAP_CLUSTER_ROLES } from "../../src/model/bootstrap-policy";
import type { ClusterRole, KubeObject } from "../../src/model/types";

const ROLES = "roles.rbac.authorization.k8s.io";
const CLUSTER_ROLES = "clusterroles.rbac.authorization.k8s.io";
const BINDINGS = "rolebindings.rbac.authorization.k8s.io";
const CLUSTER_BINDINGS = "clusterrolebindings.rbac.authorization.k8s.io";
const G = "rbac.authorization.k8s.io";

const role = (rules: unknown, ns = "default", kind = "Role"): KubeObject => ({ apiVersion: `${G}/v1`, kind, metadata: { name: "r", ...(ns ? { namespace: ns } : {}) }, rules });
const binding = (roleRef: unknown, subjects: unknown, ns = "default"): KubeObject => ({ apiVersion: `${G}/v1`, kind: ns ? "RoleBinding" : "ClusterRoleBinding", metadata: { name: "b", ...(ns ? { namespace: ns } : {}) }, roleRef, subjects });
const ref = (kind: string, name = "r", apiGroup = G) => ({ apiGroup, kind, name });
const messages = (resource: string, obj: KubeObject, old?: KubeObject) => validateObject(resource, obj, old).map((c) => `${c.field}: ${c.message}`);

describe("Role and ClusterRole validation", () => {
  it.each([
    ["a valid resource rule", ROLES, role([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]), []],
    ["no verbs", ROLES, role([{ verbs: [], apiGroups: [""], resources: ["pods"] }]), ["rules[0].verbs: Required value: verbs must contain at least one value"]],
    ["no API group", ROLES, role([{ verbs: ["get"], resources: ["pods"] }]), ["rules[0].apiGroups: Required value: resource rules must supply at least one api group"]],
    ["no resources", ROLES, role([{ verbs: ["get"], apiGroups: [""] }]), ["rules[0].resources: Required value: resource rules must supply at least one resource"]],
    ["a URL in a Role", ROLES, role([{ verbs: ["get"], nonResourceURLs: ["/healthz"] }]), [`rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs`]],
    ["a URL in a ClusterRole", CLUSTER_ROLES, role([{ verbs: ["get"], nonResourceURLs: ["/healthz"] }], "", "ClusterRole"), []],
    [
      "a URL and resources in one rule",
      CLUSTER_ROLES,
      role([{ verbs: ["get"], nonResourceURLs: ["/healthz"], resources: ["pods"] }], "", "ClusterRole"),
      [`rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs`],
    ],
    ["rules that are not a list", ROLES, role("all"), ["rules: Invalid value: string: expected an array of PolicyRule"]],
    ["a name with a slash", ROLES, { ...role([]), metadata: { name: "a/b", namespace: "default" } }, [`metadata.name: Invalid value: "a/b": may not contain '/'`]],
    [
      "an aggregationRule without selectors",
      CLUSTER_ROLES,
      { ...role([], "", "ClusterRole"), aggregationRule: { clusterRoleSelectors: [] } },
      ["aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil"],
    ],
  ] as const)("%s", (_what, resource, obj, want) => {
    expect(messages(resource, obj as KubeObject)).toEqual(want);
  });
});

describe("RoleBinding and ClusterRoleBinding validation", () => {
  const sa = { kind: "ServiceAccount", name: "reader", namespace: "default" };
  it.each([
    ["a valid binding", BINDINGS, binding(ref("Role"), [sa]), []],
    ["a ClusterRole from a RoleBinding", BINDINGS, binding(ref("ClusterRole"), [sa]), []],
    ["a Role from a ClusterRoleBinding", CLUSTER_BINDINGS, binding(ref("Role"), [sa], ""), [`roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"`]],
    ["another group", BINDINGS, binding(ref("Role", "r", "example.com"), [sa]), [`roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"`]],
    ["no role name", BINDINGS, binding(ref("Role", ""), [sa]), ["roleRef.name: Required value"]],
    ["a ServiceAccount without a namespace in a ClusterRoleBinding", CLUSTER_BINDINGS, binding(ref("ClusterRole"), [{ kind: "ServiceAccount", name: "x" }], ""), ["subjects[0].namespace: Required value"]],
    ["a User without the RBAC group", BINDINGS, binding(ref("Role"), [{ kind: "User", name: "jane" }]), [`subjects[0].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"`]],
    ["a Robot", BINDINGS, binding(ref("Role"), [{ kind: "Robot", name: "r2" }]), [`subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"`]],
    ["a subject without a name", BINDINGS, binding(ref("Role"), [{ kind: "Group", apiGroup: G, name: "" }]), ["subjects[0].name: Required value"]],
  ] as const)("%s", (_what, resource, obj, want) => {
    expect(messages(resource, obj as KubeObject)).toEqual(want);
  });

  it("never lets an update change the roleRef", () => {
    const old = { ...binding(ref("Role", "a"), [sa]), metadata: { name: "b", namespace: "default", resourceVersion: "5", uid: "u" } };
    const next = { ...binding(ref("Role", "b"), [sa]), metadata: { name: "b", namespace: "default", resourceVersion: "5", uid: "u" } };
    expect(messages(BINDINGS, next, old)).toEqual([`roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef`]);
  });
});

describe("ClusterRole aggregation", () => {
  it("gives view < edit < admin, each holding the one below", () => {
    const rules = aggregatedRules(BOOTSTRAP_CLUSTER_ROLES);
    const view = rules.get("view")!;
    const edit = rules.get("edit")!;
    const admin = rules.get("admin")!;
    expect(view.some((r) => r.resources?.includes("pods") && r.verbs.includes("list"))).toBe(true);
    expect(view.some((r) => r.resources?.includes("secrets"))).toBe(false);
    for (const r of view) expect(edit).toContainEqual(r);
    for (const r of edit) expect(admin).toContainEqual(r);
    expect(admin.some((r) => r.resources?.includes("rolebindings"))).toBe(true);
    expect(edit.some((r) => r.resources?.includes("rolebindings"))).toBe(false);
  });

  it("takes a new role's rules by label, in name order, each once", () => {
    const extra: ClusterRole = { apiVersion: `${G}/v1`, kind: "ClusterRole", metadata: { name: "aaa-widgets", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: [{ verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] }] };
    const rules = aggregatedRules([...BOOTSTRAP_CLUSTER_ROLES, extra]);
    expect(rules.get("view")![0]).toEqual(extra.rules![0]);
    expect(rules.get("admin")!.filter((r) => r.resources?.includes("widgets"))).toHaveLength(1);
  });
});
