// The default RBAC policy made on start (the API server's rbac/bootstrap-roles post-start
// hook): each default ClusterRole and ClusterRoleBinding that is missing is created,
// the aggregated ones (admin, edit, view) with their rules already gathered. One that
// exists is left as it is, so an administrator's change survives restarts.
import type { ObjectStore } from "../store/store";
import type { Registry } from "../registry/registry";
import type { ClusterRole } from "../model/types";
import { ApiError } from "../model/errors";
import { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_CLUSTER_ROLE_BINDINGS } from "../model/bootstrap-policy";
import { aggregatedRules } from "../model/rbac-aggregation";

const CLUSTER_ROLES = "clusterroles.rbac.authorization.k8s.io";
const CLUSTER_ROLE_BINDINGS = "clusterrolebindings.rbac.authorization.k8s.io";

export async function ensureBootstrapPolicy(ctx: { store: ObjectStore; registry: Registry }): Promise<void> {
  const [roles, bindings] = await Promise.all([ctx.store.list(CLUSTER_ROLES, {}), ctx.store.list(CLUSTER_ROLE_BINDINGS, {})]);
  const haveRoles = new Set(roles.items.map((r) => r.metadata.name));
  const haveBindings = new Set(bindings.items.map((b) => b.metadata.name));
  const aggregated = aggregatedRules(BOOTSTRAP_CLUSTER_ROLES);
  const create = async (resource: string, obj: ClusterRole) => {
    try {
      await ctx.registry.create(resource, obj);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
  };
  for (const role of BOOTSTRAP_CLUSTER_ROLES) {
    const name = role.metadata.name ?? "";
    if (haveRoles.has(name)) continue;
    const obj = structuredClone(role);
    if (aggregated.has(name)) obj.rules = aggregated.get(name);
    await create(CLUSTER_ROLES, obj);
  }
  for (const binding of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
    if (!haveBindings.has(binding.metadata.name)) await create(CLUSTER_ROLE_BINDINGS, structuredClone(binding));
  }
}
