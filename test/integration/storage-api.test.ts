// Persistent storage through the API: the default StorageClass bootstrap makes, the
// admission in front of claims (default class, protection finalizer, resize), and
// upstream's errors for what may not change.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";

type Obj = { kind: string; metadata: { name: string; finalizers?: string[]; annotations?: Record<string, string>; resourceVersion?: string }; spec: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown };
type Status = { kind: string; code: number; reason: string; message: string };

const claim = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});

describe("storage resources through the API", () => {
  it("serves the default class `standard` bootstrap made", async () => {
    const { status, body } = await callJson<Obj>("/apis/storage.k8s.io/v1/storageclasses/standard");
    expect(status).toBe(200);
    expect(body.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(body).toMatchObject({ provisioner: "edgekube.dev/volume", reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
  });

  it("gives a claim without a class the default one, the protection finalizer and phase Pending; an empty class stays empty", async () => {
    const created = await callJson<Obj>("/api/v1/namespaces/default/persistentvolumeclaims", { method: "POST", body: claim("defaulted") });
    expect(created.status).toBe(201);
    expect(created.body.spec.storageClassName).toBe("standard");
    expect(created.body.spec.volumeMode).toBe("Filesystem");
    expect(created.body.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect(created.body.status).toEqual({ phase: "Pending" });
    const none = await callJson<Obj>("/api/v1/namespaces/default/persistentvolumeclaims", { method: "POST", body: claim("no-class", { storageClassName: "" }) });
    expect(none.body.spec.storageClassName).toBe("");
  });

  it("refuses an invalid claim with 422 and upstream's causes, and stores nothing", async () => {
    const bad = await callJson<Status & { details: { causes: { field: string; message: string }[] } }>("/api/v1/namespaces/default/persistentvolumeclaims", {
      method: "POST",
      body: claim("bad", { accessModes: [], resources: { requests: {} } }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]',
    );
    expect((await callJson("/api/v1/namespaces/default/persistentvolumeclaims/bad")).status).toBe(404);
  });

  it("refuses to change a claim's spec (422) or grow it in a class without expansion (403)", async () => {
    const created = await callJson<Obj>("/api/v1/namespaces/default/persistentvolumeclaims", { method: "POST", body: claim("fixed") });
    const modes = await callJson<Status>("/api/v1/namespaces/default/persistentvolumeclaims/fixed", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { accessModes: ["ReadWriteMany"] } },
    });
    expect(modes.status).toBe(422);
    expect(modes.body.message).toBe(
      'PersistentVolumeClaim "fixed" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
    // A bound claim is what may grow: make it look bound through /status first.
    const bound = await callJson<Obj>("/api/v1/namespaces/default/persistentvolumeclaims/fixed/status", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { status: { phase: "Bound", capacity: { storage: "1Gi" } } },
    });
    expect(bound.status).toBe(200);
    const grow = await callJson<Status>("/api/v1/namespaces/default/persistentvolumeclaims/fixed", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { resources: { requests: { storage: "2Gi" } } } },
    });
    expect(grow.status).toBe(403);
    expect(grow.body.message).toBe(
      'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    const after = await callJson<Obj>("/api/v1/namespaces/default/persistentvolumeclaims/fixed");
    expect((after.body.spec.resources as { requests: { storage: string } }).requests.storage).toBe("1Gi");
    expect(created.body.metadata.resourceVersion).not.toBe(after.body.metadata.resourceVersion);
  });

  it("prints `kubectl get sc` with the default class marked", async () => {
    const { body } = await callJson<{ rows: { cells: unknown[] }[] }>("/apis/storage.k8s.io/v1/storageclasses", { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(body.rows.map((r) => r.cells.slice(0, 5))).toContainEqual(["standard (default)", "edgekube.dev/volume", "Delete", "Immediate", false]);
  });
});
