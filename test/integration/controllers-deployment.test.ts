// Deployments end to end inside workerd: the API worker pokes the ControllerManager
// Durable Object, which creates ReplicaSets and pods. Pods carry a nodeSelector no
// node has, so the scheduler leaves them unbound (deletes are then immediate); the
// tests play kubelet by writing Running+Ready through the /status subresource.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { call, callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Deployment, Event, Pod, ReplicaSet } from "../../src/model/types";
import type { ControllerManager } from "../../src/controllers/controller-manager";

const APPS = "/apis/apps/v1/namespaces";

async function namespace(name: string): Promise<void> {
  const res = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect(res.status).toBe(201);
}

function deployment(name: string, replicas: number, image = "gcr.io/google-samples/kubernetes-bootcamp:v1", extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name, image }] },
      },
      ...extra,
    },
  };
}

async function get<T>(path: string): Promise<T> {
  const res = await callJson<T>(path);
  expect(res.status).toBe(200);
  return res.body;
}

const replicaSets = async (ns: string, app: string) => (await get<{ items: ReplicaSet[] }>(`${APPS}/${ns}/replicasets?labelSelector=app%3D${app}`)).items;
const pods = async (ns: string, app: string) => (await get<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).items;
const liveDeployment = (ns: string, name: string) => get<Deployment>(`${APPS}/${ns}/deployments/${name}`);
const events = async (ns: string, name: string) => (await get<{ items: Event[] }>(`/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3D${name}`)).items;


