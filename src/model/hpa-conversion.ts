// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler, as the API server converts
// them (pkg/apis/autoscaling/v1/conversion.go): v1 has one field, the CPU utilization
// target; what v2 says beyond it travels in annotations of the v1 object, so a v1
// client that reads, changes and writes back an object loses nothing:
//   autoscaling.alpha.kubernetes.io/metrics          spec.metrics other than the CPU target (v1 MetricSpec JSON)
//   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics (v1 MetricStatus JSON)
//   autoscaling.alpha.kubernetes.io/behavior         spec.behavior
//   autoscaling.alpha.kubernetes.io/conditions       status.conditions
// Stored objects never carry these annotations (v2 drops them on the way in).
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1, MetricSpec, MetricStatus, MetricTarget } from "./autoscaling-types";

export const METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
export const BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
const ROUND_TRIP = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION];

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The metric v1 carries in its own field: a Resource cpu metric with a Utilization target. */
function isCpuUtilization(m: MetricSpec): boolean {
  return m?.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.averageUtilization !== undefined && m.resource.target.averageUtilization !== null;
}

function dropRoundTrip(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  // Not a map: left as sent, for validation to reject with the usual type error.
  if (typeof annotations !== "object" || Array.isArray(annotations)) return annotations;
  const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !ROUND_TRIP.includes(k)));
  return Object.keys(kept).length ? kept : undefined;
}

/** A v2 target as v1 spells it: targetAverageUtilization, targetAverageValue, targetValue. */
function v1Target(t: MetricTarget | undefined): Json {
  return defined({ targetAverageUtilization: t?.averageUtilization, targetAverageValue: t?.averageValue, targetValue: t?.value });
}

function v2Target(s: Json): MetricTarget {
  if (s.targetAverageUtilization !== undefined) return { type: "Utilization", averageUtilization: s.targetAverageUtilization as number };
  if (s.targetAverageValue !== undefined) return { type: "AverageValue", averageValue: s.targetAverageValue as string };
  if (s.averageValue !== undefined) return { type: "AverageValue", averageValue: s.averageValue as string };
  return { type: "Value", value: s.targetValue as string };
}

function metricSpecToV1(m: MetricSpec): Json {
  switch (m.type) {
    case "Resource":
      return { type: m.type, resource: { name: m.resource?.name, ...v1Target(m.resource?.target) } };
    case "ContainerResource":
      return { type: m.type, containerResource: { name: m.containerResource?.name, container: m.containerResource?.container, ...v1Target(m.containerResource?.target) } };
    case "Pods":
      return { type: m.type, pods: defined({ metricName: m.pods?.metric.name, selector: m.pods?.metric.selector, targetAverageValue: m.pods?.target.averageValue }) };
    case "Object":
      return {
        type: m.type,
        object: defined({ target: m.object?.describedObject, metricName: m.object?.metric.name, selector: m.object?.metric.selector, targetValue: m.object?.target.value, averageValue: m.object?.target.averageValue }),
      };
    case "External":
      return { type: m.type, external: defined({ metricName: m.external?.metric.name, metricSelector: m.external?.metric.selector, targetValue: m.external?.target.value, targetAverageValue: m.external?.target.averageValue }) };
    default:
      return { ...m };
  }
}

function metricSpecFromV1(m: Json): MetricSpec {
  const id = (s: Json, selector: unknown) => defined({ name: s.metricName as string, selector }) as { name: string };
  switch (m.type) {
    case "Resource": {
      const r = obj(m.resource);
      return { type: "Resource", resource: { name: r.name as string, target: v2Target(r) } };
    }
    case "ContainerResource": {
      const r = obj(m.containerResource);
      return { type: "ContainerResource", containerResource: { name: r.name as string, container: r.container as string, target: v2Target(r) } };
    }
    case "Pods": {
      const p = obj(m.pods);
      return { type: "Pods", pods: { metric: id(p, p.selector), target: { type: "AverageValue", averageValue: p.targetAverageValue as string } } };
    }
    case "Object": {
      const o = obj(m.object);
      return { type: "Object", object: { describedObject: o.target as never, metric: id(o, o.selector), target: v2Target(o) } };
    }
    case "External": {
      const e = obj(m.external);
      return { type: "External", external: { metric: id(e, e.metricSelector), target: v2Target(e) } };
    }
    default:
      return m as unknown as MetricSpec;
  }
}

function metricStatusToV1(m: MetricStatus): Json {
  switch (m.type) {
    case "Resource":
      return { type: m.type, resource: defined({ name: m.resource?.name, currentAverageUtilization: m.resource?.current.averageUtilization, currentAverageValue: m.resource?.current.averageValue }) };
    case "ContainerResource":
      return {
        type: m.type,
        containerResource: defined({ name: m.containerResource?.name, container: m.containerResource?.container, currentAverageUtilization: m.containerResource?.current.averageUtilization, currentAverageValue: m.containerResource?.current.averageValue }),
      };
    case "Pods":
      return { type: m.type, pods: defined({ metricName: m.pods?.metric.name, selector: m.pods?.metric.selector, currentAverageValue: m.pods?.current.averageValue }) };
    case "Object":
      return { type: m.type, object: defined({ target: m.object?.describedObject, metricName: m.object?.metric.name, selector: m.object?.metric.selector, currentValue: m.object?.current.value, averageValue: m.object?.current.averageValue }) };
    case "External":
      return { type: m.type, external: defined({ metricName: m.external?.metric.name, metricSelector: m.external?.metric.selector, currentValue: m.external?.current.value, currentAverageValue: m.external?.current.averageValue }) };
    default:
      return { ...m };
  }
}

