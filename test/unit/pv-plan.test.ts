// The persistent volume controller's decisions (pv-plan.ts) as tables: what one pass
// does for a claim or a volume in each state, with upstream's events and annotations.
import { describe, it, expect } from "vitest";
import { findMatchingVolume, planClaim, planVolume, provisionedVolume, type ClaimAction } from "../../src/controllers/pv-plan";
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../../src/model/types";

const UID = "0b6c7a0e-1111-4222-8333-444455556666";

function claim(extra: { spec?: Partial<PersistentVolumeClaim["spec"]>; status?: PersistentVolumeClaim["status"]; annotations?: Record<string, string>; deleting?: boolean } = {}): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: "data",
      namespace: "default",
      uid: UID,
      resourceVersion: "7",
      finalizers: ["kubernetes.io/pvc-protection"],
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}),
    },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "standard", volumeMode: "Filesystem", ...extra.spec },
    status: extra.status ?? { phase: "Pending" },
  };
}

function volume(name: string, extra: { size?: string; claimRef?: PersistentVolume["spec"]["claimRef"]; phase?: "Pending" | "Available" | "Bound" | "Released"; policy?: "Delete" | "Retain"; className?: string; modes?: PersistentVolume["spec"]["accessModes"]; deleting?: boolean } = {}): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "3", finalizers: ["kubernetes.io/pv-protection"], ...(extra.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
    spec: {
      capacity: { storage: extra.size ?? "1Gi" },
      accessModes: extra.modes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: extra.policy ?? "Delete",
      storageClassName: extra.className ?? "standard",
      volumeMode: "Filesystem",
      csi: { driver: "edgekube.dev/volume", volumeHandle: name },
      ...(extra.claimRef ? { claimRef: extra.claimRef } : {}),
    },
    status: { phase: extra.phase ?? "Available" },
  };
}

const sc = (extra: Partial<StorageClass> = {}): StorageClass => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: "standard" },
  provisioner: "edgekube.dev/volume",
  reclaimPolicy: "Delete",
  volumeBindingMode: "Immediate",
  ...extra,
});

const myRef = { kind: "PersistentVolumeClaim", namespace: "default", name: "data", uid: UID, apiVersion: "v1", resourceVersion: "7" };

/** Actions as short strings, so a table reads as data. */
function brief(actions: ClaimAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "provision":
        return `provision ${a.volume.metadata.name}`;
      case "bindVolume":
        return `bindVolume ${a.volume.metadata.name}`;
      case "resizeVolume":
        return `resizeVolume ${a.volume.metadata.name} to ${a.storage}`;
      case "setVolumeName":
        return `setVolumeName ${a.volumeName}`;
      case "annotateClaim":
        return `annotate ${Object.keys(a.annotations).sort().join(",")}`;
      case "claimStatus":
        return `status ${a.status.phase}`;
      case "event":
        return `${a.type} ${a.reason}: ${a.message}`;
      default:
        return a.kind;
    }
  });
}

