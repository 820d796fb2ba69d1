// Persistent volumes end to end inside workerd: a claim gets a provisioned volume bound
// both ways; a pod's writes reach the volume's own Durable Object and a new pod on
// another node reads them; a node that lost the volume is fenced; a claim in use is
// protected; the reclaim policy decides what a deleted claim leaves behind; the
// scheduler holds back a pod whose claim is unbound.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, createPod, deletePod, execWs, getPod, podEvents, runUntil, startNode, type AgentStub } from "./node-helpers";
import { settleControllers } from "./controller-helpers";
import { volumeStore } from "../../src/controlplane/stubs";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "../../src/model/types";

type Claim = PersistentVolumeClaim;

async function createClaim(name: string, spec: Record<string, unknown> = {}): Promise<Claim> {
  const res = await callJson<Claim>("/api/v1/namespaces/default/persistentvolumeclaims", {
    method: "POST",
    body: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec } },
  });
  if (res.status !== 201) throw new Error(`create claim: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const getClaim = async (name: string) => {
  const res = await callJson<Claim>(`/api/v1/namespaces/default/persistentvolumeclaims/${name}`);
  return res.status === 200 ? res.body : undefined;
};
const getVolume = async (name: string) => {
  const res = await callJson<PersistentVolume>(`/api/v1/persistentvolumes/${name}`);
  return res.status === 200 ? res.body : undefined;
};

async function boundClaim(name: string): Promise<Claim> {
  return waitFor(async () => {
    await settleControllers();
    const c = await getClaim(name);
    return c?.status?.phase === "Bound" ? c : undefined;
  }, `claim ${name} Bound`);
}

const mounting = (claim: string) => ({
  containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
  volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }],
});

async function running(stub: AgentStub, clock: FakeClock, name: string): Promise<Pod> {
  return waitFor(async () => {
    await runUntil(stub, clock, clock.t + 5_000);
    const p = await getPod(name);
    return p?.status?.phase === "Running" ? p : undefined;
  }, `pod ${name} Running`);
}

async function gone(stub: AgentStub, clock: FakeClock, name: string): Promise<void> {
  await waitFor(async () => {
    await runUntil(stub, clock, clock.t + 5_000);
    return (await getPod(name)) === undefined;
  }, `pod ${name} gone`);
}

describe("dynamic provisioning", () => {
  it("gives a claim of the default class a volume pvc-<uid>, bound both ways", async () => {
    const claim = await createClaim("prov");
    const bound = await boundClaim("prov");
    const name = `pvc-${claim.metadata.uid}`;
    expect(bound.spec.volumeName).toBe(name);
    expect(bound.status).toMatchObject({ phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } });
    expect(bound.metadata.annotations).toMatchObject({
      "pv.kubernetes.io/bind-completed": "yes",
      "pv.kubernetes.io/bound-by-controller": "yes",
      "volume.kubernetes.io/storage-provisioner": "edgekube.dev/volume",
    });
    const pv = await waitFor(async () => {
      const v = await getVolume(name);
      return v?.status?.phase === "Bound" ? v : undefined;
    }, "volume Bound");
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: "Delete", storageClassName: "standard", capacity: { storage: "1Gi" }, csi: { driver: "edgekube.dev/volume", volumeHandle: name } });
    expect(pv.spec.claimRef).toMatchObject({ kind: "PersistentVolumeClaim", namespace: "default", name: "prov", uid: claim.metadata.uid });
    expect(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("edgekube.dev/volume");
    expect(pv.metadata.finalizers).toEqual(["kubernetes.io/pv-protection"]);
    const events = await podEvents("prov");
    expect(events.map((e) => `${e.reason}: ${e.message}`)).toEqual(
      expect.arrayContaining([`ProvisioningSucceeded: Successfully provisioned volume ${name}`, 'Provisioning: External provisioner is provisioning volume for claim "default/prov"']),
    );
  });
});

describe("a volume that outlives its pod and its node", () => {
  it("keeps what a pod wrote, protects the claim while in use, and is deleted with it", async () => {
    const clock = new FakeClock();
    const a = await startNode("vol-a", clock);
    const claim = await createClaim("data");
    const bound = await boundClaim("data");
    const pvName = bound.spec.volumeName!;

    await createPod(boundPod("writer", "vol-a", mounting("data")));
    await running(a, clock, "writer");
    const wrote = await execWs("writer", ["sh", "-c", "echo hi > /data/f && mkdir -p /data/sub && echo deep > /data/sub/g"]);
    expect(wrote.exit?.status ?? "Success").toBe("Success");
    // Written back to the volume's own store (the node flushes after the exec).
    const stored = await waitFor(async () => {
      const r = await volumeStore(env, pvName).read();
      return r.files["/f"] && r.files["/sub/g"] ? r : undefined;
    }, "the write to reach the volume store");
    expect(stored.files["/f"]).toMatchObject({ k: "f", data: "hi\n" });
    expect(stored.files["/sub"]).toMatchObject({ k: "d" });
    expect(stored.files["/sub/g"]).toMatchObject({ k: "f", data: "deep\n" });
    expect(stored.attachment).toMatchObject({ node: "vol-a", generation: 1 });

    // The claim is in use: deleting it leaves it Terminating, the finalizer held.
    expect((await callJson("/api/v1/namespaces/default/persistentvolumeclaims/data", { method: "DELETE" })).status).toBe(200);
    await settleControllers();
    const held = await getClaim("data");
    expect(held?.metadata.deletionTimestamp).toBeTruthy();
    expect(held?.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);

    await deletePod("writer");
    await gone(a, clock, "writer");
    // Detached when the pod went (or, racing the controller, wiped already: no attachment either way).
    expect((await volumeStore(env, pvName).read()).attachment).toBeNull();

    // Nobody uses it now: the claim goes, its volume is Released and (policy Delete) deleted, data and all.
    await waitFor(async () => {
      await settleControllers();
      return (await getClaim("data")) === undefined && (await getVolume(pvName)) === undefined;
    }, "the claim and its volume gone");
    const wiped = await volumeStore(env, pvName).read();
    expect(wiped.files).toEqual({});
    expect(pvName).toBe(`pvc-${claim.metadata.uid}`);
  });

  it("moves the data to a new pod on another node", async () => {
    const clock = new FakeClock();
    const a = await startNode("move-a", clock);
    const b = await startNode("move-b", clock);
    await createClaim("moving");
    const pvName = (await boundClaim("moving")).spec.volumeName!;

    await createPod(boundPod("first", "move-a", mounting("moving")));
    await running(a, clock, "first");
    await execWs("first", ["sh", "-c", "echo from-a > /data/note"]);
    await waitFor(async () => ((await volumeStore(env, pvName).read()).files["/note"] ? true : undefined), "the note stored");

    // While `first` holds the volume, a pod on the other node cannot attach it.
    await createPod(boundPod("second", "move-b", mounting("moving")));
    await waitFor(async () => {
      await runUntil(b, clock, clock.t + 3_000);
      return (await podEvents("second")).find((e) => e.reason === "FailedAttachVolume");
    }, "Multi-Attach");
    const multi = (await podEvents("second")).find((e) => e.reason === "FailedAttachVolume");
    expect(multi?.message).toBe(`Multi-Attach error for volume "${pvName}" Volume is already exclusively attached to one node and can't be attached to another`);
    expect((await getPod("second"))?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe("ContainerCreating");

    await deletePod("first");
    await gone(a, clock, "first");
    await running(b, clock, "second");
    const read = await execWs("second", ["cat", "/data/note"]);
    expect(read.stdout).toBe("from-a\n");
    expect((await volumeStore(env, pvName).read()).attachment).toMatchObject({ node: "move-b", generation: 2 });
  });
});

