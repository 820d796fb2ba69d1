// The CustomResourceDefinition controllers of the apiextensions server, as one row:
// naming (which names a CRD may have: NamesAccepted), establishing (Established, after
// which its objects are served) and the finalizer that, when a CRD is deleted, removes
// every object of it before the CRD itself (Terminating, then the
// customresourcecleanup finalizer is dropped).
import type { ControllerKey } from "../controlplane/stubs";
import { ApiError } from "../model/errors";
import { isoSeconds } from "../config";
import { CRD_CLEANUP_FINALIZER, CRD_RESOURCE, crdCondition, type CRDCondition, type CustomResourceDefinition } from "../model/crd-types";
import { calculateNames } from "../model/crd-names";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName, Result } from "./controller";
import { workKey } from "./keys";

/** How soon a CRD being deleted looks again at objects that are still going (their own finalizers). */
const CLEANUP_RECHECK_MS = 1_000;

export class CustomResourceDefinitionController implements Controller {
  readonly name = "crd";

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    return change.resource === CRD_RESOURCE ? [{ namespace: "", name: change.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    const { items } = await this.ctx.store.list(CRD_RESOURCE);
    return items.map((c) => ({ namespace: "", name: c.metadata.name ?? "" }));
  }

  async reconcile(key: NamespacedName): Promise<Result | void> {
    const crd = (await this.ctx.store.get(CRD_RESOURCE, "", key.name)) as CustomResourceDefinition | null;
    const group = crd?.spec.group ?? key.name.slice(key.name.indexOf(".") + 1);
    if (!crd) return this.wakeGroup(group, key.name);
    if (crd.metadata.deletionTimestamp) return this.finalize(crd);
    const { items } = await this.ctx.store.list(CRD_RESOURCE);
    const naming = calculateNames(crd, items as CustomResourceDefinition[]);
    const now = isoSeconds(this.ctx.now());
    const conditions = [...(crd.status?.conditions ?? [])];
    setCondition(conditions, naming.namesAccepted, now);
    const established = crdCondition(crd, "Established");
    if (established?.status !== "True") {
      // One writer here, so no informer race to wait out: established with the names.
      setCondition(
        conditions,
        naming.namesAccepted.status === "True"
          ? { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted" }
          : { type: "Established", status: "False", reason: "NotAccepted", message: "not all names are accepted" },
        now,
      );
    }
    const status = { ...crd.status, conditions, acceptedNames: naming.acceptedNames };
    if (JSON.stringify(status) === JSON.stringify(crd.status)) return;
    await this.ctx.registry.update(CRD_RESOURCE, { ...crd, status }, { old: crd, subresource: "status" });
    // Names it gave up may be what another CRD of the group waits for.
    await this.wakeGroup(group, key.name);
  }

  /** The other CRDs of a group whose names were not all accepted: try them again. */
  private async wakeGroup(group: string, except: string): Promise<void> {
    const { items } = await this.ctx.store.list(CRD_RESOURCE);
    for (const c of items as CustomResourceDefinition[]) {
      if (c.spec.group === group && c.metadata.name !== except && crdCondition(c, "NamesAccepted")?.status !== "True") {
        this.ctx.enqueue(workKey("crd", "", c.metadata.name ?? ""));
      }
    }
  }

  /** The CRD is being deleted: its objects go first, then the finalizer (and with it the CRD). */
  private async finalize(crd: CustomResourceDefinition): Promise<Result | void> {
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return;
    const now = isoSeconds(this.ctx.now());
    const conditions = [...(crd.status?.conditions ?? [])];
    if (crdCondition(crd, "Terminating")?.status !== "True") {
      setCondition(conditions, { type: "Terminating", status: "True", reason: "InstanceDeletionInProgress", message: "CustomResource deletion is in progress" }, now);
      crd = (await this.ctx.registry.update(CRD_RESOURCE, { ...crd, status: { ...crd.status, conditions } }, { old: crd, subresource: "status" })) as CustomResourceDefinition;
    }
    const plural = crd.status?.acceptedNames?.plural;
    if (plural) {
      const resource = `${plural}.${crd.spec.group}`;
      const { items } = await this.ctx.store.list(resource);
      for (const obj of items) {
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await this.ctx.registry.delete(resource, obj.metadata.namespace ?? "", obj.metadata.name ?? "");
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      // Objects held by their own finalizers are still going: look again soon.
      if ((await this.ctx.store.list(resource, { limit: 1 })).items.length) return { requeueAfterMs: CLEANUP_RECHECK_MS };
    }
    setCondition(conditions, { type: "Terminating", status: "False", reason: "InstanceDeletionCompleted", message: "removed all instances" }, now);
    const next = { ...crd, status: { ...crd.status, conditions }, metadata: { ...crd.metadata, finalizers: (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER) } };
    // The last finalizer gone from an object being deleted: this update deletes the CRD.
    await this.ctx.registry.update(CRD_RESOURCE, next, { old: crd });
    await this.wakeGroup(crd.spec.group, crd.metadata.name ?? "");
  }
}

/** Sets a condition, moving lastTransitionTime only when its status changes. */
function setCondition(conditions: CRDCondition[], c: Omit<CRDCondition, "lastTransitionTime">, now: string): void {
  const i = conditions.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  const next = { type: c.type, status: c.status, lastTransitionTime, reason: c.reason, message: c.message };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}
