// The HorizontalPodAutoscaler's sync as a pure planner (horizontal.go reconcileAutoscaler):
// the HPA, its scale target's replicas and selector, the selected pods and their measured
// usage, the controller's history and the time in; the replica count to write, the new
// status (conditions with upstream's reasons and messages) and the events out.
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus, Pod } from "../model/types";
import { isoSeconds } from "../config";
import { cpuMillis, formatCpu, memoryBytes, canonicalQuantity } from "../model/quantity";
import { jsonEqual } from "../model/validate-pod";
import { rawResourceReplicas, resourceReplicas, type CalculatorConfig, type PodMetric } from "./hpa-replica-calculator";
import { normalizeReplicas, recordInitial, recordScaleEvent, type HPAHistory } from "./hpa-behavior";

/** What the scale subresource of the target says (autoscaling/v1 Scale). */
export interface ScaleView {
  replicas: number;
  /** status.selector, serialized ("app=web"); "" when the target has none. */
  selector: string;
}

/** A pod's measured usage as the resource metrics API reports it. */
export interface PodUsage {
  cpuMillis: number;
  memoryBytes: number;
  containers: { name: string; cpuMillis: number; memoryBytes: number }[];
  timestamp: number;
  windowMs: number;
}

export interface HPAPlanInput {
  hpa: HorizontalPodAutoscaler;
  /** The target's scale, or why it could not be read. */
  scale: ScaleView | { error: string };
  /** The pods the scale's selector selects. */
  pods: Pod[];
  /** By pod name; pods without metrics are absent. */
  usage: Map<string, PodUsage>;
  /** Mutated: the recommendation and scale event of this sync are recorded. */
  history: HPAHistory;
  now: number;
  calculator: CalculatorConfig;
  downscaleStabilizationMs: number;
}

export interface HPAEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface HPAPlan {
  /** Write this replica count through the target's scale (absent: leave it). */
  rescale?: number;
  /** The reason given in the SuccessfulRescale event. */
  rescaleReason?: string;
  status: HorizontalPodAutoscalerStatus;
  statusChanged: boolean;
  /** Events of the sync, in order; SuccessfulRescale is added once the write succeeded. */
  events: HPAEvent[];
}

type Conditions = HorizontalPodAutoscalerCondition[];

/** setCondition: a new status moves lastTransitionTime; reason and message always follow. */
function setCondition(list: Conditions, type: string, status: "True" | "False", reason: string, message: string, now: number): void {
  const i = list.findIndex((c) => c.type === type);
  const prev = list[i];
  const next = { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : isoSeconds(now), reason, message };
  if (i >= 0) list[i] = next;
  else list.push(next);
}

interface MetricResult {
  replicas: number;
  name: string;
  status: MetricStatus;
}
interface MetricFailure {
  reason: string;
  /** The error as the computation reports it (the metric-specific event's message). */
  error: string;
  /** The error wrapped as computeReplicasForMetric does. */
  wrapped: string;
}

const milliToCpu = (m: number) => formatCpu(m);
const milliToMemory = (m: number) => canonicalQuantity(String(Math.trunc(m / 1000)));

function resourceMetric(input: HPAPlanInput, replicas: number, name: string, container: string | undefined, target: MetricTarget): { ok: true; replicas: number; current: MetricValueStatus; metricName: string } | { ok: false; error: string } {
  const metrics = new Map<string, PodMetric>();
  for (const [pod, u] of input.usage) {
    const values = container ? u.containers.filter((c) => c.name === container) : [u];
    if (container && values.length === 0) return { ok: false, error: `failed to get container metrics: container ${container} not present in metrics for pod ${input.hpa.metadata.namespace}/${pod}` };
    const v = values.reduce((s, c) => s + (name === "cpu" ? c.cpuMillis : name === "memory" ? c.memoryBytes * 1000 : 0), 0);
    metrics.set(pod, { value: v, timestamp: u.timestamp, windowMs: u.windowMs });
  }
  const base = { currentReplicas: replicas, resource: name, container, pods: input.pods, metrics, now: input.now, config: input.calculator };
  const format = name === "cpu" ? milliToCpu : milliToMemory;
  if (target.averageValue !== undefined && target.averageValue !== null) {
    const targetMilli = name === "cpu" ? cpuMillis(target.averageValue) : memoryBytes(target.averageValue) * 1000;
    const r = rawResourceReplicas(base, targetMilli);
    if (!r.ok) return { ok: false, error: `failed to get ${name} utilization: ${r.error}` };
    return { ok: true, replicas: r.replicas, current: { averageValue: format(r.usage) }, metricName: `${name} resource` };
  }
  if (target.averageUtilization === undefined || target.averageUtilization === null) {
    return { ok: false, error: "invalid resource metric source: neither an average utilization target nor an average value target was set" };
  }
  const r = resourceReplicas(base, target.averageUtilization);
  if (!r.ok) return { ok: false, error: `failed to get ${name} utilization: ${r.error}` };
  const metricName = container ? `${name} container resource utilization (percentage of request)` : `${name} resource utilization (percentage of request)`;
  return { ok: true, replicas: r.replicas, current: { averageUtilization: r.utilization, averageValue: format(r.rawUtilization) }, metricName };
}

