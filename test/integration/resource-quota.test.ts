// ResourceQuota and LimitRange through the API worker and D1: a quota's status is
// counted when it is made, a create that would exceed it is refused with 403 and leaves
// everything as it was, creates racing for the last slot never both get it (the charge
// is in the create's own batch), and the resourcequota controller gives usage back when
// pods go away or finish. Pods name a scheduler nobody runs: only these tests write them.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, callJson, waitFor } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import { settleControllers } from "./controller-helpers";
import type { Pod, Status } from "../../src/model/types";
import type { ResourceQuota } from "../../src/model/quota-types";

async function namespace(name: string): Promise<void> {
  const res = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect(res.status).toBe(201);
}

function quotaBody(name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: { name }, spec: { hard, ...extra } };
}

function podBody(name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { schedulerName: "nobody", containers: [{ name: "app", image: "nginx:1.27", ...(resources ? { resources } : {}) }], ...extra },
  };
}

async function createQuota(ns: string, name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}): Promise<ResourceQuota> {
  const res = await callJson<ResourceQuota>(`/api/v1/namespaces/${ns}/resourcequotas`, { method: "POST", body: quotaBody(name, hard, extra) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const getQuota = async (ns: string, name: string) => (await callJson<ResourceQuota>(`/api/v1/namespaces/${ns}/resourcequotas/${name}`)).body;
const createPod = (ns: string, body: unknown) => callJson<Pod & { message?: string }>(`/api/v1/namespaces/${ns}/pods`, { method: "POST", body });
const podNames = async (ns: string) => (await callJson<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods`)).body.items.map((p) => p.metadata.name).sort();

describe("ResourceQuota", () => {
  it("counts what is there when made, charges a pod that fits, refuses one that does not and changes nothing", async () => {
    const ns = "quota-mem-cpu";
    await namespace(ns);
    expect((await createPod(ns, podBody("before", { requests: { memory: "100Mi", cpu: "100m" }, limits: { memory: "200Mi", cpu: "200m" } }))).status).toBe(201);
    const made = await createQuota(ns, "mem-cpu-demo", { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi" });
    expect(made.status).toEqual({
      hard: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi" },
      used: { "requests.cpu": "100m", "requests.memory": "100Mi", "limits.cpu": "200m", "limits.memory": "200Mi" },
    });

    const fits = await createPod(ns, podBody("quota-mem-cpu-demo", { requests: { memory: "600Mi", cpu: "400m" }, limits: { memory: "800Mi", cpu: "800m" } }));
    expect(fits.status).toBe(201);
    const charged = await getQuota(ns, "mem-cpu-demo");
    expect(charged.status?.used).toEqual({ "requests.cpu": "500m", "requests.memory": "700Mi", "limits.cpu": "1", "limits.memory": "1000Mi" });

    const refused = await createPod(ns, podBody("quota-mem-cpu-demo-2", { requests: { memory: "700Mi", cpu: "400m" }, limits: { memory: "1Gi", cpu: "800m" } }));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      code: 403,
      message: 'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=700Mi, limited: requests.memory=1Gi',
      details: { name: "quota-mem-cpu-demo-2", kind: "pods" },
    });
    expect(await podNames(ns)).toEqual(["before", "quota-mem-cpu-demo"]);
    const after = await getQuota(ns, "mem-cpu-demo");
    expect(after.metadata.resourceVersion).toBe(charged.metadata.resourceVersion);

    // A container that sets neither request nor limit is refused while compute is capped.
    const bare = await createPod(ns, podBody("bare"));
    expect(bare.status).toBe(403);
    expect(bare.body.message).toBe('pods "bare" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: app; limits.memory for: app; requests.cpu for: app; requests.memory for: app');

    // A server-side dry run is checked but charges nothing.
    const dry = await callJson<Status>(`/api/v1/namespaces/${ns}/pods?dryRun=All`, { method: "POST", body: podBody("dry", { requests: { memory: "100Mi", cpu: "100m" }, limits: { memory: "100Mi", cpu: "100m" } }) });
    expect(dry.status).toBe(201);
    expect((await getQuota(ns, "mem-cpu-demo")).metadata.resourceVersion).toBe(charged.metadata.resourceVersion);

    // A cap added later is counted at once (kubectl edit quota).
    const edited = await callJson<ResourceQuota>(`/api/v1/namespaces/${ns}/resourcequotas/mem-cpu-demo`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { hard: { pods: "5" } } } });
    expect(edited.status).toBe(200);
    expect(edited.body.status?.hard?.pods).toBe("5");
    expect(edited.body.status?.used).toMatchObject({ pods: "2", "requests.memory": "700Mi" });
    await callJson(`/api/v1/namespaces/${ns}/resourcequotas/mem-cpu-demo`, { method: "PATCH", contentType: "application/json-patch+json", body: [{ op: "remove", path: "/spec/hard/pods" }] });

    // The Table kubectl prints.
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(`/api/v1/namespaces/${ns}/resourcequotas`, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Age", "Request", "Limit"]);
    expect(table.body.rows[0].cells.slice(2)).toEqual(["requests.cpu: 500m/1, requests.memory: 700Mi/1Gi", "limits.cpu: 1/2, limits.memory: 1000Mi/2Gi"]);
  });

  it("lets exactly as many concurrent creates through as the quota has room for", async () => {
    const ns = "quota-race";
    await namespace(ns);
    await createQuota(ns, "pod-demo", { pods: "3" });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => createPod(ns, podBody(`racer-${i}`))));
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(3);
    expect(codes.filter((c) => c === 403)).toHaveLength(9);
    for (const r of results.filter((x) => x.status === 403)) expect(r.body.message).toMatch(/is forbidden: exceeded quota: pod-demo, requested: pods=1, used: pods=3, limited: pods=3$/);
    expect(await podNames(ns)).toHaveLength(3);
    expect((await getQuota(ns, "pod-demo")).status?.used).toEqual({ pods: "3" });
  });

  it("gives usage back when a pod is deleted or finishes (the resourcequota controller)", async () => {
    const ns = "quota-recount";
    await namespace(ns);
    await createQuota(ns, "pods", { pods: "2", "count/pods": "5", "requests.cpu": "1" });
    for (const name of ["a", "b"]) expect((await createPod(ns, podBody(name, { requests: { cpu: "200m" } }))).status).toBe(201);
    expect((await createPod(ns, podBody("c", { requests: { cpu: "200m" } }))).status).toBe(403);

    expect((await call(`/api/v1/namespaces/${ns}/pods/a?gracePeriodSeconds=0`, { method: "DELETE" })).status).toBe(200);
    await settleControllers();
    const afterDelete = await waitFor(async () => {
      const q = await getQuota(ns, "pods");
      return q.status?.used?.pods === "1" && q;
    }, "the quota to give back the deleted pod");
    expect(afterDelete.status?.used).toEqual({ pods: "1", "count/pods": "1", "requests.cpu": "200m" });

    // A finished pod no longer uses compute, but it still counts as an object.
    const finished = await callJson(`/api/v1/namespaces/${ns}/pods/b/status`, { method: "PATCH", contentType: "application/merge-patch+json", body: { status: { phase: "Succeeded" } } });
    expect(finished.status).toBe(200);
    await settleControllers();
    const afterFinish = await waitFor(async () => {
      const q = await getQuota(ns, "pods");
      return q.status?.used?.pods === "0" && q;
    }, "the quota to give back the finished pod");
    expect(afterFinish.status?.used).toEqual({ pods: "0", "count/pods": "1", "requests.cpu": "0" });
    expect((await createPod(ns, podBody("c", { requests: { cpu: "200m" } }))).status).toBe(201);
  });

  it("a namespace once seen without quotas is not read again, yet a quota made elsewhere meanwhile still holds", async () => {
    const ns = "quota-cache";
    await namespace(ns);
    expect((await createPod(ns, podBody("first"))).status).toBe(201);
    // Another isolate's write, which this one's registry never saw: straight into D1.
    const store = new ObjectStore(env.DB);
    const made = quotaBody("elsewhere", { pods: "1" });
    await store.create("resourcequotas", { ...made, metadata: { ...made.metadata, namespace: ns, uid: "u-elsewhere" }, status: { hard: { pods: "1" }, used: { pods: "1" } } });
    const refused = await createPod(ns, podBody("second"));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('pods "second" is forbidden: exceeded quota: elsewhere, requested: pods=1, used: pods=1, limited: pods=1');
    expect(await podNames(ns)).toEqual(["first"]);
  });

  it("a ReplicaSet makes the pods that fit and reports the rest as FailedCreate (docs: pod-quota-demo)", async () => {
    const ns = "quota-pod";
    await namespace(ns);
    await createQuota(ns, "pod-demo", { pods: "2" });
    const rs = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "pod-quota-demo" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "pod-quota-demo" } },
        template: { metadata: { labels: { app: "pod-quota-demo" } }, spec: { schedulerName: "nobody", containers: [{ name: "web", image: "nginx" }] } },
      },
    };
    expect((await callJson(`/apis/apps/v1/namespaces/${ns}/replicasets`, { method: "POST", body: rs })).status).toBe(201);
    const events = await waitFor(async () => {
      const evs = (await callJson<{ items: { reason: string; message: string; type: string }[] }>(`/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3Dpod-quota-demo`)).body.items;
      return evs.some((e) => e.reason === "FailedCreate") && evs;
    }, "a FailedCreate event");
    expect(await podNames(ns)).toHaveLength(2);
    const failed = events.find((e) => e.reason === "FailedCreate")!;
    expect(failed.type).toBe("Warning");
    expect(failed.message).toMatch(/^Error creating: pods "pod-quota-demo-[a-z0-9]{5}" is forbidden: exceeded quota: pod-demo, requested: pods=1, used: pods=2, limited: pods=2$/);
    expect(events.filter((e) => e.reason === "SuccessfulCreate")).toHaveLength(2);
  });

  it("caps the number of quotas too, a new quota counting itself", async () => {
    const ns = "quota-of-quotas";
    await namespace(ns);
    // The root-CA publisher's kube-root-ca.crt counts, as upstream: wait for it first.
    await waitFor(async () => (await callJson(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).status === 200, "kube-root-ca.crt published");
    const first = await createQuota(ns, "object-counts", { resourcequotas: "1", configmaps: "2" });
    expect(first.status?.used).toEqual({ resourcequotas: "1", configmaps: "1" });
    const second = await callJson<Status>(`/api/v1/namespaces/${ns}/resourcequotas`, { method: "POST", body: quotaBody("second", { pods: "1" }) });
    expect(second.status).toBe(403);
    expect(second.body.message).toBe('resourcequotas "second" is forbidden: exceeded quota: object-counts, requested: resourcequotas=1, used: resourcequotas=1, limited: resourcequotas=1');
    const cm = (name: string) => callJson(`/api/v1/namespaces/${ns}/configmaps`, { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "b" } } });
    expect((await cm("one")).status).toBe(201);
    expect((await cm("two")).status).toBe(403);
  });

  it("charges an update that adds usage (a Service made NodePort) and refuses it when it does not fit", async () => {
    const ns = "quota-services";
    await namespace(ns);
    await createQuota(ns, "svc", { services: "2", "services.nodeports": "1" });
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80, name: "http" }, { port: 443, name: "https" }] } };
    expect((await callJson(`/api/v1/namespaces/${ns}/services`, { method: "POST", body: svc })).status).toBe(201);
    const patch = await callJson<Status>(`/api/v1/namespaces/${ns}/services/web`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { type: "NodePort" } } });
    expect(patch.status).toBe(403);
    expect(patch.body.message).toBe('services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    expect((await callJson<{ spec: { type: string } }>(`/api/v1/namespaces/${ns}/services/web`)).body.spec.type).toBe("ClusterIP");
    expect((await getQuota(ns, "svc")).status?.used).toEqual({ services: "1", "services.nodeports": "0" });
  });

  it("validates its spec with upstream's messages", async () => {
    const res = await callJson<Status>("/api/v1/namespaces/default/resourcequotas", { method: "POST", body: quotaBody("bad", { pods: "1.5", gpus: "1" }) });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('ResourceQuota "bad" is invalid: [spec.hard[pods]: Invalid value: "1500m": must be an integer, spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota]');
  });
});

describe("LimitRange", () => {
  it("defaults a container's memory request and limit, and refuses what is over its max", async () => {
    const ns = "default-mem-example";
    await namespace(ns);
    const lr = {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "mem-limit-range" },
      spec: { limits: [{ type: "Container", default: { memory: "512Mi" }, defaultRequest: { memory: "256Mi" }, max: { memory: "1Gi" } }] },
    };
    expect((await callJson(`/api/v1/namespaces/${ns}/limitranges`, { method: "POST", body: lr })).status).toBe(201);

    const made = await createPod(ns, podBody("default-mem-demo"));
    expect(made.status).toBe(201);
    expect(made.body.spec.containers[0].resources).toEqual({ limits: { memory: "512Mi" }, requests: { memory: "256Mi" } });
    expect(made.body.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe("LimitRanger plugin set: memory request for container app; memory limit for container app");
    expect(made.body.status?.qosClass).toBe("Burstable");

    // A limit alone is the request too: the default request does not apply.
    const limitOnly = await createPod(ns, podBody("default-mem-demo-2", { limits: { memory: "1Gi" } }));
    expect(limitOnly.body.spec.containers[0].resources).toEqual({ limits: { memory: "1Gi" }, requests: { memory: "1Gi" } });

    const over = await createPod(ns, podBody("too-big", { limits: { memory: "1.5Gi" } }));
    expect(over.status).toBe(403);
    expect(over.body.message).toBe('pods "too-big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 1536Mi');
    expect(await podNames(ns)).toEqual(["default-mem-demo", "default-mem-demo-2"]);

    const bad = await callJson<Status>(`/api/v1/namespaces/${ns}/limitranges`, {
      method: "POST",
      body: { ...lr, metadata: { name: "bad" }, spec: { limits: [{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }] } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe('LimitRange "bad" is invalid: spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1');
  });
});
