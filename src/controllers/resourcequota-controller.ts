// The resourcequota controller (pkg/controller/resourcequota): keeps each quota's
// status.used true when usage goes away, which the admission never credits: an object
// deleted, a pod finished (Succeeded or Failed pods use no compute). Keys are
// namespaces: every quota of one is recounted from fresh reads. Each quota is read
// before its objects are counted and written only if its version is still the one
// read, so a charge the admission committed meanwhile is never lost (409: counted again).
import type { ControllerKey } from "../controlplane/stubs";
import type { ResourceQuota } from "../model/quota-types";
import { recountQuota } from "../registry/quota-admission";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";

const NEVER_COUNTED = new Set(["resourcequotas", "events", "events.events.k8s.io", "leases.coordination.k8s.io"]);

export class ResourceQuotaController implements Controller {
  readonly name = "quota";
  /** A namespace's pods change often; one recount a second covers a burst of them. */
  readonly minIntervalMs = 1_000;

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    if (!change.namespace || NEVER_COUNTED.has(change.resource)) return [];
    const finished = change.resource === "pods" && (change.phase === "Succeeded" || change.phase === "Failed");
    return change.type === "DELETED" || finished ? [{ namespace: change.namespace, name: "" }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    const { items } = await this.ctx.store.list("resourcequotas", {});
    return [...new Set(items.map((q) => q.metadata.namespace ?? ""))].map((namespace) => ({ namespace, name: "" }));
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { items } = await this.ctx.store.list("resourcequotas", { namespace: key.namespace });
    for (const quota of items as ResourceQuota[]) {
      const status = await recountQuota(this.ctx.store, quota, this.ctx.now());
      if (JSON.stringify(status) === JSON.stringify({ hard: quota.status?.hard ?? {}, used: quota.status?.used ?? {} })) continue;
      await this.ctx.registry.update("resourcequotas", { ...quota, status }, { old: quota, subresource: "status" });
    }
  }
}
