// What the kubelet makes of a pod's claims: why one cannot be mounted yet, in the
// volume manager's words, and how the claim volumes reach the runtime (their files,
// read-only where the pod says so).
import { describe, it, expect } from "vitest";
import { claimProblem } from "../../src/node/kubelet/claims";
import { containerConfig, sandboxConfig } from "../../src/node/kubelet/container-config";
import type { PersistentVolumeClaim, Pod } from "../../src/model/types";

const claim = (extra: { volumeName?: string; phase?: "Pending" | "Bound"; deleting?: boolean } = {}): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "default", ...(extra.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], ...(extra.volumeName ? { volumeName: extra.volumeName } : {}) },
  status: { phase: extra.phase ?? "Pending" },
});

describe("claimProblem", () => {
  it.each<[string, PersistentVolumeClaim | null, string | undefined]>([
    ["missing", null, 'error processing PVC default/data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found'],
    ["pending", claim(), "error processing PVC default/data: PVC is not bound"],
    ["being deleted", claim({ volumeName: "pvc-1", phase: "Bound", deleting: true }), "error processing PVC default/data: can't start pod because PVC default/data is being deleted"],
    ["bound", claim({ volumeName: "pvc-1", phase: "Bound" }), undefined],
  ])("%s", (_name, pvc, want) => {
    expect(claimProblem("default", "data", pvc)).toBe(want);
  });
});

describe("claim volumes in the runtime's configs", () => {
  const pod = (readOnly: boolean): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u" },
    spec: {
      containers: [{ name: "app", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "scratch", mountPath: "/tmp/s" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data", readOnly } }, { name: "scratch", emptyDir: {} }],
    },
  });

  it("hands the attached files over as a persistent volume of the sandbox", () => {
    const cfg = sandboxConfig(pod(false), "10.244.1.5", new Map(), new Map([["data", { "/f": { k: "f" as const, data: "hi\n" } }]]));
    expect(cfg.volumes).toEqual([{ name: "data", persistent: { entries: { "/f": { k: "f", data: "hi\n" } } } }, { name: "scratch" }]);
  });

  it("mounts a claim the pod marks readOnly read-only in every container", () => {
    const net = { podIP: "10.244.1.5", hostIP: "192.168.49.3", nodeName: "n" };
    const mounts = (p: Pod) => containerConfig(p, p.spec.containers[0], 0, net).mounts;
    expect(mounts(pod(true))).toEqual([{ containerPath: "/data", volume: "data", readOnly: true }, { containerPath: "/tmp/s", volume: "scratch" }]);
    expect(mounts(pod(false))).toEqual([{ containerPath: "/data", volume: "data" }, { containerPath: "/tmp/s", volume: "scratch" }]);
  });
});
