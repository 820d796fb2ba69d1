// PersistentVolumes, PersistentVolumeClaims and StorageClasses
// (pkg/registry/core/persistentvolume{,claim}, pkg/registry/storage/storageclass) and
// the admission plugins in front of them: StorageObjectInUseProtection (the protection
// finalizers on every new PV and claim), DefaultStorageClass (a claim that names no
// class gets the default one) and PersistentVolumeClaimResize (a bigger request only
// where the class allows expansion).
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../../model/types";
import { forbidden } from "../../model/errors";
import { compareQuantities, isValidQuantity } from "../../model/quantity";
import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, claimClass, defaultClassOf } from "../../model/storage";
import { isoSeconds } from "../../config";
import type { ObjectStore } from "../../store/store";
import type { ResourceStrategy } from "./types";
import { admitClaimLimits } from "./quota";

function addFinalizer(meta: { finalizers?: string[] }, f: string): void {
  if (!meta.finalizers?.includes(f)) meta.finalizers = [...(meta.finalizers ?? []), f];
}

export const persistentVolumeStrategy: ResourceStrategy = {
  prepareForCreate: (obj, ctx) => {
    const pv = obj as PersistentVolume;
    pv.spec.persistentVolumeReclaimPolicy ??= "Retain";
    pv.spec.volumeMode ??= "Filesystem";
    pv.status = { phase: "Pending", lastPhaseTransitionTime: isoSeconds(ctx.now) };
    addFinalizer(pv.metadata, PV_PROTECTION_FINALIZER);
  },
  prepareForUpdate: (next, old) => {
    const pv = next as PersistentVolume;
    pv.spec.persistentVolumeReclaimPolicy ??= (old as PersistentVolume).spec.persistentVolumeReclaimPolicy;
    pv.spec.volumeMode ??= (old as PersistentVolume).spec.volumeMode;
  },
};

/** DefaultStorageClass: only when storageClassName is absent (null); "" asks for no class. */
async function admitDefaultClass(pvc: PersistentVolumeClaim, store: ObjectStore): Promise<void> {
  if (pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
  if (pvc.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] !== undefined) return;
  const classes = (await store.list("storageclasses.storage.k8s.io", {})).items as StorageClass[];
  const def = defaultClassOf(classes);
  if (def?.metadata.name) pvc.spec.storageClassName = def.metadata.name;
}

const asQuantity = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number") && isValidQuantity(String(v)) ? String(v) : undefined;

/** PersistentVolumeClaimResize: growing a claim needs a class that allows expansion. */
async function admitResize(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, store: ObjectStore): Promise<void> {
  const next = asQuantity(pvc.spec.resources?.requests?.storage);
  const before = asQuantity(old.spec.resources?.requests?.storage);
  if (!next || !before || compareQuantities(next, before) <= 0) return;
  const name = claimClass(old);
  const sc = name ? ((await store.get("storageclasses.storage.k8s.io", "", name)) as StorageClass | null) : null;
  if (!sc?.allowVolumeExpansion) {
    throw forbidden(
      `persistentvolumeclaims "${pvc.metadata.name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
      { name: pvc.metadata.name, kind: "persistentvolumeclaims" },
    );
  }
}

export const persistentVolumeClaimStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => {
    const pvc = obj as PersistentVolumeClaim;
    pvc.spec.volumeMode ??= "Filesystem";
    pvc.status = { phase: "Pending" };
    addFinalizer(pvc.metadata, PVC_PROTECTION_FINALIZER);
  },
  prepareForUpdate: (next, old) => {
    const pvc = next as PersistentVolumeClaim;
    pvc.spec.volumeMode ??= (old as PersistentVolumeClaim).spec.volumeMode;
  },
  admit: async (obj, old, store) => {
    const pvc = obj as PersistentVolumeClaim;
    if (!old) await admitDefaultClass(pvc, store);
    else await admitResize(pvc, old as PersistentVolumeClaim, store);
    await admitClaimLimits(pvc, store);
  },
};

export const storageClassStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => {
    const sc = obj as StorageClass;
    sc.reclaimPolicy ??= "Delete";
    sc.volumeBindingMode ??= "Immediate";
  },
  prepareForUpdate: (next, old) => {
    const sc = next as StorageClass;
    sc.reclaimPolicy ??= (old as StorageClass).reclaimPolicy;
    sc.volumeBindingMode ??= (old as StorageClass).volumeBindingMode;
  },
};
