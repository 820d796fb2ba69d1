// One HPA sync as a plan: the replica count, the status (conditions, current metrics)
// and the events, in upstream's words.
import { describe, it, expect } from "vitest";
import { planHPA, rescaleEvent, rescaleFailed, type HPAPlanInput, type PodUsage } from "../../src/controllers/hpa-plan";
import { emptyHistory } from "../../src/controllers/hpa-behavior";
import { DEFAULT_CALCULATOR_CONFIG } from "../../src/controllers/hpa-replica-calculator";
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, Pod } from "../../src/model/types";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function hpa(spec: Partial<HorizontalPodAutoscaler["spec"]> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "php-apache", namespace: "default", uid: "hpa-1", generation: 2, resourceVersion: "7" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
      ...spec,
    },
    status: { desiredReplicas: 0 },
  };
}

function pod(name: string, request: string | null = "200m"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { run: "php-apache" } },
    spec: { containers: [{ name: "php-apache", image: "registry.k8s.io/hpa-example", ...(request ? { resources: { requests: { cpu: request } } } : {}) }] },
    status: { phase: "Running", startTime: iso(NOW - 3_600_000), conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(NOW - 3_590_000) }] },
  } as Pod;
}

const use = (cpuMillis: number): PodUsage => ({ cpuMillis, memoryBytes: 10 << 20, containers: [{ name: "php-apache", cpuMillis, memoryBytes: 10 << 20 }], timestamp: NOW - 1000, windowMs: 15_000 });

function input(o: Partial<HPAPlanInput> = {}): HPAPlanInput {
  return {
    hpa: hpa(),
    scale: { replicas: 1, selector: "run=php-apache" },
    pods: [pod("php-apache-1")],
    usage: new Map([["php-apache-1", use(610)]]),
    history: emptyHistory(),
    now: NOW,
    calculator: DEFAULT_CALCULATOR_CONFIG,
    downscaleStabilizationMs: 300_000,
    ...o,
  };
}

const cond = (list: HorizontalPodAutoscalerCondition[] | undefined, type: string) => list?.find((c) => c.type === type);

