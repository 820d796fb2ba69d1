// The HorizontalPodAutoscaler end to end inside workerd, on a stepped clock: a real node
// runs registry.k8s.io/hpa-example pods, requests through the pod proxy are their load,
// the controller manager reads their usage from the kubelet (the resource metrics
// pipeline), scales the Deployment up under load and back down once the load is gone
// and the (short) scale-down stabilization window has passed.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { call, callJson } from "./helpers";
import { FakeClock, lifecycleOf, startNode, type AgentStub } from "./node-helpers";
import { drainUntil } from "./fault-helpers";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { Scheduler } from "../../src/scheduler/scheduler-do";
import type { Deployment, Event, HorizontalPodAutoscaler, HorizontalPodAutoscalerV1, Pod } from "../../src/model/types";

const clock = new FakeClock();
const cm = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
const scheduler = env.SCHEDULER.get(env.SCHEDULER.idFromName("default-scheduler"));
const NS = "hpa";
const NODE = "kn-hpa";
const V1 = `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers`;
const V2 = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`;
let node: AgentStub;
let cluster: Parameters<typeof drainUntil>[0];

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "php-apache" },
  spec: {
    selector: { matchLabels: { run: "php-apache" } },
    template: {
      metadata: { labels: { run: "php-apache" } },
      // A small request: a few requests a second are well above 50% of it.
      spec: { nodeSelector: { "kubernetes.io/hostname": NODE }, containers: [{ name: "php-apache", image: "registry.k8s.io/hpa-example", ports: [{ containerPort: 80 }], resources: { requests: { cpu: "20m" } } }] },
    },
  },
};

const list = async <T>(path: string) => (await callJson<{ items: T[] }>(path)).body.items;
const pods = () => list<Pod>(`/api/v1/namespaces/${NS}/pods`);
const ready = (p: Pod) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !p.metadata.deletionTimestamp;
const replicas = async () => (await callJson<Deployment>(`/apis/apps/v1/namespaces/${NS}/deployments/php-apache`)).body.spec.replicas;
const hpaV2 = async () => (await callJson<HorizontalPodAutoscaler>(`${V2}/php-apache`)).body;
const hpaEvents = async () => (await list<Event>(`/api/v1/namespaces/${NS}/events`)).filter((e) => e.involvedObject.kind === "HorizontalPodAutoscaler");

beforeAll(async () => {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
  await runInDurableObject(cm, (m: ControllerManager) => m.useClock(clock.now));
  await runInDurableObject(scheduler, (s: Scheduler) => s.useClock(clock.now));
  node = await startNode(NODE, clock);
  cluster = { clock, timed: [node, lifecycleOf(NODE)], polled: [scheduler, cm] };
  expect((await callJson(`/apis/apps/v1/namespaces/${NS}/deployments`, { method: "POST", body: deployment })).status).toBe(201);
  await drainUntil(cluster, async () => (await pods()).some(ready), "the first php-apache pod to be ready");
});

describe("HorizontalPodAutoscaler", () => {
  it("is created as autoscaling/v1 (what kubectl autoscale sends) and read in both versions", async () => {
    const created = await callJson<HorizontalPodAutoscalerV1>(V1, {
      method: "POST",
      body: { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "php-apache" }, spec: { scaleTargetRef: { kind: "Deployment", name: "php-apache", apiVersion: "apps/v1" }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } },
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.targetCPUUtilizationPercentage).toBe(50);
    const v2 = await hpaV2();
    expect(v2.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }]);
    // A short scale-down window, set on the v2 object; v1 readers see it in the annotation.
    const patched = await callJson<HorizontalPodAutoscaler>(`${V2}/php-apache`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 20 } } } } });
    expect(patched.status).toBe(200);
    expect(patched.body.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 20, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });
    const v1 = (await callJson<HorizontalPodAutoscalerV1>(`${V1}/php-apache`)).body;
    expect(JSON.parse(v1.metadata.annotations?.["autoscaling.alpha.kubernetes.io/behavior"] ?? "{}").scaleDown.stabilizationWindowSeconds).toBe(20);
    // Invalid bounds are a 422 with upstream's message, and change nothing.
    const bad = await callJson<{ reason: string; message: string }>(V1, { method: "POST", body: { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "bad" }, spec: { scaleTargetRef: { kind: "Deployment", name: "x" }, minReplicas: 3, maxReplicas: 2 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe('HorizontalPodAutoscaler.autoscaling "bad" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  });

  it("measures the pods' utilization and shows it as kubectl get hpa does", async () => {
    const measured = await drainUntil(cluster, async () => {
      const h = await hpaV2();
      return h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined && h;
    }, "a first measurement");
    expect(measured.status?.conditions?.find((c) => c.type === "ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound" });
    const table = await callJson<{ rows: { cells: unknown[] }[] }>(`${V2}/php-apache`, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.rows[0].cells.slice(0, 6)).toEqual(["php-apache", "Deployment/php-apache", expect.stringMatching(/^cpu: \d+%\/50%$/), "1", 5, 1]);
  });

  it("scales the Deployment up under load", async () => {
    const target = (await pods()).find(ready)!;
    // A steady load while the clock moves: a few requests at every step.
    await drainUntil(cluster, async () => {
      for (let i = 0; i < 3; i++) expect((await call(`/api/v1/namespaces/${NS}/pods/${target.metadata.name}:80/proxy/`)).status).toBe(200);
      return ((await replicas()) ?? 1) > 1;
    }, "the HPA to scale up", { timeoutMs: 90_000 });
    const events = await hpaEvents();
    expect(events.map((e) => e.message)).toContainEqual(expect.stringMatching(/^New size: [2-5]; reason: cpu resource utilization \(percentage of request\) above target$/));
    expect(events.find((e) => e.reason === "SuccessfulRescale")?.source?.component).toBe("horizontal-pod-autoscaler");
    const h = await hpaV2();
    expect(h.status?.lastScaleTime).toBeDefined();
    expect(h.status?.conditions?.find((c) => c.type === "AbleToScale")?.reason).toBe("SucceededRescale");
  });

  it("scales back down once the load is gone and the stabilization window has passed", async () => {
    await drainUntil(cluster, async () => (await replicas()) === 1, "the HPA to scale down", { timeoutMs: 120_000 });
    expect((await hpaEvents()).map((e) => e.message)).toContain("New size: 1; reason: All metrics below target");
    const v1 = (await callJson<HorizontalPodAutoscalerV1>(`${V1}/php-apache`)).body;
    expect(v1.status?.currentCPUUtilizationPercentage).toBeLessThan(50);
    console.log(`hpa: ${(await hpaEvents()).map((e) => `${e.reason}: ${e.message}`).join(" | ")}`);
  });

  it("a target that does not exist: FailedGetScale, one event whose count grows with each sync", async () => {
    const ghost = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "ghost" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "nope" }, maxReplicas: 3 } };
    expect((await callJson(V2, { method: "POST", body: ghost })).status).toBe(201);
    const about = async () => (await hpaEvents()).filter((e) => e.involvedObject.name === "ghost");
    await drainUntil(cluster, async () => (await about()).some((e) => (e.count ?? 1) >= 3), "three syncs of the ghost HPA");
    const events = await about();
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([["Warning", "FailedGetScale", 'deployments.apps "nope" not found']]);
    const h = (await callJson<HorizontalPodAutoscaler>(`${V2}/ghost`)).body;
    expect(h.spec.minReplicas).toBe(1);
    expect(h.status?.conditions?.find((c) => c.type === "AbleToScale")).toMatchObject({ status: "False", reason: "FailedGetScale", message: 'the HPA controller was unable to get the target\'s current scale: deployments.apps "nope" not found' });
  });
});
