// The persistent volume controller (kube-controller-manager's persistentvolume-binder
// with its claim and volume queues, the pvc-protection and pv-protection controllers)
// and the provisioner of the model's own class: two rows of the table, one per queue.
// Claims are bound to a matching free volume or to one provisioned for them
// (`pvc-<uid>`); volumes follow their claim (Available, Bound, Released) and are
// reclaimed by their policy: Delete removes the volume's data and the object, Retain
// keeps it Released. Decisions are pv-plan.ts's; this file reads and writes.
import type { ControllerKey } from "../controlplane/stubs";
import type { KubeObject, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../model/types";
import { ANN_BOUND_BY_CONTROLLER, PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, claimClass } from "../model/storage";
import { isoSeconds } from "../config";
import { ApiError } from "../model/errors";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";
import { eventOp } from "./events";
import { workKey } from "./keys";
import { planClaim, planVolume, type ClaimAction, type VolumeAction } from "./pv-plan";

const PVS = "persistentvolumes";
const PVCS = "persistentvolumeclaims";
const CLASSES = "storageclasses.storage.k8s.io";

const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);

/** A pod that has not finished and mounts the claim (pvc-protection's "in use"). */
async function claimInUse(ctx: ControllerContext, claim: PersistentVolumeClaim): Promise<boolean> {
  const { items } = await ctx.store.list("pods", { namespace: claim.metadata.namespace });
  return (items as Pod[]).some(
    (p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name),
  );
}

/** Keys: claims (namespace/name), from their own changes and from the pods that mount them. */
export class ClaimController implements Controller {
  readonly name = "pvc";

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    if (change.resource === PVCS) return [{ namespace: change.namespace, name: change.name }];
    if (change.resource === "pods") return (change.claimNames ?? []).map((name) => ({ namespace: change.namespace, name }));
    return [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    const { items } = await this.ctx.store.list(PVCS, {});
    return (items as PersistentVolumeClaim[])
      .filter((c) => c.metadata.deletionTimestamp || c.status?.phase !== "Bound")
      .map((c) => ({ namespace: c.metadata.namespace ?? "", name: c.metadata.name ?? "" }));
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { ctx } = this;
    const claim = (await ctx.store.get(PVCS, key.namespace, key.name)) as PersistentVolumeClaim | null;
    const volumes = (await ctx.store.list(PVS, {})).items as PersistentVolume[];
    if (!claim) {
      // Gone: the volumes it was bound to are released (their own sync decides).
      for (const pv of volumes) {
        const ref = pv.spec.claimRef;
        if (ref?.namespace === key.namespace && ref.name === key.name) ctx.enqueue(workKey("pv", "", pv.metadata.name ?? ""));
      }
      return;
    }
    const className = claimClass(claim);
    const storageClass = className ? ((await ctx.store.get(CLASSES, "", className)) as StorageClass | null) : undefined;
    const needsUse = !!claim.metadata.deletionTimestamp || (storageClass?.volumeBindingMode === "WaitForFirstConsumer" && !claim.spec.volumeName);
    const inUse = needsUse ? await claimInUse(ctx, claim) : false;
    await this.apply(claim, planClaim({ claim, volumes, storageClass, inUse }));
    // The claim names its volume now: the volume's pass marks it Bound.
    const named = claim.spec.volumeName ? volumes.find((v) => v.metadata.name === claim.spec.volumeName) : undefined;
    if (named && named.status?.phase !== "Bound") ctx.enqueue(workKey("pv", "", named.metadata.name ?? ""));
  }

