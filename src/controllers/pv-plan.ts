// The persistent volume controller's decisions (pkg/controller/volume/persistentvolume
// pv_controller.go syncClaim/syncVolume, the pvc- and pv-protection controllers, and a
// provisioner for the model's own storage class), as pure functions of what was read:
// one claim or one volume in, the writes that move it one step on out. The controller
// (persistentvolume-controller.ts) reads, applies the batch and is poked again by its
// own writes until nothing is left to do.
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim, StorageClass } from "../model/types";
import { compareQuantities, isValidQuantity } from "../model/quantity";
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_STORAGE_PROVISIONER,
  EDGEKUBE_PROVISIONER,
  PVC_PROTECTION_FINALIZER,
  PV_PROTECTION_FINALIZER,
  claimClass,
} from "../model/storage";

export type ClaimAction =
  | { kind: "removeClaimFinalizer" }
  /** Create the volume the provisioner made for the claim (its claimRef already set). */
  | { kind: "provision"; volume: PersistentVolume }
  /** Point a free volume at the claim (the first half of a bind). */
  | { kind: "bindVolume"; volume: PersistentVolume; claimRef: ObjectReference }
  /** Grow a bound volume to what its claim now asks (the resizer of a class with allowVolumeExpansion). */
  | { kind: "resizeVolume"; volume: PersistentVolume; storage: string }
  /** Name the volume in the claim, with the binder's annotations (the second half). */
  | { kind: "setVolumeName"; volumeName: string; annotations: Record<string, string> }
  | { kind: "annotateClaim"; annotations: Record<string, string> }
  | { kind: "claimStatus"; status: NonNullable<PersistentVolumeClaim["status"]> }
  | { kind: "event"; type: "Normal" | "Warning"; reason: string; message: string; component: "persistentvolume-controller" | typeof EDGEKUBE_PROVISIONER };

export type VolumeAction =
  | { kind: "removeVolumeFinalizer" }
  | { kind: "volumeStatus"; phase: NonNullable<PersistentVolume["status"]>["phase"]; message?: string }
  /** Reclaim policy Delete: the volume's data, then the PersistentVolume object. */
  | { kind: "deleteVolume" }
  | { kind: "event"; type: "Normal" | "Warning"; reason: string; message: string };

export interface ClaimView {
  claim: PersistentVolumeClaim;
  volumes: readonly PersistentVolume[];
  /** The claim's StorageClass, null when it names one that does not exist (undefined: names none). */
  storageClass: StorageClass | null | undefined;
  /** A pod that is not finished mounts the claim (pvc-protection, WaitForFirstConsumer). */
  inUse: boolean;
}

const storageOf = (o: { capacity?: Record<string, string> } | undefined, key = "storage"): string | undefined => {
  const v = o?.capacity?.[key];
  return v !== undefined && isValidQuantity(String(v)) ? String(v) : undefined;
};

/** claimRef names this claim: by namespace and name, and by uid when the reference has one. */
export function refersTo(ref: ObjectReference | undefined, claim: PersistentVolumeClaim): boolean {
  if (!ref || ref.namespace !== claim.metadata.namespace || ref.name !== claim.metadata.name) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

export function claimReference(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: "PersistentVolumeClaim",
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: "v1",
    resourceVersion: claim.metadata.resourceVersion,
  };
}

/** Does a free volume satisfy the claim (findMatchingVolume): class, modes, size, not being deleted? */
function matches(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if (pv.metadata.deletionTimestamp || pv.spec.claimRef) return false;
  if (pv.status?.phase !== "Available" && pv.status?.phase !== "Pending") return false;
  if ((pv.spec.storageClassName ?? "") !== claimClass(claim)) return false;
  if ((pv.spec.volumeMode ?? "Filesystem") !== (claim.spec.volumeMode ?? "Filesystem")) return false;
  const modes = new Set(pv.spec.accessModes ?? []);
  if (!(claim.spec.accessModes ?? []).every((m) => modes.has(m))) return false;
  const want = claim.spec.resources?.requests?.storage;
  const have = storageOf(pv.spec);
  return want !== undefined && have !== undefined && isValidQuantity(String(want)) && compareQuantities(have, want) >= 0;
}

/** The smallest free volume that satisfies the claim. */
export function findMatchingVolume(volumes: readonly PersistentVolume[], claim: PersistentVolumeClaim): PersistentVolume | undefined {
  return volumes
    .filter((pv) => matches(pv, claim))
    .sort((a, b) => compareQuantities(storageOf(a.spec)!, storageOf(b.spec)!) || ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1))[0];
}

