// PersistentVolumes, PersistentVolumeClaims and StorageClasses as the API server takes
// them: validation in upstream's words, strict fields, `kubectl get` columns, and which
// class is the default.
import { describe, it, expect } from "vitest";
import { validateObject, strictUnknownFields } from "../../src/model/validation";
import { toTable } from "../../src/api/printers";
import { accessModesString, defaultClassOf } from "../../src/model/storage";
import type { KubeObject, PersistentVolume, PersistentVolumeClaim, StatusCause, StorageClass } from "../../src/model/types";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const byField = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

function pvc(spec: Record<string, unknown> = {}, status?: PersistentVolumeClaim["status"]): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: "default", creationTimestamp: ago(65) },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "standard", volumeMode: "Filesystem", ...spec },
    ...(status ? { status } : {}),
  };
}

function pv(spec: Record<string, unknown> = {}): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pvc-1", creationTimestamp: ago(65) },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: "standard",
      volumeMode: "Filesystem",
      csi: { driver: "edgekube.dev/volume", volumeHandle: "pvc-1" },
      ...spec,
    },
  };
}

function sc(extra: Partial<StorageClass> = {}, annotations?: Record<string, string>, created = ago(65)): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", creationTimestamp: created, ...(annotations ? { annotations } : {}) },
    provisioner: "edgekube.dev/volume",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
    ...extra,
  };
}

describe("PersistentVolumeClaim validation", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["valid", {}, []],
    ["no access modes", { accessModes: [] }, ["spec.accessModes: Required value: at least 1 access mode is required"]],
    [
      "an unknown access mode",
      { accessModes: ["ReadWriteSometimes"] },
      ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'],
    ],
    ["ReadWriteOncePod with another mode", { accessModes: ["ReadWriteOncePod", "ReadWriteOnce"] }, ["spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"]],
    ["no storage request", { resources: { requests: {} } }, ["spec.resources[storage]: Required value"]],
    ["a zero storage request", { resources: { requests: { storage: "0" } } }, ['spec.resources[storage]: Invalid value: "0": must be greater than zero']],
    ["a storage request that is no quantity", { resources: { requests: { storage: "lots" } } }, [expect.stringContaining('spec.resources[storage]: Invalid value: "lots": quantities must match')] as unknown as string[]],
    ["a class name that is no subdomain", { storageClassName: "Fast_SSD" }, [expect.stringContaining('spec.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain')] as unknown as string[]],
    ["an unknown volume mode", { volumeMode: "Tape" }, ['spec.volumeMode: Unsupported value: "Tape": supported values: "Block", "Filesystem"']],
  ])("%s", (_name, spec, want) => {
    expect(byField(validateObject("persistentvolumeclaims", pvc(spec)))).toEqual(want);
  });

  it("lets the binder set volumeName once, and nothing else change", () => {
    const old = pvc();
    expect(validateObject("persistentvolumeclaims", pvc({ volumeName: "pvc-1" }), old)).toEqual([]);
    const bound = pvc({ volumeName: "pvc-1" });
    expect(byField(validateObject("persistentvolumeclaims", pvc({ volumeName: "pvc-2" }), bound))).toEqual([
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ]);
    expect(byField(validateObject("persistentvolumeclaims", pvc({ accessModes: ["ReadWriteMany"] }), old))).toEqual([
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ]);
  });

  it("lets a bound claim change its storage request, never below its capacity, and an unbound one not at all", () => {
    const status = { phase: "Bound" as const, capacity: { storage: "2Gi" } };
    const old = pvc({ volumeName: "pvc-1", resources: { requests: { storage: "2Gi" } } }, status);
    expect(validateObject("persistentvolumeclaims", pvc({ volumeName: "pvc-1", resources: { requests: { storage: "3Gi" } } }, status), old)).toEqual([]);
    expect(byField(validateObject("persistentvolumeclaims", pvc({ volumeName: "pvc-1", resources: { requests: { storage: "1Gi" } } }, status), old))).toEqual([
      "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
    ]);
    const pending = pvc({ resources: { requests: { storage: "1Gi" } } }, { phase: "Pending" });
    expect(validateObject("persistentvolumeclaims", pvc({ resources: { requests: { storage: "1024Mi" } } }, { phase: "Pending" }), pending)).toEqual([]);
    expect(byField(validateObject("persistentvolumeclaims", pvc({ resources: { requests: { storage: "5Gi" } } }, { phase: "Pending" }), pending))).toEqual([
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ]);
  });

  it("reports unknown fields under fieldValidation=Strict", () => {
    expect(strictUnknownFields("persistentvolumeclaims", { ...pvc(), spec: { ...pvc().spec, resources: { requests: {}, request: {} }, sizes: 1 } })).toEqual(["spec.resources.request", "spec.sizes"]);
  });
});

