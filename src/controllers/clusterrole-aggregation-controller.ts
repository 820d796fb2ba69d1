// The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): when
// any ClusterRole changes, every ClusterRole with an aggregationRule is given the rules
// of the ClusterRoles its selectors match (src/model/rbac-aggregation.ts). One key for
// all of them: a change to one role can feed several aggregates, and aggregates feed
// each other (edit into admin).
import type { ControllerKey } from "../controlplane/stubs";
import type { ClusterRole } from "../model/types";
import { aggregatedRules } from "../model/rbac-aggregation";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";

const CLUSTER_ROLES = "clusterroles.rbac.authorization.k8s.io";
const KEY: NamespacedName = { namespace: "", name: "" };

export class ClusterRoleAggregationController implements Controller {
  readonly name = "clusterrole";

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    return change.resource === CLUSTER_ROLES ? [KEY] : [];
  }

  resyncKeys(): Promise<NamespacedName[]> {
    return Promise.resolve([KEY]);
  }

  async reconcile(): Promise<void> {
    const { items } = await this.ctx.store.list(CLUSTER_ROLES, {});
    const roles = items as ClusterRole[];
    const wanted = aggregatedRules(roles);
    for (const role of roles) {
      const rules = wanted.get(role.metadata.name ?? "");
      if (!rules || JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
      // Conditional on the version read: a 409 re-runs the whole reconcile from fresh reads.
      await this.ctx.registry.update(CLUSTER_ROLES, { ...structuredClone(role), rules }, { old: role });
    }
  }
}
