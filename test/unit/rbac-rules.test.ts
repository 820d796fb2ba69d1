// The RBAC rule evaluator and the escalation check, table by table, with upstream's
// cases (pkg/apis/rbac/v1/evaluation_helpers_test.go, pkg/registry/rbac/validation/
// policy_comparator_test.go) and messages.
import { describe, it, expect } from "vitest";
import { compactString, covers, escalationMessage, nonResourceURLMatches, ruleAllows, subjectAppliesTo, type Attributes } from "../../src/model/rbac-rules";
import type { PolicyRule, Subject } from "../../src/model/types";
import type { UserInfo } from "../../src/model/user-info";

type Req = Omit<Attributes, "user">;
const res = (verb: string, resource: string, extra: Partial<Req> = {}): Req => ({ verb, isResourceRequest: true, path: "", apiGroup: "", resource, subresource: "", namespace: "default", name: "", ...extra });
const url = (verb: string, path: string): Req => ({ verb, isResourceRequest: false, path, apiGroup: "", resource: "", subresource: "", namespace: "", name: "" });

describe("ruleAllows", () => {
  const podsReader: PolicyRule = { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] };
  const cases: [string, PolicyRule, Req, boolean][] = [
    ["a listed verb on a listed resource", podsReader, res("list", "pods"), true],
    ["watch is its own verb", podsReader, res("watch", "pods"), true],
    ["an unlisted verb", podsReader, res("create", "pods"), false],
    ["deletecollection is not delete", { verbs: ["delete"], apiGroups: [""], resources: ["pods"] }, res("deletecollection", "pods"), false],
    ["another API group", podsReader, res("get", "pods", { apiGroup: "apps" }), false],
    ["another resource", podsReader, res("get", "services"), false],
    ["a subresource is not its resource", podsReader, res("get", "pods", { subresource: "log" }), false],
    ["pods/log names the subresource", { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, res("get", "pods", { subresource: "log" }), true],
    ["pods/log is not pods", { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, res("get", "pods"), false],
    ["*/scale matches every resource's scale", { verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] }, res("patch", "deployments", { apiGroup: "apps", subresource: "scale" }), true],
    ["*/scale is not the resource", { verbs: ["patch"], apiGroups: ["apps"], resources: ["*/scale"] }, res("patch", "deployments", { apiGroup: "apps" }), false],
    ["* matches subresources too", { verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, res("create", "pods", { subresource: "exec" }), true],
    ["a verb wildcard", { verbs: ["*"], apiGroups: [""], resources: ["pods"] }, res("deletecollection", "pods"), true],
    ["a group wildcard", { verbs: ["get"], apiGroups: ["*"], resources: ["deployments"] }, res("get", "deployments", { apiGroup: "apps" }), true],
    ["resourceNames allow the named object", { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, res("get", "configmaps", { name: "a" }), true],
    ["resourceNames refuse another object", { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, res("get", "configmaps", { name: "b" }), false],
    ["resourceNames refuse a list (no name)", { verbs: ["list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, res("list", "configmaps"), false],
    ["a resource rule never allows a URL", podsReader, url("get", "/pods"), false],
    ["a URL rule allows its path", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("get", "/healthz"), true],
    ["a URL rule does not allow a resource", { verbs: ["get"], nonResourceURLs: ["*"] }, res("get", "pods"), false],
    ["a URL prefix", { verbs: ["get"], nonResourceURLs: ["/apis/*"] }, url("get", "/apis/apps/v1"), true],
    ["a URL rule's verb", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("post", "/healthz"), false],
  ];
  it.each(cases)("%s", (_what, rule, req, want) => {
    expect(ruleAllows(req, rule)).toBe(want);
  });

  it.each([
    ["*", "/anything", true],
    ["/api", "/api", true],
    ["/api", "/api/v1", false],
    ["/api/*", "/api/v1", true],
    ["/api/*", "/api", false],
    ["/api*", "/apis", true],
  ] as const)("nonResourceURL %s against %s: %s", (rule, path, want) => {
    expect(nonResourceURLMatches({ verbs: ["get"], nonResourceURLs: [rule] }, path)).toBe(want);
  });
});

describe("subjectAppliesTo", () => {
  const sa: UserInfo = { username: "system:serviceaccount:team:reader", groups: ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"] };
  const cases: [string, Subject, string, boolean][] = [
    ["the ServiceAccount", { kind: "ServiceAccount", name: "reader", namespace: "team" }, "", true],
    ["another namespace's ServiceAccount of that name", { kind: "ServiceAccount", name: "reader", namespace: "other" }, "", false],
    ["a ServiceAccount without a namespace, in its RoleBinding's namespace", { kind: "ServiceAccount", name: "reader" }, "team", true],
    ["a ServiceAccount without a namespace, in a ClusterRoleBinding", { kind: "ServiceAccount", name: "reader" }, "", false],
    ["a User of the ServiceAccount's name", { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "system:serviceaccount:team:reader" }, "", true],
    ["its namespace's group", { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:serviceaccounts:team" }, "", true],
    ["another group", { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" }, "", false],
    ["an unknown kind", { kind: "Robot", name: "reader" }, "team", false],
  ];
  it.each(cases)("%s", (_what, subject, ns, want) => {
    expect(subjectAppliesTo(subject, sa, ns)).toBe(want);
  });
});

describe("covers (escalation)", () => {
  const cases: [string, PolicyRule[], PolicyRule[], boolean, string[]][] = [
    ["the same rule", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], true, []],
    ["fewer verbs", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], true, []],
    [
      "more verbs",
      [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
      [{ verbs: ["get", "create", "delete"], apiGroups: [""], resources: ["pods"] }],
      false,
      [`{APIGroups:[""], Resources:["pods"], Verbs:["create" "delete"]}`],
    ],
    ["star verbs cover all", [{ verbs: ["*"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["escalate", "get"], apiGroups: [""], resources: ["pods"] }], true, []],
    ["star resources cover subresources", [{ verbs: ["get"], apiGroups: [""], resources: ["*"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }], true, []],
    ["*/log covers pods/log", [{ verbs: ["get"], apiGroups: [""], resources: ["*/log"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }], true, []],
    ["a resource does not cover its subresource", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }], false, [`{APIGroups:[""], Resources:["pods/log"], Verbs:["get"]}`]],
    ["named rights are covered by unnamed", [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"] }], true, []],
    [
      "unnamed rights are not covered by named",
      [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"] }],
      [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"] }],
      false,
      [`{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`],
    ],
    [
      "a name not held",
      [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"] }],
      [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a", "b"] }],
      false,
      [`{APIGroups:[""], Resources:["secrets"], ResourceNames:["b"], Verbs:["get"]}`],
    ],
    ["a URL prefix covers a URL", [{ verbs: ["get"], nonResourceURLs: ["/apis/*"] }], [{ verbs: ["get"], nonResourceURLs: ["/apis/apps"] }], true, []],
    ["a URL is not a prefix", [{ verbs: ["get"], nonResourceURLs: ["/apis"] }], [{ verbs: ["get"], nonResourceURLs: ["/apis/*"] }], false, [`{NonResourceURLs:["/apis/*"], Verbs:["get"]}`]],
    ["another group", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get"], apiGroups: ["apps"], resources: ["pods"] }], false, [`{APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}`]],
    ["rules split across several owners", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }, { verbs: ["list"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }], true, []],
    ["nothing is needed for no rules", [], [], true, []],
    ["nothing covers cluster-admin but cluster-admin", [{ verbs: ["*"], apiGroups: [""], resources: ["*"] }], [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], false, [`{APIGroups:["*"], Resources:["*"], Verbs:["*"]}`]],
  ];
  it.each(cases)("%s", (_what, owner, requested, want, missing) => {
    const got = covers(owner, requested);
    expect(got.covered).toBe(want);
    const user: UserInfo = { username: "u", groups: [] };
    if (!want) expect(escalationMessage(user, got.missing).split("\n").slice(1)).toEqual(missing);
  });

  it("says who asked and what they lack, one right a line, as ConfirmNoEscalation does", () => {
    const user: UserInfo = { username: "system:serviceaccount:default:reader", groups: ["system:serviceaccounts", "system:authenticated"] };
    const { missing } = covers([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods", "secrets"] }]);
    expect(escalationMessage(user, missing)).toBe(
      `user "system:serviceaccount:default:reader" (groups=["system:serviceaccounts" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n` +
        `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}`,
    );
  });

  it("prints a rule's parts in upstream's order", () => {
    expect(compactString({ verbs: ["get"], apiGroups: ["a"], resources: ["r"], resourceNames: ["n"], nonResourceURLs: ["/u"] })).toBe(`{APIGroups:["a"], Resources:["r"], NonResourceURLs:["/u"], ResourceNames:["n"], Verbs:["get"]}`);
  });
});
