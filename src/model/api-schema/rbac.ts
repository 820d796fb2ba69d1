// Role-based access control: Roles and ClusterRoles list what may be done, bindings
// grant them to users, groups and service accounts.
import { RBAC, META, def, kind, str, ref, list, strList, type Definition } from "./dsl";

const R = (n: string) => `${RBAC}.${n}`;

export const RBAC_DEFINITIONS: Definition[] = [
  kind("rbac.authorization.k8s.io", "v1", "Role", R("Role"), "A Role is a set of permissions (rules) within one namespace. It grants nothing by itself: a RoleBinding gives it to subjects. Permissions only add up; there are no deny rules.", {
    rules: list(R("PolicyRule"), "What the Role allows: each rule names verbs on resources."),
  }),
  kind("rbac.authorization.k8s.io", "v1", "ClusterRole", R("ClusterRole"), "A ClusterRole is a set of permissions that is not tied to one namespace: granted by a ClusterRoleBinding it applies everywhere and to cluster-scoped resources, granted by a RoleBinding it applies in that binding's namespace.", {
    rules: list(R("PolicyRule"), "What the ClusterRole allows: each rule names verbs on resources or non-resource URLs."),
    aggregationRule: ref(R("AggregationRule"), "When set, the rules are filled in by the controller from the ClusterRoles it selects, and anything written to rules is overwritten."),
  }),
  def(R("AggregationRule"), "How a ClusterRole collects the rules of other ClusterRoles.", {
    clusterRoleSelectors: list(`${META}.LabelSelector`, "ClusterRoles matching any of these selectors contribute their rules."),
  }),
  def(R("PolicyRule"), "One permission: verbs allowed on a set of resources (or non-resource URLs).", {
    verbs: strList("What may be done: get, list, watch, create, update, patch, delete, deletecollection, or * for all."),
    apiGroups: strList("API groups of the resources: \"\" is the core group, * any group."),
    resources: strList("Resources the rule covers, e.g. pods or pods/log for a subresource; * for all."),
    resourceNames: strList("Names of the objects the rule is limited to; empty means every object."),
    nonResourceURLs: strList("URL paths that are not resources, e.g. /healthz or /api/*; only meaningful in a ClusterRole."),
  }, { required: ["verbs"] }),
  kind("rbac.authorization.k8s.io", "v1", "RoleBinding", R("RoleBinding"), "A RoleBinding grants the permissions of a Role (or of a ClusterRole, limited to the binding's namespace) to users, groups or service accounts.", {
    subjects: list(R("Subject"), "Who gets the permissions."),
    roleRef: ref(R("RoleRef"), "The Role or ClusterRole granted. It cannot be changed: delete and re-create the binding instead."),
  }),
  kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", R("ClusterRoleBinding"), "A ClusterRoleBinding grants the permissions of a ClusterRole in every namespace and on cluster-scoped resources.", {
    subjects: list(R("Subject"), "Who gets the permissions."),
    roleRef: ref(R("RoleRef"), "The ClusterRole granted. It cannot be changed: delete and re-create the binding instead."),
  }),
  def(R("Subject"), "Who a binding grants permissions to: a user, a group or a service account.", {
    kind: str("User, Group or ServiceAccount."),
    apiGroup: str("\"rbac.authorization.k8s.io\" for users and groups, empty for service accounts."),
    name: str("The name of the user, group or service account."),
    namespace: str("The service account's namespace; empty for users and groups."),
  }, { required: ["kind", "name"] }),
  def(R("RoleRef"), "The role a binding grants.", {
    apiGroup: str("The role's API group: rbac.authorization.k8s.io."),
    kind: str("Role or ClusterRole."),
    name: str("The role's name."),
  }, { required: ["apiGroup", "kind", "name"] }),
];
