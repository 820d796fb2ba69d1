// RoleBindings and ClusterRoleBindings: a User or Group subject without an apiGroup
// means rbac.authorization.k8s.io (SetDefaults_Subject), on every write.
import type { KubeObject, RoleBinding } from "../../model/types";
import type { ResourceStrategy } from "./types";

const RBAC_GROUP = "rbac.authorization.k8s.io";

function defaultSubjects(obj: KubeObject): void {
  const subjects = (obj as RoleBinding).subjects;
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (s && typeof s === "object" && !s.apiGroup && (s.kind === "User" || s.kind === "Group")) s.apiGroup = RBAC_GROUP;
  }
}

export const roleBindingStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => defaultSubjects(obj),
  prepareForUpdate: (next) => defaultSubjects(next),
};
