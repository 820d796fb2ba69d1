// PersistentVolumes, PersistentVolumeClaims (k8s.io/kubernetes/pkg/apis/core/validation)
// and StorageClasses (pkg/apis/storage/validation), in the API server's words: access
// modes, a storage size that is a positive quantity, one volume source on a PV, a claim
// whose spec never changes after creation except its storage request once bound (and
// volumeName, set once by the binder), a class whose provisioner, parameters, reclaim
// policy and binding mode never change.
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, StatusCause, StorageClass } from "./types";
import { child, forbidden, invalidField, notSupported, required } from "./field-errors";
import { isDNS1123Subdomain, isQualifiedName } from "./name-rules";
import { canonicalQuantity, compareQuantities, isValidQuantity, QUANTITY_REGEX_MESSAGE } from "./quantity";
import { jsonEqual, validateQuantityValue } from "./validate-pod";

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce"] as const;
const PVC_ACCESS_MODES = [...ACCESS_MODES, "ReadWriteOncePod"].sort();
const VOLUME_MODES = ["Block", "Filesystem"];
const PV_RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const SC_RECLAIM_POLICIES = ["Delete", "Retain"];
const BINDING_MODES = ["Immediate", "WaitForFirstConsumer"];

/** The volume sources a PV may name; every one of them is a named volume of the model's storage. */
export const PV_SOURCES = ["csi", "hostPath", "local", "nfs", "iscsi", "fc", "rbd", "cephfs", "glusterfs", "awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "azureFile", "cinder", "flexVolume", "vsphereVolume", "portworxVolume"];

function validateAccessModes(modes: readonly string[] | undefined, path: string, requiredDetail: string): StatusCause[] {
  if (!modes?.length) return [required(path, requiredDetail)];
  const errs: StatusCause[] = [];
  for (const m of modes) if (!PVC_ACCESS_MODES.includes(m)) errs.push(notSupported(path, m, PVC_ACCESS_MODES));
  const once = modes.includes("ReadWriteOncePod");
  if (once && modes.some((m) => (ACCESS_MODES as readonly string[]).includes(m))) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

/** ValidatePositiveQuantityValue, then ValidateResourceQuantityValue. */
function validateStorageSize(raw: unknown, path: string): StatusCause[] {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw : undefined;
  if (text === undefined || !isValidQuantity(text)) return [invalidField(path, text ?? String(raw), QUANTITY_REGEX_MESSAGE)];
  if (compareQuantities(text, 0) <= 0) return [invalidField(path, canonicalQuantity(text), "must be greater than zero")];
  return validateQuantityValue("storage", text, path);
}

function validateClassName(name: string | null | undefined, path: string): StatusCause[] {
  if (!name) return [];
  return isDNS1123Subdomain(name).map((m) => invalidField(path, name, m));
}

function validateVolumeMode(mode: string | undefined, path: string): StatusCause[] {
  return mode !== undefined && !VOLUME_MODES.includes(mode) ? [notSupported(path, mode, VOLUME_MODES)] : [];
}

export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): StatusCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, child(path, "accessModes"), "at least 1 access mode is required");
  const storagePath = `${child(path, "resources")}[storage]`;
  const storage = s.resources?.requests?.storage;
  if (storage === undefined || storage === null) errs.push(required(storagePath, ""));
  else errs.push(...validateStorageSize(storage, storagePath));
  errs.push(...validateClassName(s.storageClassName, child(path, "storageClassName")));
  errs.push(...validateVolumeMode(s.volumeMode, child(path, "volumeMode")));
  return errs;
}

/**
 * ValidatePersistentVolumeClaimUpdate: volumeName may be set once (the binder does);
 * a bound claim may change its storage request (not below its capacity); nothing else
 * in spec changes.
 */
function validateClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): StatusCause[] {
  const errs: StatusCause[] = [];
  const next = structuredClone(pvc.spec ?? {});
  const before = structuredClone(old.spec ?? {});
  if (!before.volumeName) before.volumeName = next.volumeName;
  const bound = pvc.status?.phase === "Bound";
  if (bound && next.resources?.requests) next.resources.requests.storage = before.resources?.requests?.storage ?? "";
  // Equal quantities in other units are no change (Semantic.DeepEqual compares quantities).
  const oldSize = old.spec?.resources?.requests?.storage;
  const newSize = pvc.spec?.resources?.requests?.storage;
  if (!bound && oldSize !== undefined && newSize !== undefined && isValidQuantity(String(oldSize)) && isValidQuantity(String(newSize)) && compareQuantities(oldSize, newSize) === 0) {
    if (next.resources?.requests) next.resources.requests.storage = before.resources?.requests?.storage ?? "";
  }
  // The stored spec carries the defaults an update may leave out.
  next.volumeMode ??= before.volumeMode;
  if (!jsonEqual(next, before)) errs.push(forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
  const statusSize = old.status?.capacity?.storage;
  if (newSize !== undefined && statusSize !== undefined && oldSize !== undefined && isValidQuantity(String(newSize)) && isValidQuantity(String(oldSize))) {
    if (compareQuantities(newSize, oldSize) < 0 && compareQuantities(newSize, statusSize) < 0) {
      errs.push(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
    }
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim, old?: PersistentVolumeClaim): StatusCause[] {
  const errs = validatePersistentVolumeClaimSpec(pvc.spec, "spec");
  if (old) errs.push(...validateClaimUpdate(pvc, old));
  return errs;
}

/** ValidatePersistentVolumeSpec, for the sources the model serves. */
export function validatePersistentVolume(pv: PersistentVolume, old?: PersistentVolume): StatusCause[] {
  const spec = pv.spec ?? {};
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes", "");
  const storage = spec.capacity?.storage;
  if (!spec.capacity || !Object.keys(spec.capacity).length) errs.push(required("spec.capacity", ""));
  else if (storage === undefined) errs.push(notSupported("spec.capacity", Object.keys(spec.capacity).sort().join(","), ["storage"]));
  else errs.push(...validateStorageSize(storage, "spec.capacity[storage]"));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !PV_RECLAIM_POLICIES.includes(policy)) errs.push(notSupported("spec.persistentVolumeReclaimPolicy", policy, PV_RECLAIM_POLICIES));
  errs.push(...validateClassName(spec.storageClassName, "spec.storageClassName"));
  errs.push(...validateVolumeMode(spec.volumeMode, "spec.volumeMode"));
  const sources = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(required("spec", "must specify a volume type"));
  for (const extra of sources.slice(1)) errs.push(forbidden(child("spec", extra), "may not specify more than 1 volume type"));
  if (spec.csi) {
    if (!spec.csi.driver) errs.push(required("spec.csi.driver", ""));
    if (!spec.csi.volumeHandle) errs.push(required("spec.csi.volumeHandle", ""));
  }
  if (old) {
    const before = old.spec ?? {};
    if (!jsonEqual(PV_SOURCES.map((s) => spec[s] ?? null), PV_SOURCES.map((s) => before[s] ?? null))) {
      errs.push(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is forbidden."));
    }
    if ((spec.volumeMode ?? null) !== (before.volumeMode ?? null)) errs.push(invalidField("spec.volumeMode", spec.volumeMode ?? null, "field is immutable"));
  }
  return errs;
}

export function validateStorageClass(sc: StorageClass, old?: StorageClass): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!sc.provisioner) errs.push(required("provisioner", ""));
  else for (const m of isQualifiedName(sc.provisioner.toLowerCase())) errs.push(invalidField("provisioner", sc.provisioner, m));
  if (sc.reclaimPolicy !== undefined && !SC_RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(notSupported("reclaimPolicy", sc.reclaimPolicy, SC_RECLAIM_POLICIES));
  if (sc.volumeBindingMode === undefined) errs.push(required("volumeBindingMode", ""));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported("volumeBindingMode", sc.volumeBindingMode, BINDING_MODES));
  if (old) {
    if (!jsonEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden("parameters", "updates to parameters are forbidden."));
    if (sc.provisioner !== old.provisioner) errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
    if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(invalidField("volumeBindingMode", sc.volumeBindingMode ?? null, "field is immutable"));
  }
  return errs;
}