describe("PersistentVolume validation", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["valid", {}, []],
    ["no capacity", { capacity: undefined }, ["spec.capacity: Required value"]],
    ["a zero capacity", { capacity: { storage: "0" } }, ['spec.capacity[storage]: Invalid value: "0": must be greater than zero']],
    ["no access modes", { accessModes: undefined }, ["spec.accessModes: Required value"]],
    ["an unknown reclaim policy", { persistentVolumeReclaimPolicy: "Shred" }, ['spec.persistentVolumeReclaimPolicy: Unsupported value: "Shred": supported values: "Delete", "Recycle", "Retain"']],
    ["no source", { csi: undefined }, ["spec: Required value: must specify a volume type"]],
    ["two sources", { hostPath: { path: "/d" } }, ["spec.hostPath: Forbidden: may not specify more than 1 volume type"]],
    ["a csi source without a handle", { csi: { driver: "edgekube.dev/volume" } }, ["spec.csi.volumeHandle: Required value"]],
  ])("%s", (_name, spec, want) => {
    expect(byField(validateObject("persistentvolumes", pv(spec)))).toEqual(want);
  });

  it("never changes its source", () => {
    expect(byField(validateObject("persistentvolumes", pv({ csi: { driver: "edgekube.dev/volume", volumeHandle: "other" } }), pv()))).toEqual([
      "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is forbidden.",
    ]);
    expect(validateObject("persistentvolumes", pv({ claimRef: { namespace: "default", name: "data" } }), pv())).toEqual([]);
  });
});

describe("StorageClass validation", () => {
  it.each<[string, Partial<StorageClass>, string[]]>([
    ["valid", {}, []],
    ["no provisioner", { provisioner: "" }, ["provisioner: Required value"]],
    ["an unknown reclaim policy", { reclaimPolicy: "Recycle" as never }, ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']],
    ["an unknown binding mode", { volumeBindingMode: "Later" as never }, ['volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"']],
  ])("%s", (_name, extra, want) => {
    expect(byField(validateObject("storageclasses.storage.k8s.io", sc(extra) as KubeObject))).toEqual(want);
  });

  it("keeps its provisioner, parameters, reclaim policy and binding mode", () => {
    const next = sc({ provisioner: "other.dev/x", parameters: { type: "ssd" }, reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer" });
    expect(byField(validateObject("storageclasses.storage.k8s.io", next, sc()))).toEqual([
      "parameters: Forbidden: updates to parameters are forbidden.",
      "provisioner: Forbidden: updates to provisioner are forbidden.",
      "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    expect(validateObject("storageclasses.storage.k8s.io", sc({ allowVolumeExpansion: true }, { "storageclass.kubernetes.io/is-default-class": "false" }), sc())).toEqual([]);
  });
});

describe("the default class (DefaultStorageClass)", () => {
  it("is the newest marked default, by name among equals; none when none is marked", () => {
    const mark = { "storageclass.kubernetes.io/is-default-class": "true" };
    const old = { ...sc({}, mark, ago(600)), metadata: { name: "old", annotations: mark, creationTimestamp: ago(600) } };
    const newer = { ...sc({}, mark, ago(60)), metadata: { name: "newer", annotations: mark, creationTimestamp: ago(60) } };
    const beta = { ...sc(), metadata: { name: "beta", annotations: { "storageclass.beta.kubernetes.io/is-default-class": "true" }, creationTimestamp: ago(60) } };
    const plain = { ...sc(), metadata: { name: "plain", creationTimestamp: ago(1) } };
    expect(defaultClassOf([old, newer, plain])?.metadata.name).toBe("newer");
    expect(defaultClassOf([old, newer, beta])?.metadata.name).toBe("beta");
    expect(defaultClassOf([plain])).toBeUndefined();
  });
});

describe("kubectl get columns", () => {
  const header = (resource: string) => toTable(resource, [], { now: NOW }).columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name));
  const row = (resource: string, obj: KubeObject) => toTable(resource, [obj], { now: NOW }).rows[0].cells;

  it("prints a PersistentVolume as printPersistentVolume", () => {
    expect(header("persistentvolumes")).toEqual(["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode*"]);
    const bound = { ...pv({ capacity: { storage: "1024Mi" }, claimRef: { namespace: "default", name: "data" } }), status: { phase: "Bound" as const } };
    expect(row("persistentvolumes", bound)).toEqual(["pvc-1", "1Gi", "RWO", "Delete", "Bound", "default/data", "standard", "<unset>", "", "65s", "Filesystem"]);
    expect(row("persistentvolumes", { ...bound, metadata: { ...bound.metadata, deletionTimestamp: ago(1) } })[4]).toBe("Terminating");
  });

  it("prints a PersistentVolumeClaim as printPersistentVolumeClaim: capacity and modes once it names a volume", () => {
    expect(header("persistentvolumeclaims")).toEqual(["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode*"]);
    expect(row("persistentvolumeclaims", pvc({}, { phase: "Pending" }))).toEqual(["data", "Pending", "", "", "", "standard", "<unset>", "65s", "Filesystem"]);
    const bound = pvc({ volumeName: "pvc-1" }, { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } });
    expect(row("persistentvolumeclaims", bound)).toEqual(["data", "Bound", "pvc-1", "1Gi", "RWO", "standard", "<unset>", "65s", "Filesystem"]);
  });

  it("prints a StorageClass as printStorageClass, the default one marked", () => {
    expect(header("storageclasses.storage.k8s.io")).toEqual(["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]);
    expect(row("storageclasses.storage.k8s.io", sc({}, { "storageclass.kubernetes.io/is-default-class": "true" }))).toEqual(["standard (default)", "edgekube.dev/volume", "Delete", "Immediate", false, "65s"]);
  });

  it("abbreviates access modes in upstream's order", () => {
    expect(accessModesString(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"])).toBe("RWO,RWX");
    expect(accessModesString(undefined)).toBe("");
  });
});
