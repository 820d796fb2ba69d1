// Role, ClusterRole, RoleBinding and ClusterRoleBinding columns as printRole and
// printRoleBinding print them: roles show when they were made, bindings the role they
// grant (KIND/NAME) and, with -o wide, their users, groups and ServiceAccounts.
import type { KubeObject, RoleBinding } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, col("Created At", "date", "Time at which the object was created.")],
  cells(obj: KubeObject): unknown[] {
    return [obj.metadata.name ?? "", obj.metadata.creationTimestamp ?? ""];
  },
};

export const roleBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col("Role", "string", "Role"),
    AGE_COLUMN,
    col("Users", "string", "Users in the roleBinding", { priority: 1 }),
    col("Groups", "string", "Groups in the roleBinding", { priority: 1 }),
    col("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", { priority: 1 }),
  ],
  cells(obj: KubeObject, now: number): unknown[] {
    const b = obj as RoleBinding;
    const subjects = b.subjects ?? [];
    const of = (kind: string) => subjects.filter((s) => s.kind === kind);
    return [
      b.metadata.name ?? "",
      `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`,
      formatAge(b.metadata.creationTimestamp, now),
      of("User").map((s) => s.name).join(", "),
      of("Group").map((s) => s.name).join(", "),
      of("ServiceAccount").map((s) => `${s.namespace ?? ""}/${s.name}`).join(", "),
    ];
  },
};