describe("an HPA sync", () => {
  it("scales up under load: at most 4 from 1, with the walkthrough's event and conditions", () => {
    const plan = planHPA(input());
    expect(plan.rescale).toBe(4);
    expect(rescaleEvent(plan)).toEqual({ type: "Normal", reason: "SuccessfulRescale", message: "New size: 4; reason: cpu resource utilization (percentage of request) above target" });
    expect(plan.status).toMatchObject({ observedGeneration: 2, currentReplicas: 1, desiredReplicas: 4, lastScaleTime: iso(NOW) });
    expect(plan.status.currentMetrics).toEqual([{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 305, averageValue: "610m" } } }]);
    expect(cond(plan.status.conditions, "AbleToScale")).toMatchObject({ status: "True", reason: "SucceededRescale", message: "the HPA controller was able to update the target scale to 4" });
    expect(cond(plan.status.conditions, "ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound", message: "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)" });
    expect(cond(plan.status.conditions, "ScalingLimited")).toMatchObject({ status: "True", reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" });
    expect(plan.statusChanged).toBe(true);
  });

  it("holds a scale down for the stabilization window, then scales to what the metrics say", () => {
    const pods = [1, 2, 3, 4, 5, 6, 7].map((i) => pod(`php-apache-${i}`));
    const idle = new Map(pods.map((p) => [p.metadata.name!, use(1)]));
    const history = emptyHistory();
    history.recommendations.push({ t: NOW - 60_000, replicas: 7 });
    const held = planHPA(input({ scale: { replicas: 7, selector: "run=php-apache" }, pods, usage: idle, history }));
    expect(held.rescale).toBeUndefined();
    expect(cond(held.status.conditions, "AbleToScale")).toMatchObject({ reason: "ScaleDownStabilized" });
    expect(held.status.desiredReplicas).toBe(7);
    // A behavior with a short window lets it go at once.
    const later = planHPA(input({ hpa: hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } }), scale: { replicas: 7, selector: "run=php-apache" }, pods, usage: idle, history }));
    expect(later.rescale).toBe(1);
    expect(later.rescaleReason).toBe("All metrics below target");
  });

  it("a pod without a cpu request: FailedGetResourceMetric, FailedComputeMetricsReplicas, ScalingActive False", () => {
    const plan = planHPA(input({ pods: [pod("php-apache-1", null)] }));
    expect(plan.rescale).toBeUndefined();
    const err = "failed to get cpu utilization: missing request for cpu in container php-apache of Pod php-apache-1";
    expect(plan.events).toEqual([
      { type: "Warning", reason: "FailedGetResourceMetric", message: err },
      { type: "Warning", reason: "FailedComputeMetricsReplicas", message: `invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${err}` },
    ]);
    expect(cond(plan.status.conditions, "ScalingActive")).toMatchObject({ status: "False", reason: "FailedGetResourceMetric", message: `the HPA was unable to compute the replica count: ${err}` });
    expect(plan.status.currentReplicas).toBe(1);
  });

  it("no metrics yet: the target shows <unknown> (no current metrics) and nothing is scaled", () => {
    const plan = planHPA(input({ usage: new Map() }));
    expect(plan.rescale).toBeUndefined();
    expect(plan.status.currentMetrics).toBeUndefined();
    expect(cond(plan.status.conditions, "ScalingActive")?.message).toBe("the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API");
  });

  it("a missing target: FailedGetScale", () => {
    const plan = planHPA(input({ scale: { error: 'deployments.apps "php-apache" not found' } }));
    expect(plan.events).toEqual([{ type: "Warning", reason: "FailedGetScale", message: 'deployments.apps "php-apache" not found' }]);
    expect(cond(plan.status.conditions, "AbleToScale")).toMatchObject({ status: "False", reason: "FailedGetScale", message: 'the HPA controller was unable to get the target\'s current scale: deployments.apps "php-apache" not found' });
  });

  it.each([
    ["a target at zero replicas disables scaling", 0, undefined, "ScalingActive", "ScalingDisabled"],
    ["above maxReplicas: back to max", 12, 10, "AbleToScale", "SucceededRescale"],
  ] as const)("%s", (_c, replicas, rescale, type, reason) => {
    const plan = planHPA(input({ scale: { replicas, selector: "run=php-apache" } }));
    expect(plan.rescale).toBe(rescale);
    expect(cond(plan.status.conditions, type)?.reason).toBe(reason);
  });

  it("keeps lastTransitionTime while a condition's status holds, and writes nothing when nothing changed", () => {
    const first = planHPA(input({ usage: new Map([["php-apache-1", use(100)]]) }));
    expect(first.rescale).toBeUndefined();
    const h = hpa();
    h.status = first.status;
    const again = planHPA(input({ hpa: h, now: NOW + 15_000, usage: new Map([["php-apache-1", use(100)]]) }));
    expect(cond(again.status.conditions, "ScalingActive")?.lastTransitionTime).toBe(iso(NOW));
    expect(again.statusChanged).toBe(false);
  });

  it("a failed rescale: FailedRescale and AbleToScale False, the old desired count kept", () => {
    const plan = planHPA(input());
    const failed = rescaleFailed(hpa(), plan, "Operation cannot be fulfilled", NOW);
    expect(failed.events.at(-1)).toEqual({ type: "Warning", reason: "FailedRescale", message: "New size: 4; reason: cpu resource utilization (percentage of request) above target; error: Operation cannot be fulfilled" });
    expect(cond(failed.status.conditions, "AbleToScale")).toMatchObject({ status: "False", reason: "FailedUpdateScale" });
    expect(failed.status.desiredReplicas).toBe(0);
  });

  it("custom metrics have no adapter here: FailedGetPodsMetric", () => {
    const plan = planHPA(input({ hpa: hpa({ metrics: [{ type: "Pods", pods: { metric: { name: "packets-per-second" }, target: { type: "AverageValue", averageValue: "1k" } } }] }) }));
    expect(plan.events[0]).toMatchObject({ type: "Warning", reason: "FailedGetPodsMetric" });
    expect(plan.rescale).toBeUndefined();
  });
});
