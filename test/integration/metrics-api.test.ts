// The resource metrics API (metrics.k8s.io/v1beta1) through the worker: discovery finds
// it as kubectl looks for it, NodeMetrics and PodMetrics come from the kubelet's stats
// summary (the image programs' modelled usage, held to limits, load from requests
// served), selectors filter, and what it cannot serve is a Status.
import { describe, it, expect, beforeAll } from "vitest";
import { call, callJson } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;
const NODE = "kn-metrics";
const M = "/apis/metrics.k8s.io/v1beta1";
const BOOTCAMP = "gcr.io/google-samples/kubernetes-bootcamp:v1";

interface Usage {
  cpu: string;
  memory: string;
}
interface PodMetrics {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Usage }[];
}
interface NodeMetrics {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: Usage;
}

const busyLoop = { name: "loop", image: "busybox:1.37", command: ["sh", "-c", "while true; do true; done"] };

beforeAll(async () => {
  node = await startNode(NODE, clock);
  await createPod(boundPod("web", NODE));
  await createPod(
    boundPod("duo", NODE, {
      containers: [
        { name: "sleeper", image: "busybox:1.37", command: ["sleep", "3600"] },
        { ...busyLoop, resources: { limits: { cpu: "500m", memory: "64Mi" } } },
      ],
    }),
  );
  await createPod(boundPod("hot", NODE, { containers: [busyLoop] }));
  await createPod(boundPod("bc", NODE, { containers: [{ name: "app", image: BOOTCAMP, ports: [{ containerPort: 8080 }] }] }));
  // Never scheduled: no node runs it, so it has no metrics.
  await createPod({ apiVersion: "v1", kind: "Pod", metadata: { name: "pending" }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } });
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
  for (const name of ["web", "duo", "hot", "bc"]) expect((await getPod(name))?.status?.phase).toBe("Running");
});