/** computeReplicasForMetric: one metric's proposal, or why it has none. */
function computeMetric(input: HPAPlanInput, spec: MetricSpec, replicas: number): MetricResult | MetricFailure {
  switch (spec.type) {
    case "Resource": {
      const src = spec.resource!;
      const r = resourceMetric(input, replicas, src.name, undefined, src.target);
      if (!r.ok) return { reason: "FailedGetResourceMetric", error: r.error, wrapped: `failed to get ${src.name} resource metric value: ${r.error}` };
      return { replicas: r.replicas, name: r.metricName, status: { type: "Resource", resource: { name: src.name, current: r.current } } };
    }
    case "ContainerResource": {
      const src = spec.containerResource!;
      const r = resourceMetric(input, replicas, src.name, src.container, src.target);
      if (!r.ok) return { reason: "FailedGetContainerResourceMetric", error: r.error, wrapped: `failed to get ${src.container} container metric value: ${r.error}` };
      return { replicas: r.replicas, name: r.metricName, status: { type: "ContainerResource", containerResource: { name: src.name, container: src.container, current: r.current } } };
    }
    case "Pods": {
      // No custom metrics adapter is registered in this cluster: only resource metrics exist.
      const error = `unable to get metric ${spec.pods?.metric.name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: "FailedGetPodsMetric", error, wrapped: `failed to get pods metric value: ${error}` };
    }
    case "Object": {
      const error = `unable to get metric ${spec.object?.metric.name}: ${spec.object?.describedObject.kind} on ${input.hpa.metadata.namespace} ${spec.object?.describedObject.name}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`;
      return { reason: "FailedGetObjectMetric", error, wrapped: `failed to get object metric value: ${error}` };
    }
    case "External": {
      const error = `unable to get external metric ${input.hpa.metadata.namespace}/${spec.external?.metric.name}/nil: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered`;
      return { reason: "FailedGetExternalMetric", error, wrapped: `failed to get ${spec.external?.metric.name} external metric value: ${error}` };
    }
    default: {
      const error = `unknown metric source type "${spec.type}"`;
      return { reason: "InvalidMetricSourceType", error, wrapped: error };
    }
  }
}

export function planHPA(input: HPAPlanInput): HPAPlan {
  const { hpa, now } = input;
  const spec = hpa.spec;
  const old = hpa.status ?? { desiredReplicas: 0 };
  const conditions: Conditions = structuredClone(old.conditions ?? []);
  const events: HPAEvent[] = [];
  const finish = (status: HorizontalPodAutoscalerStatus, extra: Partial<HPAPlan> = {}): HPAPlan => {
    const next = { ...status, conditions };
    if (!next.currentMetrics?.length) delete next.currentMetrics;
    if (next.lastScaleTime === undefined) delete next.lastScaleTime;
    return { status: next, statusChanged: !jsonEqual(next, old as never), events, ...extra };
  };

  if ("error" in input.scale) {
    events.push({ type: "Warning", reason: "FailedGetScale", message: input.scale.error });
    setCondition(conditions, "AbleToScale", "False", "FailedGetScale", `the HPA controller was unable to get the target's current scale: ${input.scale.error}`, now);
    return finish({ ...old });
  }
  setCondition(conditions, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
  const current = input.scale.replicas;
  recordInitial(input.history, current, now);
  const minReplicas = spec.minReplicas ?? 1;
  const base = { observedGeneration: hpa.metadata.generation, lastScaleTime: old.lastScaleTime, currentReplicas: current };

  let desired = 0;
  let reason = "";
  let statuses: MetricStatus[] = [];
  let rescale = true;
  if (current === 0 && minReplicas !== 0) {
    desired = 0;
    rescale = false;
    setCondition(conditions, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", now);
  } else if (current > spec.maxReplicas) {
    reason = "Current number of replicas above Spec.MaxReplicas";
    desired = spec.maxReplicas;
  } else if (current < minReplicas) {
    reason = "Current number of replicas below Spec.MinReplicas";
    desired = minReplicas;
  } else {
    // computeReplicasForMetrics: the selector first, then each metric; the largest proposal wins.
    if (!input.scale.selector) {
      const msg = "selector is required";
      events.push({ type: "Warning", reason: "SelectorRequired", message: msg });
      setCondition(conditions, "ScalingActive", "False", "InvalidSelector", msg, now);
      events.push({ type: "Warning", reason: "FailedComputeMetricsReplicas", message: msg });
      return finish({ ...base, desiredReplicas: old.desiredReplicas ?? 0, currentMetrics: old.currentMetrics });
    }
    const metrics = spec.metrics ?? [];
    let best = -1;
    let bestName = "";
    let invalid = 0;
    let first: MetricFailure | undefined;
    statuses = metrics.map(() => ({ type: "" }));
    metrics.forEach((m, i) => {
      const r = computeMetric(input, m, current);
      if ("error" in r) {
        if (!first) first = r;
        invalid++;
        // getUnableComputeReplicaCountCondition records the metric's own event.
        events.push({ type: "Warning", reason: r.reason, message: r.error });
        return;
      }
      statuses[i] = r.status;
      if (best === -1 || r.replicas > best) {
        best = r.replicas;
        bestName = r.name;
      }
    });
    statuses = statuses.filter((s) => s.type !== "");
    if (first && (invalid >= metrics.length || best < current)) {
      setCondition(conditions, "ScalingActive", "False", first.reason, `the HPA was unable to compute the replica count: ${first.error}`, now);
      events.push({ type: "Warning", reason: "FailedComputeMetricsReplicas", message: `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${first.wrapped}` });
      return finish({ ...base, desiredReplicas: old.desiredReplicas ?? 0, currentMetrics: statuses });
    }
    setCondition(conditions, "ScalingActive", "True", "ValidMetricFound", `the HPA was able to successfully calculate a replica count from ${bestName}`, now);
    desired = Math.max(best, 0);
    if (desired > current) reason = `${bestName} above target`;
    if (desired < current) reason = "All metrics below target";
    const n = normalizeReplicas({ history: input.history, now, currentReplicas: current, desiredReplicas: desired, minReplicas, maxReplicas: spec.maxReplicas, behavior: spec.behavior, downscaleStabilizationMs: input.downscaleStabilizationMs });
    setCondition(conditions, "AbleToScale", "True", n.ableReason, n.ableMessage, now);
    setCondition(conditions, "ScalingLimited", n.limited ? "True" : "False", n.limitReason, n.limitMessage, now);
    desired = n.replicas;
    rescale = desired !== current;
  }

  if (!rescale) return finish({ ...base, desiredReplicas: current === 0 && minReplicas !== 0 ? 0 : current, currentMetrics: statuses });
  recordScaleEvent(input.history, spec.behavior, now, current, desired);
  setCondition(conditions, "AbleToScale", "True", "SucceededRescale", `the HPA controller was able to update the target scale to ${desired}`, now);
  return finish({ ...base, desiredReplicas: desired, currentMetrics: statuses, lastScaleTime: isoSeconds(now) }, { rescale: desired, rescaleReason: reason });
}

/** The write of the new scale failed: FailedRescale, and AbleToScale says why (the status keeps the old size). */
export function rescaleFailed(hpa: HorizontalPodAutoscaler, plan: HPAPlan, error: string, now: number): HPAPlan {
  const conditions = structuredClone(plan.status.conditions ?? []);
  setCondition(conditions, "AbleToScale", "False", "FailedUpdateScale", `the HPA controller was unable to update the target scale: ${error}`, now);
  const status = { ...plan.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, lastScaleTime: hpa.status?.lastScaleTime, conditions };
  if (status.lastScaleTime === undefined) delete status.lastScaleTime;
  return {
    status,
    statusChanged: true,
    events: [...plan.events, { type: "Warning", reason: "FailedRescale", message: `New size: ${plan.rescale}; reason: ${plan.rescaleReason}; error: ${error}` }],
  };
}

/** The event after a successful rescale. */
export function rescaleEvent(plan: HPAPlan): HPAEvent {
  return { type: "Normal", reason: "SuccessfulRescale", message: `New size: ${plan.rescale}; reason: ${plan.rescaleReason}` };
}