describe("fencing", () => {
  it("refuses a write from a node the volume moved away from", async () => {
    const store = volumeStore(env, "pvc-fence");
    // Attached on n1 for a pod that no longer exists in the API (its node was cut off and it was force-deleted).
    const first = await store.attach("pvc-fence", "n1", { namespace: "default", name: "ghost", uid: "uid-ghost" });
    expect(first).toMatchObject({ attached: true, generation: 1 });
    expect(await store.write("pvc-fence", "n1", 1, { "/f": { k: "f", data: "one" } })).toEqual({ written: true });
    const moved = await store.attach("pvc-fence", "n2", { namespace: "default", name: "new", uid: "uid-new" });
    expect(moved).toMatchObject({ attached: true, generation: 2, files: { "/f": { k: "f", data: "one" } } });
    // n1 still runs and writes with its old generation: refused, and nothing changes.
    const stale = await store.write("pvc-fence", "n1", 1, { "/f": { k: "f", data: "stale" } });
    expect(stale).toEqual({ written: false, message: 'volume "pvc-fence" is attached to node "n2" at generation 2: write from node "n1" at generation 1 refused (fenced)' });
    expect((await store.read()).files["/f"]).toMatchObject({ data: "one" });
    expect(await store.write("pvc-fence", "n2", 2, { "/f": { k: "f", data: "two" } })).toEqual({ written: true });
    expect((await store.read()).files["/f"]).toMatchObject({ data: "two" });
  });
});

