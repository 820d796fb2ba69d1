// The RBAC authorizer and rule resolver (plugin/pkg/auth/authorizer/rbac and
// pkg/registry/rbac/validation/rule.go): the rules that apply to a user in a
// namespace are those of every ClusterRoleBinding naming them and of every
// RoleBinding in that namespace naming them. A request is allowed when one of those
// rules allows it; otherwise RBAC has no opinion and the request is forbidden. Reads
// go to the store for each request (a binding takes effect on the next request).
import type { ObjectStore } from "../store/store";
import type { ClusterRole, PolicyRule, RoleBinding, RoleRef, Subject } from "../model/types";
import type { UserInfo } from "../model/user-info";
import { ruleAllows, subjectAppliesTo, type Attributes } from "../model/rbac-rules";

export const ROLES = "roles.rbac.authorization.k8s.io";
export const CLUSTER_ROLES = "clusterroles.rbac.authorization.k8s.io";
export const ROLE_BINDINGS = "rolebindings.rbac.authorization.k8s.io";
export const CLUSTER_ROLE_BINDINGS = "clusterrolebindings.rbac.authorization.k8s.io";

/** Says which binding granted a rule: `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`. */
type Visitor = (source: string, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export type Decision = { allowed: boolean; reason: string };

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  /** The rules a role reference names: a ClusterRole's, or a Role's in the binding's namespace. */
  async roleReferenceRules(ref: RoleRef, namespace: string): Promise<{ rules: PolicyRule[]; error?: string }> {
    if (ref.kind === "ClusterRole") {
      const role = (await this.store.get(CLUSTER_ROLES, "", ref.name)) as ClusterRole | null;
      return role ? { rules: role.rules ?? [] } : { rules: [], error: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    if (ref.kind === "Role") {
      const role = (await this.store.get(ROLES, namespace, ref.name)) as ClusterRole | null;
      return role ? { rules: role.rules ?? [] } : { rules: [], error: `role.rbac.authorization.k8s.io "${ref.name}" not found` };
    }
    return { rules: [], error: `unsupported role reference kind: "${ref.kind}"` };
  }

  private async visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): Promise<void> {
    const [clusterBindings, bindings] = await Promise.all([
      this.store.list(CLUSTER_ROLE_BINDINGS, {}),
      namespace ? this.store.list(ROLE_BINDINGS, { namespace }) : Promise.resolve({ items: [] }),
    ]);
    const groups: [RoleBinding[], string][] = [[clusterBindings.items as RoleBinding[], "ClusterRoleBinding"], [bindings.items as RoleBinding[], "RoleBinding"]];
    for (const [items, kind] of groups) {
      for (const b of items) {
        const bindingNamespace = kind === "RoleBinding" ? (b.metadata.namespace ?? "") : "";
        const subject = (b.subjects ?? []).find((s) => subjectAppliesTo(s, user, bindingNamespace));
        if (!subject) continue;
        const { rules, error } = await this.roleReferenceRules(b.roleRef, bindingNamespace);
        const name = kind === "RoleBinding" ? `${b.metadata.name}/${bindingNamespace}` : (b.metadata.name ?? "");
        const source = `${kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject)}`;
        if (error && !visit(source, undefined, error)) return;
        for (const rule of rules) if (!visit(source, rule, undefined)) return;
      }
    }
  }

  async authorize(attrs: Attributes): Promise<Decision> {
    let reason = "";
    const errors: string[] = [];
    let allowed = false;
    await this.visitRulesFor(attrs.user, attrs.namespace, (source, rule, err) => {
      if (rule && ruleAllows(attrs, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${source}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (!allowed && errors.length) reason = `RBAC: ${aggregate(errors)}`;
    return { allowed, reason };
  }

  /** Every rule that applies to the user in the namespace, and the bindings whose roles could not be read. */
  async rulesFor(user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; errors: string[] }> {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    await this.visitRulesFor(user, namespace, (_source, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

function describeSubject(s: Subject): string {
  const name = s.kind === "ServiceAccount" && s.namespace ? `${s.name}/${s.namespace}` : s.name;
  return `${s.kind} ${JSON.stringify(name)}`;
}

/** utilerrors.NewAggregate's text: one error alone, several in brackets. */
function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
}
