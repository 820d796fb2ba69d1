// Garbage collection and namespace deletion end to end inside workerd: deleting a
// Deployment with Background, Foreground and Orphan propagation, adoption of orphan
// pods, and deleting a namespace with everything in it. Pods are kept unschedulable
// (a nodeSelector no node has) so their deletion is immediate.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call, callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Deployment, Namespace, Pod, ReplicaSet } from "../../src/model/types";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { ReplicaSetController } from "../../src/controllers/replicaset-controller";
import { ObjectStore } from "../../src/store/store";

const APPS = "/apis/apps/v1/namespaces";

async function namespace(name: string): Promise<void> {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } })).status).toBe(201);
}

function deployment(name: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name, image: "nginx:1.27" }] } },
    },
  };
}

async function list<T>(path: string): Promise<T[]> {
  const res = await callJson<{ items: T[] }>(path);
  expect(res.status).toBe(200);
  return res.body.items;
}

const rsList = (ns: string) => list<ReplicaSet>(`${APPS}/${ns}/replicasets`);
const podList = (ns: string) => list<Pod>(`/api/v1/namespaces/${ns}/pods`);


async function deployAndWait(ns: string, name: string, replicas: number): Promise<{ d: Deployment; rs: ReplicaSet; pods: Pod[] }> {
  const d = (await callJson<Deployment>(`${APPS}/${ns}/deployments`, { method: "POST", body: deployment(name, replicas) })).body;
  const pods = await waitFor(async () => {
    const l = (await podList(ns)).filter((p) => p.metadata.labels?.app === name);
    return l.length === replicas && l;
  }, `${replicas} pods of ${name}`);
  const [rs] = (await rsList(ns)).filter((r) => r.metadata.labels?.app === name);
  return { d, rs, pods };
}

function controllerManager() {
  return env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
}

describe("garbage collection", () => {
  it("Background: deleting a deployment removes its ReplicaSets and pods", { timeout: 120_000 }, async () => {
    await namespace("gc-bg");
    await deployAndWait("gc-bg", "web", 3);
    const del = await callJson<{ kind: string; status: string }>(`${APPS}/gc-bg/deployments/web`, { method: "DELETE", body: { propagationPolicy: "Background" } });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ kind: "Status", status: "Success" });
    await waitFor(async () => (await rsList("gc-bg")).length === 0 && (await podList("gc-bg")).length === 0, "everything gone");
  });

  it("Foreground: the deployment stays (with its finalizer) until its ReplicaSets and pods are gone", { timeout: 120_000 }, async () => {
    await namespace("gc-fg");
    await deployAndWait("gc-fg", "web", 2);
    const del = await callJson<Deployment>(`${APPS}/gc-fg/deployments/web`, { method: "DELETE", body: { propagationPolicy: "Foreground" } });
    expect(del.status).toBe(200);
    expect(del.body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    await waitFor(async () => (await call(`${APPS}/gc-fg/deployments/web`)).status === 404, "the deployment to go");
    expect(await rsList("gc-fg")).toEqual([]);
    expect(await podList("gc-fg")).toEqual([]);
  });

  it("Orphan: ReplicaSets and pods stay, without the owner reference", { timeout: 120_000 }, async () => {
    await namespace("gc-orphan");
    const { rs, pods } = await deployAndWait("gc-orphan", "web", 2);
    const del = await callJson(`${APPS}/gc-orphan/deployments/web`, { method: "DELETE", body: { propagationPolicy: "Orphan" } });
    expect(del.status).toBe(200);
    await waitFor(async () => (await call(`${APPS}/gc-orphan/deployments/web`)).status === 404, "the deployment to go");
    const left = await rsList("gc-orphan");
    expect(left.map((r) => r.metadata.name)).toEqual([rs.metadata.name]);
    expect(left[0].metadata.ownerReferences).toBeUndefined();
    // The ReplicaSet still owns and keeps its pods.
    await settleControllers();
    expect((await podList("gc-orphan")).map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
  });

  it("deleting a ReplicaSet directly collects its pods; a bare pod matching a ReplicaSet is adopted", { timeout: 120_000 }, async () => {
    await namespace("gc-rs");
    const rs = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "frontend" },
      spec: { replicas: 2, selector: { matchLabels: { tier: "frontend" } }, template: { metadata: { labels: { tier: "frontend" } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "php", image: "nginx:1.27" }] } } },
    };
    // An orphan that matches, created first: the ReplicaSet adopts it and makes one more.
    const bare = await callJson<Pod>("/api/v1/namespaces/gc-rs/pods", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "stray", labels: { tier: "frontend" } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "x", image: "nginx:1.27" }] } },
    });
    expect(bare.status).toBe(201);
    const created = await callJson<ReplicaSet>(`${APPS}/gc-rs/replicasets`, { method: "POST", body: rs });
    expect(created.status).toBe(201);
    const pods = await waitFor(async () => {
      const l = await podList("gc-rs");
      return l.length === 2 && l.every((p) => p.metadata.ownerReferences?.[0]?.uid === created.body.metadata.uid) && l;
    }, "adoption and one new pod");
    expect(pods.map((p) => p.metadata.name)).toContain("stray");
    const status = await waitFor(async () => {
      const r = (await callJson<ReplicaSet>(`${APPS}/gc-rs/replicasets/frontend`)).body;
      return r.status?.replicas === 2 && r.status;
    }, "status");
    expect(status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 });

    expect((await call(`${APPS}/gc-rs/replicasets/frontend`, { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => (await podList("gc-rs")).length === 0, "the pods to be collected");
  });
});