  private async apply(claim: PersistentVolumeClaim, actions: ClaimAction[]): Promise<void> {
    const { ctx } = this;
    const now = ctx.now();
    const ops: WriteOp[] = [];
    let next: PersistentVolumeClaim | undefined;
    const edit = () => (next ??= structuredClone(claim));
    let status: PersistentVolumeClaim["status"] | undefined;
    let removeFinalizer = false;
    for (const a of actions) {
      switch (a.kind) {
        case "removeClaimFinalizer":
          removeFinalizer = true;
          break;
        case "provision":
          ops.push({ op: "create", resource: PVS, object: a.volume });
          break;
        case "bindVolume": {
          const pv = structuredClone(a.volume);
          pv.spec.claimRef = a.claimRef;
          pv.metadata.annotations = { ...(pv.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: "yes" };
          ops.push({ op: "update", resource: PVS, object: pv, old: a.volume, expectedRv: rv(a.volume) });
          break;
        }
        case "resizeVolume": {
          const pv = structuredClone(a.volume);
          pv.spec.capacity = { ...(pv.spec.capacity ?? {}), storage: a.storage };
          ops.push({ op: "update", resource: PVS, object: pv, old: a.volume, expectedRv: rv(a.volume) });
          break;
        }
        case "setVolumeName":
          edit().spec.volumeName = a.volumeName;
          edit().metadata.annotations = { ...(edit().metadata.annotations ?? {}), ...a.annotations };
          break;
        case "annotateClaim":
          edit().metadata.annotations = { ...(edit().metadata.annotations ?? {}), ...a.annotations };
          break;
        case "claimStatus":
          status = a.status;
          break;
        case "event":
          if (!ctx.terminating.has(claim.metadata.namespace ?? "")) ops.push(eventOp(claim, a.type, a.reason, a.message, a.component, now));
          break;
      }
    }
    if (removeFinalizer) {
      // The last finalizer gone from a claim being deleted: the update deletes it.
      await ctx.registry.patch(PVCS, claim.metadata.namespace ?? "", claim.metadata.name ?? "", (cur) => {
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER);
        return cur;
      });
      return;
    }
    // One write of the claim per batch: its status follows on the next pass (our own write pokes it).
    if (next) ops.push({ op: "update", resource: PVCS, object: next, old: claim, expectedRv: rv(claim) });
    else if (status) ops.push({ op: "update", resource: PVCS, object: { ...claim, status }, old: claim, expectedRv: rv(claim), subresource: "status" });
    if (!ops.length) return;
    try {
      await ctx.registry.commit(ops);
    } catch (e) {
      // The volume exists already (a pass that made it and lost the claim's update): bind it next pass.
      if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
    if (ops.some((o) => o.resource === PVS)) ctx.enqueue(workKey("pvc", claim.metadata.namespace ?? "", claim.metadata.name ?? ""));
  }
}

/** Keys: volumes (cluster-scoped, namespace ""). */
export class VolumeController implements Controller {
  readonly name = "pv";

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    return change.resource === PVS ? [{ namespace: "", name: change.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    const { items } = await this.ctx.store.list(PVS, {});
    return items.map((pv) => ({ namespace: "", name: pv.metadata.name ?? "" }));
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { ctx } = this;
    const pv = (await ctx.store.get(PVS, "", key.name)) as PersistentVolume | null;
    if (!pv) return;
    const ref = pv.spec.claimRef;
    const claim = ref?.name ? ((await ctx.store.get(PVCS, ref.namespace ?? "", ref.name)) as PersistentVolumeClaim | null) : null;
    const actions = planVolume(pv, claim);
    // A volume that names a claim not yet naming it: the claim's pass finishes the bind.
    if (!actions.length && claim && !claim.spec.volumeName) ctx.enqueue(workKey("pvc", claim.metadata.namespace ?? "", claim.metadata.name ?? ""));
    await this.apply(pv, actions);
  }

  private async apply(pv: PersistentVolume, actions: VolumeAction[]): Promise<void> {
    const { ctx } = this;
    const now = ctx.now();
    const name = pv.metadata.name ?? "";
    const ops: WriteOp[] = [];
    for (const a of actions) {
      switch (a.kind) {
        case "removeVolumeFinalizer":
          await ctx.registry.patch(PVS, "", name, (cur) => {
            cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER);
            return cur;
          });
          return;
        case "deleteVolume":
          // The data first: a volume object never outlives a store that still holds data for nobody.
          await ctx.volumes?.(name).destroy();
          await ctx.registry.delete(PVS, "", name, { preconditions: { uid: pv.metadata.uid } }).catch((e: unknown) => {
            if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
          });
          return;
        case "volumeStatus": {
          const status = { ...(pv.status ?? {}), phase: a.phase, lastPhaseTransitionTime: isoSeconds(now), ...(a.message ? { message: a.message } : {}) };
          ops.push({ op: "update", resource: PVS, object: { ...pv, status }, old: pv, expectedRv: rv(pv), subresource: "status" });
          break;
        }
        case "event":
          ops.push(eventOp(pv, a.type, a.reason, a.message, "persistentvolume-controller", now));
          break;
      }
    }
    if (ops.length) await ctx.registry.commit(ops);
  }
}
