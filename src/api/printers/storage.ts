// PersistentVolume, PersistentVolumeClaim and StorageClass columns as
// printPersistentVolume, printPersistentVolumeClaim and printStorageClass print them.
import type { KubeObject, PersistentVolume, PersistentVolumeClaim, StorageClass } from "../../model/types";
import { accessModesString, claimClass, isDefaultClass } from "../../model/storage";
import { canonicalQuantity, isValidQuantity } from "../../model/quantity";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const PV_COLUMNS = [
  NAME_COLUMN,
  col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
  col("Access Modes", "string", "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"),
  col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"),
  col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"),
  col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"),
  col("StorageClass", "string", "StorageClass of the pv"),
  col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
  col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
  AGE_COLUMN,
  col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.", { priority: 1 }),
] as const;

/** A quantity as resource.Quantity.String() prints it; "0" for none. */
function quantityCell(q: string | undefined): string {
  if (q === undefined) return "0";
  return isValidQuantity(String(q)) ? canonicalQuantity(String(q)) : String(q);
}

export const persistentVolumePrinter: Printer = {
  columns: PV_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const pv = obj as PersistentVolume;
    const spec = pv.spec ?? {};
    const ref = spec.claimRef;
    const phase = pv.metadata.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? "");
    return [
      pv.metadata.name ?? "",
      quantityCell(spec.capacity?.storage),
      accessModesString(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? "",
      phase,
      ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "",
      spec.storageClassName ?? "",
      spec.volumeAttributesClassName ?? "<unset>",
      pv.status?.reason ?? "",
      formatAge(pv.metadata.creationTimestamp, now),
      spec.volumeMode ?? "<unset>",
    ];
  },
};

const PVC_COLUMNS = [
  NAME_COLUMN,
  col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
  col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
  col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
  col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"),
  col("StorageClass", "string", "StorageClass of the pvc"),
  col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
  AGE_COLUMN,
  col("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", { priority: 1 }),
] as const;

export const persistentVolumeClaimPrinter: Printer = {
  columns: PVC_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const pvc = obj as PersistentVolumeClaim;
    const spec = pvc.spec ?? {};
    const phase = pvc.metadata.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? "");
    // Capacity and access modes are the volume's, shown once the claim names one.
    const bound = !!spec.volumeName;
    return [
      pvc.metadata.name ?? "",
      phase,
      spec.volumeName ?? "",
      bound ? quantityCell(pvc.status?.capacity?.storage) : "",
      bound ? accessModesString(pvc.status?.accessModes) : "",
      claimClass(pvc),
      spec.volumeAttributesClassName ?? "<unset>",
      formatAge(pvc.metadata.creationTimestamp, now),
      spec.volumeMode ?? "<unset>",
    ];
  },
};

const SC_COLUMNS = [
  NAME_COLUMN,
  col("Provisioner", "string", "provisioner indicates the type of the provisioner."),
  col("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
  col("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
  col("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
  AGE_COLUMN,
] as const;

export const storageClassPrinter: Printer = {
  columns: SC_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const sc = obj as StorageClass;
    const name = (sc.metadata.name ?? "") + (isDefaultClass(sc) ? " (default)" : "");
    return [name, sc.provisioner ?? "", sc.reclaimPolicy ?? "Delete", sc.volumeBindingMode ?? "Immediate", sc.allowVolumeExpansion ?? false, formatAge(sc.metadata.creationTimestamp, now)];
  },
};
