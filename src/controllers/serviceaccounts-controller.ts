// The serviceaccounts controller (pkg/controller/serviceaccount): every active
// namespace has a ServiceAccount named "default", the identity its pods run as unless
// they name another. It is made when a namespace appears and made again when someone
// deletes it; a namespace being deleted gets none (its content is going away).
import type { ControllerKey } from "../controlplane/stubs";
import type { ServiceAccount } from "../model/types";
import { ApiError } from "../model/errors";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";
import { activeNamespaceKeys, namespaceActive } from "./namespace-active";

const DEFAULT_SERVICE_ACCOUNT = "default";

export class ServiceAccountsController implements Controller {
  readonly name = "sa";

  constructor(private readonly ctx: ControllerContext) {}

  /** Keys are namespaces (cluster-scoped: namespace ""). */
  keysFor(change: ControllerKey): NamespacedName[] {
    if (change.resource === "namespaces" && change.type !== "DELETED" && !change.deletionTimestamp) return [{ namespace: "", name: change.name }];
    if (change.resource === "serviceaccounts" && change.type === "DELETED" && change.name === DEFAULT_SERVICE_ACCOUNT) return [{ namespace: "", name: change.namespace }];
    return [];
  }

  resyncKeys(): Promise<NamespacedName[]> {
    return activeNamespaceKeys(this.ctx);
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { ctx } = this;
    if (!(await namespaceActive(ctx, key.name))) return;
    if (await ctx.store.get("serviceaccounts", key.name, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: key.name } };
    try {
      await ctx.registry.create("serviceaccounts", sa);
    } catch (e) {
      // Someone made it meanwhile, or the namespace began terminating: both are fine.
      if (e instanceof ApiError && (e.reason === "AlreadyExists" || e.code === 403 || e.code === 404)) return;
      throw e;
    }
  }
}