describe("planClaim", () => {
  it.each<{ name: string; claim: PersistentVolumeClaim; volumes?: PersistentVolume[]; storageClass?: StorageClass | null; inUse?: boolean; want: string[] }>([
    {
      name: "a new claim of our class is provisioned",
      claim: claim(),
      storageClass: sc(),
      want: [
        "annotate volume.beta.kubernetes.io/storage-provisioner,volume.kubernetes.io/storage-provisioner",
        'Normal Provisioning: External provisioner is provisioning volume for claim "default/data"',
        `provision pvc-${UID}`,
        `Normal ProvisioningSucceeded: Successfully provisioned volume pvc-${UID}`,
      ],
    },
    { name: "then the provisioned volume is named in the claim", claim: claim(), volumes: [volume(`pvc-${UID}`, { claimRef: myRef, phase: "Pending" })], storageClass: sc(), want: [`setVolumeName pvc-${UID}`] },
    {
      name: "then the claim's status says Bound",
      claim: claim({ spec: { volumeName: `pvc-${UID}` }, annotations: { "pv.kubernetes.io/bind-completed": "yes" } }),
      volumes: [volume(`pvc-${UID}`, { claimRef: myRef })],
      want: ["status Bound"],
    },
    {
      name: "and a bound claim is left alone",
      claim: claim({ spec: { volumeName: `pvc-${UID}` }, annotations: { "pv.kubernetes.io/bind-completed": "yes" }, status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } }),
      volumes: [volume(`pvc-${UID}`, { claimRef: myRef, phase: "Bound" })],
      want: [],
    },
    {
      name: "a bound claim asking for more, in a class that allows expansion: the volume grows",
      claim: claim({ spec: { volumeName: "v", resources: { requests: { storage: "2Gi" } } }, annotations: { "pv.kubernetes.io/bind-completed": "yes" }, status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } }),
      volumes: [volume("v", { claimRef: myRef, phase: "Bound" })],
      storageClass: sc({ allowVolumeExpansion: true }),
      want: ["resizeVolume v to 2Gi", "Normal Resizing: External resizer is resizing volume v", 'Normal VolumeResizeSuccessful: resize volume "v" by resizer "edgekube.dev/volume" finished successfully'],
    },
    {
      name: "then the claim's capacity follows the volume's",
      claim: claim({ spec: { volumeName: "v", resources: { requests: { storage: "2Gi" } } }, annotations: { "pv.kubernetes.io/bind-completed": "yes" }, status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } }),
      volumes: [volume("v", { claimRef: myRef, phase: "Bound", size: "2Gi" })],
      storageClass: sc({ allowVolumeExpansion: true }),
      want: ["status Bound"],
    },
    {
      name: "a free volume that fits is bound rather than a new one made (the smallest)",
      claim: claim(),
      volumes: [volume("big", { size: "10Gi" }), volume("small", { size: "2Gi" }), volume("tiny", { size: "500Mi" }), volume("rox", { modes: ["ReadOnlyMany"] })],
      storageClass: sc(),
      want: ["bindVolume small", "setVolumeName small"],
    },
    { name: "a claim of no class and no volume waits", claim: claim({ spec: { storageClassName: "" } }), want: ["Normal FailedBinding: no persistent volumes available for this claim and no storage class is set"] },
    { name: "a claim of a class that does not exist", claim: claim({ spec: { storageClassName: "fast" } }), storageClass: null, want: ['Warning ProvisioningFailed: storageclass.storage.k8s.io "fast" not found'] },
    {
      name: "another provisioner's class: the claim waits for it, said once",
      claim: claim({ spec: { storageClassName: "ebs" } }),
      storageClass: sc({ metadata: { name: "ebs" }, provisioner: "ebs.csi.aws.com" }),
      want: [
        "annotate volume.beta.kubernetes.io/storage-provisioner,volume.kubernetes.io/storage-provisioner",
        "Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
      ],
    },
    { name: "WaitForFirstConsumer without a pod waits", claim: claim(), storageClass: sc({ volumeBindingMode: "WaitForFirstConsumer" }), want: ["Normal WaitForFirstConsumer: waiting for first consumer to be created before binding"] },
    { name: "WaitForFirstConsumer with a pod provisions", claim: claim(), storageClass: sc({ volumeBindingMode: "WaitForFirstConsumer" }), inUse: true, want: [expect.stringContaining("annotate"), expect.stringContaining("Provisioning:"), `provision pvc-${UID}`, expect.stringContaining("ProvisioningSucceeded")] as unknown as string[] },
    { name: "a claim being deleted keeps its finalizer while a pod uses it", claim: claim({ deleting: true }), inUse: true, want: [] },
    { name: "and loses it once none does", claim: claim({ deleting: true }), inUse: false, want: ["removeClaimFinalizer"] },
    {
      name: "a bound claim whose volume is gone is Lost",
      claim: claim({ spec: { volumeName: "gone" }, status: { phase: "Bound" } }),
      want: ["status Lost", "Warning ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!"],
    },
    {
      name: "a volume named by the claim but bound to another claim",
      claim: claim({ spec: { volumeName: "taken" } }),
      volumes: [volume("taken", { claimRef: { ...myRef, name: "other", uid: "x" } })],
      want: ['Warning FailedBinding: volume "taken" already bound to a different claim.'],
    },
  ])("$name", ({ claim: c, volumes = [], storageClass, inUse = false, want }) => {
    expect(brief(planClaim({ claim: c, volumes, storageClass, inUse }))).toEqual(want);
  });

  it("provisions a volume shaped by the claim and the class", () => {
    const pv = provisionedVolume(claim({ spec: { resources: { requests: { storage: "3Gi" } } } }), sc({ reclaimPolicy: "Retain" }));
    expect(pv.metadata.name).toBe(`pvc-${UID}`);
    expect(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("edgekube.dev/volume");
    expect(pv.spec).toMatchObject({ capacity: { storage: "3Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "standard", claimRef: myRef, csi: { driver: "edgekube.dev/volume", volumeHandle: `pvc-${UID}` } });
  });

  it("never matches a volume of another class, mode or a smaller size", () => {
    const c = claim();
    expect(findMatchingVolume([volume("a", { className: "fast" }), volume("b", { size: "1Mi" }), volume("c", { modes: ["ReadOnlyMany"] }), volume("d", { deleting: true })], c)).toBeUndefined();
  });
});

describe("planVolume", () => {
  const bound = claim({ spec: { volumeName: "v" } });
  it.each<{ name: string; pv: PersistentVolume; claim: PersistentVolumeClaim | null; want: string[] }>([
    { name: "a free volume becomes Available", pv: volume("v", { phase: "Pending" }), claim: null, want: ["volumeStatus Available"] },
    { name: "a volume whose claim names it is Bound", pv: volume("v", { claimRef: myRef, phase: "Pending" }), claim: bound, want: ["volumeStatus Bound"] },
    { name: "a volume whose claim has not named it yet waits", pv: volume("v", { claimRef: myRef, phase: "Pending" }), claim: claim(), want: [] },
    { name: "its claim deleted: Released", pv: volume("v", { claimRef: myRef, phase: "Bound" }), claim: null, want: ["volumeStatus Released"] },
    { name: "a claim of the same name but another uid is not its claim", pv: volume("v", { claimRef: myRef, phase: "Bound" }), claim: { ...bound, metadata: { ...bound.metadata, uid: "new" } }, want: ["volumeStatus Released"] },
    { name: "Released with Delete: deleted", pv: volume("v", { claimRef: myRef, phase: "Released", policy: "Delete" }), claim: null, want: ["deleteVolume"] },
    { name: "Released with Retain: kept", pv: volume("v", { claimRef: myRef, phase: "Released", policy: "Retain" }), claim: null, want: [] },
    { name: "being deleted while bound: the finalizer stays", pv: volume("v", { claimRef: myRef, phase: "Bound", deleting: true }), claim: bound, want: [] },
    { name: "being deleted once released: the finalizer goes", pv: volume("v", { claimRef: myRef, phase: "Released", deleting: true }), claim: null, want: ["removeVolumeFinalizer"] },
  ])("$name", ({ pv, claim: c, want }) => {
    expect(planVolume(pv, c).map((a) => (a.kind === "volumeStatus" ? `volumeStatus ${a.phase}` : a.kind))).toEqual(want);
  });
});