describe("fencing a partitioned node", () => {
  it("keeps a cut-off node that goes on writing from overwriting the volume after it moved", async () => {
    const clock = new FakeClock();
    const a = await startNode("fence-a", clock);
    const b = await startNode("fence-b", clock);
    await createClaim("fenced");
    const pvName = (await boundClaim("fenced")).spec.volumeName!;
    const loop = { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "while true; do echo from-a > /data/who; sleep 1; done"], volumeMounts: [{ name: "data", mountPath: "/data" }] }] };
    await createPod(boundPod("looper", "fence-a", { ...mounting("fenced"), ...loop }));
    await running(a, clock, "looper");
    await waitFor(async () => {
      await runUntil(a, clock, clock.t + 2_000);
      return (await volumeStore(env, pvName).read()).files["/who"] ? true : undefined;
    }, "the loop's file stored");

    // Cut off: its pod is force-deleted (as an administrator does for a node that is gone) and the volume moves.
    await callJson("/api/v1/nodes/fence-a", { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { "sim.edgekube.io/fault": "partition" } } } });
    await a.poke();
    expect((await callJson("/api/v1/namespaces/default/pods/looper", { method: "DELETE", body: { gracePeriodSeconds: 0 } })).status).toBe(200);
    await createPod(boundPod("taker", "fence-b", { ...mounting("fenced"), containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo from-b > /data/who; sleep 3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }] }));
    await running(b, clock, "taker");
    const moved = await waitFor(async () => {
      const r = await volumeStore(env, pvName).read();
      return (r.files["/who"] as { data?: string } | undefined)?.data === "from-b\n" ? r : undefined;
    }, "the new pod's write stored");
    expect(moved.attachment).toMatchObject({ node: "fence-b", generation: 2 });

    // The old node heals: its loop ran on meanwhile and its kubelet writes back at generation 1: refused.
    await callJson("/api/v1/nodes/fence-a", { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { "sim.edgekube.io/fault": null } } } });
    await a.poke();
    await runUntil(a, clock, clock.t + 10_000);
    const after = await volumeStore(env, pvName).read();
    expect(after.files["/who"]).toMatchObject({ data: "from-b\n" });
    expect(after.attachment).toMatchObject({ node: "fence-b", generation: 2 });
  });
});

describe("reclaim policy Retain", () => {
  it("keeps the volume Released when its claim is deleted", async () => {
    const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "keep" }, provisioner: "edgekube.dev/volume", reclaimPolicy: "Retain" };
    expect((await callJson("/apis/storage.k8s.io/v1/storageclasses", { method: "POST", body: sc })).status).toBe(201);
    await createClaim("kept", { storageClassName: "keep" });
    const pvName = (await boundClaim("kept")).spec.volumeName!;
    expect((await callJson("/api/v1/namespaces/default/persistentvolumeclaims/kept", { method: "DELETE" })).status).toBe(200);
    const released = await waitFor(async () => {
      await settleControllers();
      const v = await getVolume(pvName);
      return v?.status?.phase === "Released" ? v : undefined;
    }, "volume Released");
    expect(released.spec.persistentVolumeReclaimPolicy).toBe("Retain");
    await settleControllers();
    expect((await getVolume(pvName))?.status?.phase).toBe("Released");
  });
});

describe("expansion", () => {
  it("grows the volume and then the claim's capacity when the class allows it", async () => {
    const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "growable" }, provisioner: "edgekube.dev/volume", allowVolumeExpansion: true };
    expect((await callJson("/apis/storage.k8s.io/v1/storageclasses", { method: "POST", body: sc })).status).toBe(201);
    await createClaim("grows", { storageClassName: "growable" });
    const pvName = (await boundClaim("grows")).spec.volumeName!;
    const patched = await callJson("/api/v1/namespaces/default/persistentvolumeclaims/grows", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { resources: { requests: { storage: "2Gi" } } } },
    });
    expect(patched.status).toBe(200);
    const grown = await waitFor(async () => {
      await settleControllers();
      const c = await getClaim("grows");
      return c?.status?.capacity?.storage === "2Gi" ? c : undefined;
    }, "the claim's capacity 2Gi");
    expect(grown.status?.phase).toBe("Bound");
    expect((await getVolume(pvName))?.spec.capacity).toEqual({ storage: "2Gi" });
  });
});

describe("scheduling", () => {
  it("holds back a pod whose claim is unbound, with upstream's message", async () => {
    const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "elsewhere" }, provisioner: "example.com/nobody" };
    await callJson("/apis/storage.k8s.io/v1/storageclasses", { method: "POST", body: sc });
    await createClaim("waits", { storageClassName: "elsewhere" });
    await createPod({ apiVersion: "v1", kind: "Pod", metadata: { name: "waiter" }, spec: mounting("waits") });
    const pending = await waitFor(async () => {
      const p = await getPod("waiter");
      const c = p?.status?.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" ? c : undefined;
    }, "PodScheduled=False");
    expect(pending.message).toMatch(/^0\/\d+ nodes are available: pod has unbound immediate PersistentVolumeClaims\. preemption: /);
    expect(await getPod("waiter").then((p) => p?.spec.nodeName)).toBeFalsy();
  });
});