/** Play kubelet: the pod is Running and Ready. */
async function markReady(ns: string, pod: string): Promise<void> {
  const res = await callJson(`/api/v1/namespaces/${ns}/pods/${pod}/status`, {
    method: "PATCH",
    contentType: "application/strategic-merge-patch+json",
    body: { status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") }] } },
  });
  if (res.status === 404) return; // deleted meanwhile
  expect(res.status).toBe(200);
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

async function markAllReady(ns: string, app: string): Promise<void> {
  for (const p of await pods(ns, app)) if (!isReady(p) && !p.metadata.deletionTimestamp) await markReady(ns, p.metadata.name!);
}

function controllerManager() {
  return env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
}

describe("deployment controller", () => {
  it("creates a ReplicaSet named with the pod-template-hash and its pods, with events and status", { timeout: 120_000 }, async () => {
    await namespace("dep-create");
    const res = await callJson<Deployment>(`${APPS}/dep-create/deployments`, { method: "POST", body: deployment("kubernetes-bootcamp", 3) });
    expect(res.status).toBe(201);

    const [rs] = await waitFor(async () => {
      const l = await replicaSets("dep-create", "kubernetes-bootcamp");
      return l.length === 1 && l;
    }, "the ReplicaSet");
    const hash = rs.metadata.labels?.["pod-template-hash"];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata.name).toBe(`kubernetes-bootcamp-${hash}`);
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "kubernetes-bootcamp", uid: res.body.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(rs.spec.selector.matchLabels).toEqual({ app: "kubernetes-bootcamp", "pod-template-hash": hash });

    const created = await waitFor(async () => {
      const l = await pods("dep-create", "kubernetes-bootcamp");
      return l.length === 3 && l;
    }, "3 pods");
    for (const p of created) {
      expect(p.metadata.name).toMatch(new RegExp(`^${rs.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata.labels).toEqual({ app: "kubernetes-bootcamp", "pod-template-hash": hash });
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: rs.metadata.name, controller: true });
      expect(p.spec.tolerations?.map((t) => t.key)).toEqual(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);
      expect(p.status?.phase).toBe("Pending");
    }

    const d = await waitFor(async () => {
      const d = await liveDeployment("dep-create", "kubernetes-bootcamp");
      return d.status?.replicas === 3 && d;
    }, "deployment status");
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, unavailableReplicas: 3 });
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status?.conditions?.find((c) => c.type === "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable" });

    const dEvents = await events("dep-create", "kubernetes-bootcamp");
    expect(dEvents.map((e) => e.message)).toContain(`Scaled up replica set ${rs.metadata.name} to 3 from 0`);
    expect(dEvents[0]).toMatchObject({ type: "Normal", reason: "ScalingReplicaSet", source: { component: "deployment-controller" }, reportingComponent: "deployment-controller", count: 1 });
    expect(dEvents[0].involvedObject).toMatchObject({ kind: "Deployment", name: "kubernetes-bootcamp", namespace: "dep-create", uid: res.body.metadata.uid });
    const rsEvents = await events("dep-create", rs.metadata.name!);
    expect(rsEvents.map((e) => e.message).sort()).toEqual(created.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(rsEvents[0].source?.component).toBe("replicaset-controller");

    // Kubelet's part: the pods become ready, the deployment completes.
    await markAllReady("dep-create", "kubernetes-bootcamp");
    const done = await waitFor(async () => {
      const d = await liveDeployment("dep-create", "kubernetes-bootcamp");
      return d.status?.availableReplicas === 3 && d.status.conditions?.find((c) => c.type === "Progressing")?.reason === "NewReplicaSetAvailable" && d;
    }, "deployment available");
    expect(done.status?.readyReplicas).toBe(3);
    expect(done.status?.unavailableReplicas).toBeUndefined();
    expect(done.status?.conditions?.find((c) => c.type === "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
    expect(done.status?.conditions?.find((c) => c.type === "Progressing")?.message).toBe(`ReplicaSet "${rs.metadata.name}" has successfully progressed.`);

    // Converged: nothing left to do right now.
    const state = await runInDurableObject(controllerManager(), (cm: ControllerManager) => cm.flush());
    expect(state.keys.filter((k) => k.includes("dep-create"))).toEqual([]);
  });

  it("scales up and down through the scale subresource, removing not-ready pods first", { timeout: 120_000 }, async () => {
    await namespace("dep-scale");
    await callJson(`${APPS}/dep-scale/deployments`, { method: "POST", body: deployment("web", 1) });
    await waitFor(async () => (await pods("dep-scale", "web")).length === 1, "1 pod");
    const scale = (n: number) =>
      callJson(`${APPS}/dep-scale/deployments/web/scale`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { replicas: n } } });

    expect((await scale(4)).status).toBe(200);
    await waitFor(async () => (await pods("dep-scale", "web")).length === 4, "4 pods");
    const all = await pods("dep-scale", "web");
    const keep = all.slice(0, 2).map((p) => p.metadata.name!);
    for (const name of keep) await markReady("dep-scale", name);
    await waitFor(async () => (await liveDeployment("dep-scale", "web")).status?.readyReplicas === 2, "2 ready");

    expect((await scale(2)).status).toBe(200);
    const left = await waitFor(async () => {
      const l = await pods("dep-scale", "web");
      return l.length === 2 && l;
    }, "2 pods left");
    expect(left.map((p) => p.metadata.name).sort()).toEqual(keep.sort());
    const [rs] = await replicaSets("dep-scale", "web");
    expect(rs.spec.replicas).toBe(2);
    expect(rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"]).toBe("2");
    const messages = (await events("dep-scale", "web")).map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining([`Scaled up replica set ${rs.metadata.name} to 4 from 1`, `Scaled down replica set ${rs.metadata.name} to 2 from 4`]));
    const rsMessages = (await events("dep-scale", rs.metadata.name!)).map((e) => e.message);
    expect(rsMessages.filter((m) => m?.startsWith("Deleted pod: "))).toHaveLength(2);
  });

  it("rolls out a new image with a new ReplicaSet, within surge, then rolls back reusing the old one", async () => {
    await namespace("dep-roll");
    await callJson(`${APPS}/dep-roll/deployments`, { method: "POST", body: deployment("app", 3) });
    await waitFor(async () => (await pods("dep-roll", "app")).length === 3, "3 pods");
    await markAllReady("dep-roll", "app");
    await waitFor(async () => (await liveDeployment("dep-roll", "app")).status?.availableReplicas === 3, "v1 available");
    const [v1] = await replicaSets("dep-roll", "app");

    // kubectl set image: a strategic merge patch on the containers.
    const patched = await callJson<Deployment>(`${APPS}/dep-roll/deployments/app`, {
      method: "PATCH",
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { template: { spec: { $setElementOrder: undefined, containers: [{ name: "app", image: "gcr.io/google-samples/kubernetes-bootcamp:v2" }] } } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.generation).toBe(2);

    // Play kubelet until the rollout is done, checking the surge bound on the way.
    let maxPods = 0;
    const finished = await waitFor(async () => {
      const live = (await pods("dep-roll", "app")).filter((p) => !p.metadata.deletionTimestamp);
      maxPods = Math.max(maxPods, live.length);
      await markAllReady("dep-roll", "app");
      const d = await liveDeployment("dep-roll", "app");
      const s = d.status ?? {};
      return (s.observedGeneration ?? 0) >= 2 && s.updatedReplicas === 3 && s.replicas === 3 && s.availableReplicas === 3 && d;
    }, "the rollout", 30_000);
    expect(maxPods).toBeLessThanOrEqual(4); // 3 + maxSurge 25% (rounded up to 1)
    expect(finished.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(finished.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");

    const rss = await replicaSets("dep-roll", "app");
    expect(rss).toHaveLength(2);
    const v2 = rss.find((r) => r.metadata.name !== v1.metadata.name)!;
    expect(v2.spec.template.spec.containers[0].image).toBe("gcr.io/google-samples/kubernetes-bootcamp:v2");
    expect(v2.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(rss.find((r) => r.metadata.name === v1.metadata.name)!.spec.replicas).toBe(0);
    const images = (await pods("dep-roll", "app")).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);
    expect(images).toEqual(["gcr.io/google-samples/kubernetes-bootcamp:v2", "gcr.io/google-samples/kubernetes-bootcamp:v2", "gcr.io/google-samples/kubernetes-bootcamp:v2"]);

    // kubectl rollout undo: JSON patch with the old ReplicaSet's template (hash label removed).
    const template = structuredClone(v1.spec.template);
    delete template.metadata!.labels!["pod-template-hash"];
    const undo = await callJson(`${APPS}/dep-roll/deployments/app`, {
      method: "PATCH",
      contentType: "application/json-patch+json",
      body: [
        { op: "replace", path: "/spec/template", value: template },
        { op: "replace", path: "/metadata/annotations", value: { "deployment.kubernetes.io/revision": "2" } },
      ],
    });
    expect(undo.status).toBe(200);
    await waitFor(async () => {
      await markAllReady("dep-roll", "app");
      const d = await liveDeployment("dep-roll", "app");
      const s = d.status ?? {};
      return (s.observedGeneration ?? 0) >= 3 && s.updatedReplicas === 3 && s.replicas === 3 && s.availableReplicas === 3 && d;
    }, "the rollback", 30_000);
    const after = await replicaSets("dep-roll", "app");
    expect(after).toHaveLength(2);
    const back = after.find((r) => r.metadata.name === v1.metadata.name)!;
    expect(back.spec.replicas).toBe(3);
    expect(back.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect((await liveDeployment("dep-roll", "app")).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  }, 60_000);

  it("replaces a deleted pod and a Failed one", { timeout: 120_000 }, async () => {
    await namespace("dep-replace");
    await callJson(`${APPS}/dep-replace/deployments`, { method: "POST", body: deployment("svc", 2) });
    const first = await waitFor(async () => {
      const l = await pods("dep-replace", "svc");
      return l.length === 2 && l;
    }, "2 pods");
    const [a, b] = first.map((p) => p.metadata.name!);
    expect((await call(`/api/v1/namespaces/dep-replace/pods/${a}`, { method: "DELETE" })).status).toBe(200);
    const failed = await callJson(`/api/v1/namespaces/dep-replace/pods/${b}/status`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { status: { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." } },
    });
    expect(failed.status).toBe(200);
    const now = await waitFor(async () => {
      const l = await pods("dep-replace", "svc");
      const active = l.filter((p) => p.status?.phase !== "Failed");
      return active.length === 2 && !active.some((p) => p.metadata.name === a || p.metadata.name === b) && l;
    }, "replacements");
    expect(now.some((p) => p.metadata.name === b && p.status?.phase === "Failed")).toBe(true);
  });

  it("refuses bad input with 422 and changes nothing", async () => {
    await namespace("dep-bad");
    const negative = await callJson<{ reason: string; details: { causes: { field: string }[] } }>(`${APPS}/dep-bad/deployments`, { method: "POST", body: deployment("neg", -1) });
    expect(negative.status).toBe(422);
    expect(negative.body.details.causes.map((c) => c.field)).toContain("spec.replicas");
    const mismatch = deployment("mismatch", 1);
    mismatch.spec.selector = { matchLabels: { app: "other" } };
    const bad = await callJson<{ reason: string; details: { causes: { field: string }[] } }>(`${APPS}/dep-bad/deployments`, { method: "POST", body: mismatch });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes.map((c) => c.field)).toContain("spec.template.metadata.labels");
    await settleControllers();
    expect((await get<{ items: unknown[] }>(`${APPS}/dep-bad/deployments`)).items).toEqual([]);
    expect((await get<{ items: unknown[] }>(`${APPS}/dep-bad/replicasets`)).items).toEqual([]);
    expect((await get<{ items: unknown[] }>(`/api/v1/namespaces/dep-bad/pods`)).items).toEqual([]);
  });
});