function metricStatusFromV1(m: Json): MetricStatus {
  const id = (s: Json, selector: unknown) => defined({ name: s.metricName as string, selector }) as { name: string };
  switch (m.type) {
    case "Resource": {
      const r = obj(m.resource);
      return { type: "Resource", resource: { name: r.name as string, current: defined({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) } };
    }
    case "ContainerResource": {
      const r = obj(m.containerResource);
      return { type: "ContainerResource", containerResource: { name: r.name as string, container: r.container as string, current: defined({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) } };
    }
    case "Pods": {
      const p = obj(m.pods);
      return { type: "Pods", pods: { metric: id(p, p.selector), current: defined({ averageValue: p.currentAverageValue }) } };
    }
    case "Object": {
      const o = obj(m.object);
      return { type: "Object", object: { describedObject: o.target as never, metric: id(o, o.selector), current: defined({ value: o.currentValue, averageValue: o.averageValue }) } };
    }
    case "External": {
      const e = obj(m.external);
      return { type: "External", external: { metric: id(e, e.metricSelector), current: defined({ value: e.currentValue, averageValue: e.currentAverageValue }) } };
    }
    default:
      return m as unknown as MetricStatus;
  }
}

/** JSON held in an annotation; one that does not parse is a 400 upstream (decoding fails). */
function parseAnnotation<T>(annotations: Record<string, string> | undefined, key: string): T | undefined {
  const text = annotations && typeof annotations === "object" ? annotations[key] : undefined;
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new AnnotationError(key);
  }
}

export class AnnotationError extends Error {
  constructor(readonly annotation: string) {
    super(`the ${annotation} annotation is not valid JSON`);
  }
}

/** The stored (v2) object as an autoscaling/v1 client sees it. */
export function hpaToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const spec = obj(hpa.spec) as unknown as HorizontalPodAutoscaler["spec"];
  const status = hpa.status;
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const annotations: Record<string, string> = { ...(dropRoundTrip(hpa.metadata.annotations) ?? {}) };
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  const current = status?.currentMetrics ?? [];
  if (current.length) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(current.map(metricStatusToV1));
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const cpuNow = current.find((m) => m.type === "Resource" && m.resource?.name === "cpu")?.resource?.current.averageUtilization;
  const { status: _status, ...rest } = hpa;
  void _status;
  const out: HorizontalPodAutoscalerV1 = {
    ...rest,
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata,
    spec: defined({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target.averageUtilization }) as HorizontalPodAutoscalerV1["spec"],
  };
  if (status) {
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuNow,
    }) as HorizontalPodAutoscalerV1["status"];
  }
  return out;
}

/** An autoscaling/v1 object (as sent) in the storage version. Throws AnnotationError. */
export function hpaFromV1(v1: HorizontalPodAutoscalerV1): HorizontalPodAutoscaler {
  const spec = obj(v1.spec);
  const status = v1.status === undefined || v1.status === null ? undefined : obj(v1.status);
  const annotations = v1.metadata?.annotations;
  const metrics: MetricSpec[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage as number } } });
  }
  const others = parseAnnotation<unknown[]>(annotations, METRICS_ANNOTATION);
  if (Array.isArray(others)) metrics.push(...others.map((m) => metricSpecFromV1(obj(m))));
  const behavior = parseAnnotation<HorizontalPodAutoscaler["spec"]["behavior"]>(annotations, BEHAVIOR_ANNOTATION);
  const current = parseAnnotation<unknown[]>(annotations, CURRENT_METRICS_ANNOTATION);
  const conditions = parseAnnotation<NonNullable<HorizontalPodAutoscaler["status"]>["conditions"]>(annotations, CONDITIONS_ANNOTATION);

  const metadata = { ...(v1.metadata ?? {}) };
  const kept = dropRoundTrip(annotations);
  if (kept) metadata.annotations = kept;
  else delete metadata.annotations;
  const { targetCPUUtilizationPercentage: _cpu, ...rest } = spec;
  void _cpu;
  const out: HorizontalPodAutoscaler = {
    ...v1,
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata,
    spec: { ...(rest as unknown as HorizontalPodAutoscaler["spec"]), ...(metrics.length ? { metrics } : {}), ...(behavior ? { behavior } : {}) },
  };
  if (status) {
    let currentMetrics: MetricStatus[] | undefined;
    if (Array.isArray(current)) currentMetrics = current.map((m) => metricStatusFromV1(obj(m)));
    else if (typeof status.currentCPUUtilizationPercentage === "number") {
      currentMetrics = [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    }) as unknown as HorizontalPodAutoscaler["status"];
  } else delete out.status;
  return out;
}

/** A v2 object as sent: annotations only a v1 conversion may carry are dropped (v2 round-trips without them). */
export function hpaFromV2(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  const annotations = dropRoundTrip(hpa.metadata?.annotations);
  if (!hpa.metadata?.annotations) return hpa;
  const metadata = { ...hpa.metadata };
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...hpa, metadata };
}