describe("discovery", () => {
  it("lists metrics.k8s.io in the legacy and the aggregated group lists, and its resources", async () => {
    const legacy = await callJson<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>("/apis");
    expect(legacy.body.groups.find((g) => g.name === "metrics.k8s.io")?.preferredVersion.groupVersion).toBe("metrics.k8s.io/v1beta1");
    const agg = await call("/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    const doc = (await agg.json()) as { items: { metadata: { name?: string }; versions: { version: string; resources: { resource: string; scope: string; verbs: string[]; responseKind: { kind: string } }[] }[] }[] };
    const group = doc.items.find((g) => g.metadata.name === "metrics.k8s.io");
    expect(group?.versions[0].version).toBe("v1beta1");
    expect(group?.versions[0].resources.map((r) => [r.resource, r.scope, r.responseKind.kind, r.verbs.join(",")])).toEqual([
      ["nodes", "Cluster", "NodeMetrics", "get,list"],
      ["pods", "Namespaced", "PodMetrics", "get,list"],
    ]);
    const list = await callJson<{ groupVersion: string; resources: { name: string; kind: string; namespaced: boolean }[] }>(M);
    expect(list.status).toBe(200);
    expect(list.body.resources.map((r) => `${r.name}:${r.kind}:${r.namespaced}`)).toEqual(["nodes:NodeMetrics:false", "pods:PodMetrics:true"]);
    expect((await callJson<{ preferredVersion: { version: string } }>("/apis/metrics.k8s.io")).body.preferredVersion.version).toBe("v1beta1");
  });
});

describe("PodMetrics", () => {
  it("reports each image program's modelled usage, with timestamp and window", async () => {
    const web = await callJson<PodMetrics>(`${M}/namespaces/default/pods/web`);
    expect(web.status).toBe(200);
    expect(web.body.kind).toBe("PodMetrics");
    expect(web.body.apiVersion).toBe("metrics.k8s.io/v1beta1");
    expect(web.body.metadata.labels).toEqual({ app: "web" });
    expect(web.body.window).toBe("15s");
    expect(Date.parse(web.body.timestamp)).toBe(Math.floor(clock.t / 1000) * 1000);
    expect(web.body.containers).toEqual([{ name: "app", usage: { cpu: "1m", memory: "5Mi" } }]);
  });

  it("burns a core in a busy loop, held to the container's CPU limit; a sleeping shell costs nothing", async () => {
    const duo = await callJson<PodMetrics>(`${M}/namespaces/default/pods/duo`);
    expect(duo.body.containers).toEqual([
      { name: "loop", usage: { cpu: "500m", memory: "256Ki" } },
      { name: "sleeper", usage: { cpu: "0", memory: "256Ki" } },
    ]);
    const hot = await callJson<PodMetrics>(`${M}/namespaces/default/pods/hot`);
    expect(hot.body.containers[0].usage.cpu).toBe("1");
  });

  it("follows the requests a program served in the last window", async () => {
    const before = await callJson<PodMetrics>(`${M}/namespaces/default/pods/bc`);
    expect(before.body.containers[0].usage).toEqual({ cpu: "2m", memory: "20Mi" });
    for (let i = 0; i < 30; i++) expect((await call("/api/v1/namespaces/default/pods/bc:8080/proxy/")).status).toBe(200);
    // 30 requests of 4 ms over 15 s: 8m on top of the 2m idle.
    const loaded = await callJson<PodMetrics>(`${M}/namespaces/default/pods/bc`);
    expect(loaded.body.containers[0].usage.cpu).toBe("10m");
    // Once the window has passed, the load is gone again.
    clock.advance(16_000);
    const after = await callJson<PodMetrics>(`${M}/namespaces/default/pods/bc`);
    expect(after.body.containers[0].usage.cpu).toBe("2m");
  });

  it("lists by namespace, across namespaces and by label selector", async () => {
    const all = await callJson<{ kind: string; apiVersion: string; items: PodMetrics[] }>(`${M}/pods`);
    expect(all.body.kind).toBe("PodMetricsList");
    expect(all.body.items.map((p) => p.metadata.name).sort()).toEqual(["bc", "duo", "hot", "web"]);
    const ns = await callJson<{ items: PodMetrics[] }>(`${M}/namespaces/default/pods`);
    expect(ns.body.items).toHaveLength(4);
    const other = await callJson<{ items: PodMetrics[] }>(`${M}/namespaces/kube-system/pods`);
    expect(other.body.items).toEqual([]);
    const sel = await callJson<{ items: PodMetrics[] }>(`${M}/namespaces/default/pods?labelSelector=${encodeURIComponent("app in (web,hot)")}`);
    expect(sel.body.items.map((p) => p.metadata.name).sort()).toEqual(["hot", "web"]);
  });

  it("answers a missing pod, or one with no metrics, with metrics-server's NotFound", async () => {
    const missing = await callJson<{ reason: string; message: string }>(`${M}/namespaces/default/pods/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('pods "nope" not found');
    const pending = await callJson<{ reason: string; message: string }>(`${M}/namespaces/default/pods/pending`);
    expect(pending.status).toBe(404);
    expect(pending.body.reason).toBe("NotFound");
    expect(pending.body.message).toBe('podmetrics.metrics.k8s.io "default/pending" not found');
  });
});

describe("NodeMetrics", () => {
  it("is the sum of the node's pods plus the system's usage", async () => {
    const pods = await callJson<{ items: PodMetrics[] }>(`${M}/pods`);
    const milli = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const podCpu = pods.body.items.flatMap((p) => p.containers).reduce((n, c) => n + milli(c.usage.cpu), 0);
    const n = await callJson<NodeMetrics>(`${M}/nodes/${NODE}`);
    expect(n.status).toBe(200);
    expect(n.body.kind).toBe("NodeMetrics");
    expect(n.body.metadata.labels?.["kubernetes.io/hostname"]).toBe(NODE);
    expect(n.body.window).toBe("15s");
    expect(milli(n.body.usage.cpu)).toBe(podCpu + 40);
    const list = await callJson<{ kind: string; items: NodeMetrics[] }>(`${M}/nodes?labelSelector=kubernetes.io/hostname=${NODE}`);
    expect(list.body.kind).toBe("NodeMetricsList");
    expect(list.body.items.map((x) => x.metadata.name)).toEqual([NODE]);
    expect((await callJson<{ items: unknown[] }>(`${M}/nodes?labelSelector=kubernetes.io/hostname=elsewhere`)).body.items).toEqual([]);
  });

  it("answers a missing node with NotFound", async () => {
    const r = await callJson<{ message: string }>(`${M}/nodes/nope`);
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('nodes "nope" not found');
  });
});

describe("what it does not serve", () => {
  it("refuses watches and writes with 405, and unknown resources with 404", async () => {
    expect((await call(`${M}/pods?watch=true`)).status).toBe(405);
    const post = await callJson<{ kind: string; reason: string }>(`${M}/namespaces/default/pods`, { method: "POST", body: {} });
    expect(post.status).toBe(405);
    expect(post.body.reason).toBe("MethodNotAllowed");
    expect((await call(`${M}/namespaces/default/pods/web`, { method: "DELETE" })).status).toBe(405);
    expect((await call(`${M}/services`)).status).toBe(404);
  });
});