describe("namespace deletion", () => {
  it("deletes everything in the namespace, then the namespace", { timeout: 120_000 }, async () => {
    await namespace("ns-doomed");
    await deployAndWait("ns-doomed", "a", 2);
    await deployAndWait("ns-doomed", "b", 1);
    const del = await callJson<Namespace>("/api/v1/namespaces/ns-doomed", { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(del.body.status?.phase).toBe("Terminating");
    // Nothing new may be created meanwhile.
    const refused = await callJson<{ code: number }>(`${APPS}/ns-doomed/deployments`, { method: "POST", body: deployment("late", 1) });
    expect(refused.status).toBe(403);
    await waitFor(async () => (await call("/api/v1/namespaces/ns-doomed")).status === 404, "the namespace to go");
    expect(await podList("ns-doomed")).toEqual([]);
    expect(await rsList("ns-doomed")).toEqual([]);
    expect(await list(`${APPS}/ns-doomed/deployments`)).toEqual([]);
    expect(await list(`/api/v1/namespaces/ns-doomed/events`)).toEqual([]);
    const state = await runInDurableObject(controllerManager(), (cm: ControllerManager) => cm.flush());
    expect(state.keys.filter((k) => k.includes("ns-doomed"))).toEqual([]);
  });

  it("a resync repairs what a lost poke missed", { timeout: 120_000 }, async () => {
    await namespace("resync");
    const { rs } = await deployAndWait("resync", "web", 2);
    // Delete a pod behind the controllers' back: straight in the store, no poke.
    const store = new ObjectStore(env.DB);
    const [victim] = (await store.list("pods", { namespace: "resync" })).items;
    await store.remove("pods", victim);
    await runInDurableObject(controllerManager(), (cm: ControllerManager) => cm.resyncNow());
    const pods = await waitFor(async () => {
      const l = await podList("resync");
      return l.length === 2 && !l.some((p) => p.metadata.name === victim.metadata.name) && l;
    }, "a replacement");
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.name === rs.metadata.name)).toBe(true);
  });
});

describe("idempotence", () => {
  it("never creates more than spec.replicas pods when reconciled twice at once or when the alarm fires twice", { timeout: 120_000 }, async () => {
    await namespace("twice");
    // Written straight to the store: no poke, so only the calls below reconcile it.
    const store = new ObjectStore(env.DB);
    await store.create("replicasets.apps", {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "rs", namespace: "twice", uid: crypto.randomUUID(), generation: 1, creationTimestamp: new Date().toISOString() },
      spec: { replicas: 5, selector: { matchLabels: { app: "twice" } }, template: { metadata: { labels: { app: "twice" } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "c", image: "nginx:1.27" }] } } },
      status: { replicas: 0 },
    });
    const stub = controllerManager();
    await runInDurableObject(stub, async (cm: ControllerManager) => {
      const rsc = (cm as unknown as { byName: Map<string, ReplicaSetController> }).byName.get("rs")!;
      const key = { namespace: "twice", name: "rs" };
      await Promise.all([rsc.reconcile(key), rsc.reconcile(key), cm.resyncNow()]);
    });
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    await runInDurableObject(stub, (cm: ControllerManager) => cm.flush());
    expect(await podList("twice")).toHaveLength(5);
  });
});
