// The pod admission plugins' per-isolate snapshots (registry/admission-snapshot.ts):
// once a create has read the namespace's LimitRanges, the pod's ServiceAccount and the
// PriorityClasses, a write to any of them made behind the snapshot's back (straight to
// the store, as another isolate would) is seen by the very next create: its batch
// finds the set changed, and the create runs again from fresh reads. And a create into
// a namespace that is gone or going is refused as before (its batch checks the
// namespace instead of a read ahead of it).
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { callJson } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import { prepareForCreate } from "../../src/registry/strategy";
import { findResource } from "../../src/model/resources";
import type { KubeObject, Pod } from "../../src/model/types";

const NS = "snapshots";
const defaults = { defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 }, now: Date.now() };

/** A write that bypasses the API (and so anything this isolate keeps): what another isolate's would be to us. */
async function writeBehind(resource: string, group: string, version: string, obj: KubeObject, op: "create" | "update" | "delete" = "create") {
  const store = new ObjectStore(env.DB);
  const info = findResource(group, version, resource.split(".")[0])!;
  if (op === "create") return store.create(resource, prepareForCreate(info, obj, defaults));
  const current = (await store.get(resource, obj.metadata.namespace ?? "", obj.metadata.name ?? ""))!;
  if (op === "delete") return store.remove(resource, current);
  return store.update(resource, { ...current, ...obj, metadata: current.metadata });
}

function pod(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { schedulerName: "none", serviceAccountName: "runner", containers: [{ name: "app", image: "nginx:1.27" }], ...extra } };
}

async function createPod(name: string, extra: Record<string, unknown> = {}) {
  return callJson<Pod & { message?: string }>(`/api/v1/namespaces/${NS}/pods`, { method: "POST", body: pod(name, extra) });
}

describe("admission snapshots", () => {
  beforeAll(async () => {
    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
    expect((await callJson(`/api/v1/namespaces/${NS}/serviceaccounts`, { method: "POST", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner" } } })).status).toBe(201);
  });

  it("sees a LimitRange written behind its back at the next create", async () => {
    const first = await createPod("before-range");
    expect(first.status, first.body.message).toBe(201);
    expect(first.body.spec.containers[0].resources?.limits).toBeUndefined();
    await writeBehind("limitranges", "", "v1", {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "defaults", namespace: NS },
      spec: { limits: [{ type: "Container", default: { cpu: "300m" }, defaultRequest: { cpu: "100m" } }] },
    } as KubeObject);
    const second = await createPod("after-range");
    expect(second.status, second.body.message).toBe(201);
    expect(second.body.spec.containers[0].resources).toMatchObject({ limits: { cpu: "300m" }, requests: { cpu: "100m" } });
    // Gone again: the next pod has no defaults.
    await writeBehind("limitranges", "", "v1", { metadata: { name: "defaults", namespace: NS } } as KubeObject, "delete");
    const third = await createPod("range-gone");
    expect(third.status, third.body.message).toBe(201);
    expect(third.body.spec.containers[0].resources?.limits).toBeUndefined();
  });

  it("sees a ServiceAccount changed or deleted behind its back at the next create", async () => {
    const mounted = await createPod("token-mounted");
    expect(mounted.status, mounted.body.message).toBe(201);
    expect(mounted.body.spec.volumes?.some((v) => v.name.startsWith("kube-api-access-"))).toBe(true);
    await writeBehind("serviceaccounts", "", "v1", { metadata: { name: "runner", namespace: NS }, automountServiceAccountToken: false } as unknown as KubeObject, "update");
    const unmounted = await createPod("token-opted-out");
    expect(unmounted.status, unmounted.body.message).toBe(201);
    expect(unmounted.body.spec.volumes ?? []).toEqual([]);
    await writeBehind("serviceaccounts", "", "v1", { metadata: { name: "runner", namespace: NS } } as KubeObject, "delete");
    const refused = await createPod("no-account");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`pods "no-account" is forbidden: error looking up service account ${NS}/runner: serviceaccount "runner" not found`);
    expect((await callJson(`/api/v1/namespaces/${NS}/pods/no-account`)).status).toBe(404);
    // Back for the next cases.
    expect((await callJson(`/api/v1/namespaces/${NS}/serviceaccounts`, { method: "POST", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "runner" } } })).status).toBe(201);
  });

  it("sees a default PriorityClass written behind its back at the next create", async () => {
    const plain = await createPod("before-class");
    expect(plain.status, plain.body.message).toBe(201);
    expect(plain.body.spec.priority).toBe(0);
    await writeBehind("priorityclasses.scheduling.k8s.io", "scheduling.k8s.io", "v1", {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "snapshot-default" },
      value: 4242,
      globalDefault: true,
    } as KubeObject);
    try {
      const classed = await createPod("after-class");
      expect(classed.status, classed.body.message).toBe(201);
      expect(classed.body.spec).toMatchObject({ priority: 4242, priorityClassName: "snapshot-default" });
    } finally {
      await writeBehind("priorityclasses.scheduling.k8s.io", "scheduling.k8s.io", "v1", { metadata: { name: "snapshot-default" } } as KubeObject, "delete");
    }
  });

  it("refuses a create into a namespace that is gone or terminating, writing nothing", async () => {
    const missing = await callJson<{ message: string; reason: string }>(`/api/v1/namespaces/no-such-ns/configmaps`, {
      method: "POST",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ reason: "NotFound", message: 'namespaces "no-such-ns" not found' });
    const ns = "snapshots-going";
    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, finalizers: ["example.com/hold"] } } })).status).toBe(201);
    // The configmap's create reads nothing of the namespace first: its batch does.
    expect((await callJson(`/api/v1/namespaces/${ns}/configmaps`, { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "first" } } })).status).toBe(201);
    expect((await callJson(`/api/v1/namespaces/${ns}`, { method: "DELETE" })).status).toBe(200);
    const going = await callJson<{ message: string; reason: string }>(`/api/v1/namespaces/${ns}/configmaps`, {
      method: "POST",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "second" } },
    });
    expect(going.status).toBe(403);
    expect(going.body.message).toBe(`configmaps "" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    expect((await callJson(`/api/v1/namespaces/${ns}/configmaps/second`)).status).toBe(404);
  });
});