/** What the provisioner makes for a claim: `pvc-<uid>`, the claim's size and modes, the class's policy. */
export function provisionedVolume(claim: PersistentVolumeClaim, sc: StorageClass): PersistentVolume {
  const name = `pvc-${claim.metadata.uid}`;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: sc.provisioner, "volume.kubernetes.io/provisioner-deletion-secret-name": "", "volume.kubernetes.io/provisioner-deletion-secret-namespace": "" } },
    spec: {
      accessModes: [...(claim.spec.accessModes ?? [])],
      capacity: { storage: String(claim.spec.resources?.requests?.storage ?? "") },
      claimRef: claimReference(claim),
      csi: { driver: sc.provisioner, volumeHandle: name, fsType: "ext4", volumeAttributes: { "storage.kubernetes.io/csiProvisionerIdentity": `${sc.provisioner}-edgekube` } },
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec.volumeMode ?? "Filesystem",
      ...(sc.mountOptions ? { mountOptions: [...sc.mountOptions] } : {}),
    },
  };
}

function boundStatus(pv: PersistentVolume): NonNullable<PersistentVolumeClaim["status"]> {
  return { phase: "Bound", accessModes: [...(pv.spec.accessModes ?? [])], capacity: { ...(pv.spec.capacity ?? {}) } };
}

function sameStatus(a: PersistentVolumeClaim["status"], b: PersistentVolumeClaim["status"]): boolean {
  const pick = (s: PersistentVolumeClaim["status"]) => JSON.stringify({ phase: s?.phase, accessModes: s?.accessModes ?? [], capacity: s?.capacity ?? {} });
  return pick(a) === pick(b);
}

