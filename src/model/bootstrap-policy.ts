// The default ClusterRoles and ClusterRoleBindings the API server makes on start
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go), for the resources this
// cluster serves: cluster-admin for system:masters, discovery, basic-user and
// public-info for everyone, and the user-facing admin, edit and view, which aggregate
// the system:aggregate-to-* roles by label.
import type { ClusterRole, PolicyRule, RoleBinding, Subject } from "./types";
import { RBAC_GROUP } from "./rbac-rules";

const RBAC_V1 = `${RBAC_GROUP}/v1`;
const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTO_UPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };
export const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): ClusterRole {
  return {
    apiVersion: RBAC_V1,
    kind: "ClusterRole",
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...labels }, annotations: { ...AUTO_UPDATE } },
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: "true" } }] } } : {}),
    rules,
  };
}

const group = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC_GROUP, name });

function clusterRoleBinding(name: string, subjects: Subject[], role = name): RoleBinding {
  return {
    apiVersion: RBAC_V1,
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTO_UPDATE } },
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: role },
    subjects,
  };
}

const PUBLIC_INFO = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

export const BOOTSTRAP_CLUSTER_ROLES: readonly ClusterRole[] = [
  clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
  clusterRole("system:discovery", [urls(["get"], [...PUBLIC_INFO, "/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*"])]),
  clusterRole("system:public-info-viewer", [urls(["get"], PUBLIC_INFO)]),
  clusterRole("system:basic-user", [
    rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
    rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
  ]),
  clusterRole("system:service-account-issuer-discovery", [
    urls(["get"], ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"]),
  ]),
  clusterRole("system:auth-delegator", [
    rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
    rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  ]),
  // The user-facing roles: their rules are what the aggregation controller gathers.
  clusterRole("admin", [], { "kubernetes.io/bootstrapping": "rbac-defaults" }, AGGREGATE_TO_ADMIN),
  clusterRole("edit", [], { [AGGREGATE_TO_ADMIN]: "true" }, AGGREGATE_TO_EDIT),
  clusterRole("view", [], { [AGGREGATE_TO_EDIT]: "true" }, AGGREGATE_TO_VIEW),
  clusterRole(
    "system:aggregate-to-admin",
    [rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]), rule(ALL_VERBS, [RBAC_GROUP], ["rolebindings", "roles"])],
    { [AGGREGATE_TO_ADMIN]: "true" },
  ),
  clusterRole(
    "system:aggregate-to-edit",
    [
      rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
      rule(["impersonate"], [""], ["serviceaccounts"]),
      rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
      rule(["create"], [""], ["pods/eviction"]),
      rule(WRITE, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
      rule(["create"], [""], ["serviceaccounts/token"]),
      rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
      rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
      rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
    ],
    { [AGGREGATE_TO_EDIT]: "true" },
  ),
  clusterRole(
    "system:aggregate-to-view",
    [
      rule(READ, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
      rule(READ, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
      rule(READ, [""], ["namespaces"]),
      rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
      rule(READ, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
      rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
      rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    ],
    { [AGGREGATE_TO_VIEW]: "true" },
  ),
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly RoleBinding[] = [
  clusterRoleBinding("cluster-admin", [group("system:masters")]),
  clusterRoleBinding("system:discovery", [group("system:authenticated")]),
  clusterRoleBinding("system:basic-user", [group("system:authenticated")]),
  clusterRoleBinding("system:public-info-viewer", [group("system:authenticated"), group("system:unauthenticated")]),
  clusterRoleBinding("system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
];
