// RBAC's escalation prevention (pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased): a user may write a Role or ClusterRole only with
// every right it grants (or the `escalate` verb on it), and a binding only to a role
// whose rights they hold (or the `bind` verb on that role). Members of system:masters
// are exempt. A ClusterRole that aggregates needs full authority, since it grants
// whatever other roles will later hold.
import type { Context } from "hono";
import type { AppEnv } from "./context";
import type { RequestInfo } from "./request-info";
import type { ObjectStore } from "../store/store";
import type { ClusterRole, KubeObject, PolicyRule, RoleBinding } from "../model/types";
import { SYSTEM_PRIVILEGED_GROUP, type UserInfo } from "../model/user-info";
import { forbidden } from "../model/errors";
import { covers, escalationMessage, RBAC_GROUP, type Attributes } from "../model/rbac-rules";
import { authorizeAttributes } from "./authorizer";
import { RbacAuthorizer } from "./rbac-authorizer";
import { userInfoOf } from "./auth";

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/** Makes the write handlers check an RBAC object before it is stored. */
export function guardRbacWrite(c: Context<AppEnv>, ri: RequestInfo): void {
  if (ri.info.group !== RBAC_GROUP || ri.subresource) return;
  const ctx = c.get("api");
  const user = userInfoOf(c.get("user"));
  ctx.admit = (obj) => confirmRbacWrite(ctx.store, user, ri.info.resource, ri.namespace, obj);
}

function refused(resource: string, name: string, why: string) {
  return forbidden(`${resource}.${RBAC_GROUP} "${name}" is forbidden: ${why}`, { name, group: RBAC_GROUP, kind: resource });
}

async function may(store: ObjectStore, user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
  const attrs: Attributes = { user, verb, isResourceRequest: true, path: "", apiGroup: RBAC_GROUP, resource, subresource: "", namespace, name };
  return (await authorizeAttributes(store, attrs)).allowed;
}

/** Refuses (403) a role or binding that would give its writer rights they do not hold. */
export async function confirmRbacWrite(store: ObjectStore, user: UserInfo, resource: string, namespace: string, obj: KubeObject): Promise<void> {
  if (user.groups.includes(SYSTEM_PRIVILEGED_GROUP)) return;
  const name = obj.metadata.name ?? "";
  const resolver = new RbacAuthorizer(store);
  if (resource === "roles" || resource === "clusterroles") {
    if (await may(store, user, "escalate", resource, namespace, name)) return;
    const owner = await resolver.rulesFor(user, namespace);
    const role = obj as ClusterRole;
    if (resource === "clusterroles" && role.aggregationRule?.clusterRoleSelectors?.length && !covers(owner.rules, FULL_AUTHORITY).covered) {
      throw refused(resource, name, "must have cluster-admin privileges to use the aggregationRule");
    }
    const { covered, missing } = covers(owner.rules, Array.isArray(role.rules) ? role.rules : []);
    if (!covered) throw refused(resource, name, escalationMessage(user, missing, owner.errors));
    return;
  }
  if (resource === "rolebindings" || resource === "clusterrolebindings") {
    const ref = (obj as RoleBinding).roleRef;
    if (!ref || typeof ref !== "object") return; // validation answers for a binding without a roleRef
    const roleResource = ref.kind === "Role" ? "roles" : "clusterroles";
    if (await may(store, user, "bind", roleResource, namespace, ref.name)) return;
    const granted = await resolver.roleReferenceRules(ref, namespace);
    if (granted.error) throw refused(resource, name, granted.error);
    const owner = await resolver.rulesFor(user, namespace);
    const { covered, missing } = covers(owner.rules, granted.rules);
    if (!covered) throw refused(resource, name, escalationMessage(user, missing, owner.errors));
  }
}
