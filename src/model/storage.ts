// Names and small rules of persistent storage shared by the API server, the PV
// controller, the scheduler and the kubelet: the annotations and finalizers upstream
// uses, which StorageClass is the default, a claim's class.
import type { PersistentVolumeAccessMode, PersistentVolumeClaim, StorageClass } from "./types";

/** The provisioner of the model's network volumes (a CSI driver name upstream would carry). */
export const EDGEKUBE_PROVISIONER = "edgekube.dev/volume";
/** The class bootstrap creates and marks default. */
export const DEFAULT_STORAGE_CLASS = "standard";

export const IS_DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_IS_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";

/** On a PV and its claim once the binder finished (pv_controller.go annBindCompleted). */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
/** On a PV the controller bound to a claim itself (annBoundByController). */
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
/** On a provisioned PV: who made it (annDynamicallyProvisioned). */
export const ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
/** On a claim waiting for a provisioner: which one (annStorageProvisioner and its beta twin). */
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";

/** storageutil.IsDefaultAnnotation: the GA or the beta annotation set to "true". */
export function isDefaultClass(sc: Pick<StorageClass, "metadata">): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[IS_DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_IS_DEFAULT_CLASS_ANNOTATION] === "true";
}

/**
 * The default class (GetDefaultClass): of several marked default, the newest, and of
 * those created in the same second the first by name; undefined when none is.
 */
export function defaultClassOf(classes: readonly StorageClass[]): StorageClass | undefined {
  const marked = classes.filter(isDefaultClass);
  marked.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;
  });
  return marked[0];
}

/** GetPersistentVolumeClaimClass: spec.storageClassName, else the beta annotation, else "". */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? "";
}

const MODE_ABBREVIATIONS: [PersistentVolumeAccessMode, string][] = [
  ["ReadWriteOnce", "RWO"],
  ["ReadOnlyMany", "ROX"],
  ["ReadWriteMany", "RWX"],
  ["ReadWriteOncePod", "RWOP"],
];

/** GetAccessModesAsString: "RWO,ROX", in that fixed order, each once. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  return MODE_ABBREVIATIONS.filter(([m]) => set.has(m)).map(([, a]) => a).join(",");
}