/** The annotations a claim waiting for a provisioner carries (upstream sets the GA and the beta key). */
function provisionerAnnotations(claim: PersistentVolumeClaim, provisioner: string): Record<string, string> | undefined {
  const a = claim.metadata.annotations ?? {};
  if (a[ANN_STORAGE_PROVISIONER] === provisioner && a[ANN_BETA_STORAGE_PROVISIONER] === provisioner) return undefined;
  return { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
}

/** One step for a claim. */
export function planClaim(view: ClaimView): ClaimAction[] {
  const { claim, volumes } = view;
  const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
  if (claim.metadata.deletionTimestamp) {
    // pvc-protection: the finalizer goes once no pod uses the claim.
    return claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER) && !view.inUse ? [{ kind: "removeClaimFinalizer" }] : [];
  }
  const volumeName = claim.spec.volumeName;
  if (volumeName) {
    const pv = volumes.find((v) => v.metadata.name === volumeName);
    if (!pv) {
      if (claim.status?.phase !== "Bound") return [];
      return [
        { kind: "claimStatus", status: { ...claim.status, phase: "Lost" } },
        { kind: "event", type: "Warning", reason: "ClaimLost", message: "Bound claim has lost its PersistentVolume. Data on the volume is lost!", component: "persistentvolume-controller" },
      ];
    }
    if (!pv.spec.claimRef) return [{ kind: "bindVolume", volume: pv, claimRef: claimReference(claim) }];
    if (!refersTo(pv.spec.claimRef, claim)) {
      return [{ kind: "event", type: "Warning", reason: "FailedBinding", message: `volume "${volumeName}" already bound to a different claim.`, component: "persistentvolume-controller" }];
    }
    const out: ClaimAction[] = [];
    const want = claim.spec.resources?.requests?.storage;
    const have = storageOf(pv.spec);
    if (view.storageClass?.allowVolumeExpansion && want !== undefined && have !== undefined && isValidQuantity(String(want)) && compareQuantities(want, have) > 0) {
      // Expansion: the volume grows first, the claim's capacity follows on the next pass.
      return [
        { kind: "resizeVolume", volume: pv, storage: String(want) },
        { kind: "event", type: "Normal", reason: "Resizing", message: `External resizer is resizing volume ${volumeName}`, component: EDGEKUBE_PROVISIONER },
        { kind: "event", type: "Normal", reason: "VolumeResizeSuccessful", message: `resize volume "${volumeName}" by resizer "${view.storageClass.provisioner}" finished successfully`, component: EDGEKUBE_PROVISIONER },
      ];
    }
    if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== "yes") out.push({ kind: "annotateClaim", annotations: { [ANN_BIND_COMPLETED]: "yes" } });
    if (!sameStatus(claim.status, boundStatus(pv))) out.push({ kind: "claimStatus", status: boundStatus(pv) });
    return out;
  }
  // A volume already points at this claim (one the provisioner made): finish the bind.
  const mine = volumes.find((v) => refersTo(v.spec.claimRef, claim) && !v.metadata.deletionTimestamp);
  if (mine) {
    return [{ kind: "setVolumeName", volumeName: mine.metadata.name ?? "", annotations: { [ANN_BIND_COMPLETED]: "yes", [ANN_BOUND_BY_CONTROLLER]: "yes" } }];
  }
  const free = findMatchingVolume(volumes, claim);
  if (free) {
    return [
      { kind: "bindVolume", volume: free, claimRef: claimReference(claim) },
      { kind: "setVolumeName", volumeName: free.metadata.name ?? "", annotations: { [ANN_BIND_COMPLETED]: "yes", [ANN_BOUND_BY_CONTROLLER]: "yes" } },
    ];
  }
  const className = claimClass(claim);
  if (!className) {
    return [{ kind: "event", type: "Normal", reason: "FailedBinding", message: "no persistent volumes available for this claim and no storage class is set", component: "persistentvolume-controller" }];
  }
  const sc = view.storageClass;
  if (!sc) {
    return [{ kind: "event", type: "Warning", reason: "ProvisioningFailed", message: `storageclass.storage.k8s.io "${className}" not found`, component: "persistentvolume-controller" }];
  }
  if (sc.volumeBindingMode === "WaitForFirstConsumer" && !view.inUse) {
    return [{ kind: "event", type: "Normal", reason: "WaitForFirstConsumer", message: "waiting for first consumer to be created before binding", component: "persistentvolume-controller" }];
  }
  const annotations = provisionerAnnotations(claim, sc.provisioner);
  if (sc.provisioner !== EDGEKUBE_PROVISIONER) {
    // Someone else's provisioner: say so once, and wait for a volume to appear.
    if (!annotations) return [];
    return [
      { kind: "annotateClaim", annotations },
      {
        kind: "event",
        type: "Normal",
        reason: "ExternalProvisioning",
        message: `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
        component: "persistentvolume-controller",
      },
    ];
  }
  const volume = provisionedVolume(claim, sc);
  return [
    ...(annotations ? [{ kind: "annotateClaim" as const, annotations }] : []),
    { kind: "event", type: "Normal", reason: "Provisioning", message: `External provisioner is provisioning volume for claim "${key}"`, component: EDGEKUBE_PROVISIONER },
    { kind: "provision", volume },
    { kind: "event", type: "Normal", reason: "ProvisioningSucceeded", message: `Successfully provisioned volume ${volume.metadata.name}`, component: EDGEKUBE_PROVISIONER },
  ];
}

/** One step for a volume; `claim` is the one its claimRef names (null: not found). */
export function planVolume(pv: PersistentVolume, claim: PersistentVolumeClaim | null): VolumeAction[] {
  const phase = pv.status?.phase;
  if (pv.metadata.deletionTimestamp) {
    // pv-protection: a volume bound to a claim stays until the claim lets it go.
    return pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER) && phase !== "Bound" ? [{ kind: "removeVolumeFinalizer" }] : [];
  }
  const ref = pv.spec.claimRef;
  if (!ref) return phase === "Available" ? [] : [{ kind: "volumeStatus", phase: "Available" }];
  const live = claim && (!ref.uid || ref.uid === claim.metadata.uid) ? claim : null;
  if (live) {
    // Bound once the claim names this volume; until then the claim's sync finishes the bind.
    if (live.spec.volumeName === pv.metadata.name) return phase === "Bound" ? [] : [{ kind: "volumeStatus", phase: "Bound" }];
    return [];
  }
  // The claim is gone: the volume is released, then reclaimed by its policy.
  if (phase !== "Released" && phase !== "Failed") return [{ kind: "volumeStatus", phase: "Released" }];
  const policy = pv.spec.persistentVolumeReclaimPolicy ?? "Retain";
  if (phase === "Released" && policy === "Delete") return [{ kind: "deleteVolume" }];
  if (phase === "Released" && policy === "Recycle") {
    return [
      { kind: "volumeStatus", phase: "Failed", message: "Recycle is not supported: use Delete or Retain" },
      { kind: "event", type: "Warning", reason: "VolumeFailedRecycle", message: "Recycle is not supported: use Delete or Retain" },
    ];
  }
  return [];
}
