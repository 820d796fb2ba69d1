// HorizontalPodAutoscalers (k8s.io/kubernetes/pkg/apis/autoscaling/validation): the
// scale target reference, the replica bounds, each metric with exactly its own source
// and a target of the right type, and the scaling behavior's windows and policies.
import type { HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricTarget, StatusCause } from "./types";
import { child, forbidden, index, invalidField, notSupported, required } from "./field-errors";
import { nameIsPathSegment } from "./validate-rbac";
import { isValidQuantity, parseQuantity } from "./quantity";

const SOURCES = ["Object", "Pods", "Resource", "ContainerResource", "External"] as const;
const SOURCE_FIELD: Record<string, keyof MetricSpec> = { Object: "object", Pods: "pods", Resource: "resource", ContainerResource: "containerResource", External: "external" };
const TARGET_TYPES = ["Utilization", "Value", "AverageValue"];
const MAX_STABILIZATION_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;

/** ValidateCrossVersionObjectReference. */
function validateReference(ref: { kind?: string; name?: string } | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!ref?.kind) errs.push(required(child(path, "kind"), ""));
  else for (const msg of nameIsPathSegment(ref.kind, false)) errs.push(invalidField(child(path, "kind"), ref.kind, msg));
  if (!ref?.name) errs.push(required(child(path, "name"), ""));
  else for (const msg of nameIsPathSegment(ref.name, false)) errs.push(invalidField(child(path, "name"), ref.name, msg));
  return errs;
}

function quantityErrors(v: string | undefined, path: string): StatusCause[] {
  if (v === undefined || v === null) return [];
  if (!isValidQuantity(String(v))) return [invalidField(path, String(v), "must be a valid quantity")];
  return parseQuantity(v) <= 0 ? [invalidField(path, String(v), "must be positive")] : [];
}

/** validateMetricTarget: a type, and the value that type needs, positive. */
function validateTarget(t: MetricTarget | undefined, path: string): StatusCause[] {
  if (!t) return [required(path, "must specify a metric target")];
  const errs: StatusCause[] = [];
  if (!t.type) errs.push(required(child(path, "type"), "must specify a metric target type"));
  else if (!TARGET_TYPES.includes(t.type)) errs.push(notSupported(child(path, "type"), t.type, TARGET_TYPES));
  errs.push(...quantityErrors(t.value, child(path, "value")), ...quantityErrors(t.averageValue, child(path, "averageValue")));
  if (t.averageUtilization !== undefined && t.averageUtilization !== null && t.averageUtilization < 1) {
    errs.push(invalidField(child(path, "averageUtilization"), t.averageUtilization, "must be greater than 0"));
  }
  if (t.type === "Utilization" && (t.averageUtilization === undefined || t.averageUtilization === null)) errs.push(required(child(path, "averageUtilization"), "must set averageUtilization when metric type is Utilization"));
  if (t.type === "Value" && !t.value) errs.push(required(child(path, "value"), "must set value when metric type is Value"));
  if (t.type === "AverageValue" && !t.averageValue) errs.push(required(child(path, "averageValue"), "must set averageValue when metric type is AverageValue"));
  return errs;
}

/** A Resource or ContainerResource target: a raw average value or a utilization, one of them. */
function validateResourceTarget(t: MetricTarget | undefined, path: string): StatusCause[] {
  if (t && (t.averageUtilization === undefined || t.averageUtilization === null) && !t.averageValue) {
    return [required(child(path, "averageUtilization"), "must set either a target raw value or a target utilization")];
  }
  if (t && t.averageUtilization !== undefined && t.averageUtilization !== null && t.averageValue) {
    return [forbidden(child(path, "averageValue"), "may not set both a target raw value and a target utilization")];
  }
  return validateTarget(t, path);
}

function validateMetric(m: MetricSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!m?.type) return [required(child(path, "type"), "must specify a metric source type")];
  if (!(SOURCES as readonly string[]).includes(m.type)) return [notSupported(child(path, "type"), m.type, SOURCES)];
  const own = SOURCE_FIELD[m.type];
  for (const [type, f] of Object.entries(SOURCE_FIELD)) {
    if (f !== own && m[f] !== undefined && m[f] !== null) errs.push(forbidden(child(path, f), "must populate the given metric source only"));
    void type;
  }
  const source = m[own] as Record<string, unknown> | undefined;
  if (!source) return [...errs, required(child(path, own), "must populate information for the given metric source")];
  const sp = child(path, own);
  switch (m.type) {
    case "Resource":
      if (!m.resource?.name) errs.push(required(child(sp, "name"), "must specify a resource name"));
      errs.push(...validateResourceTarget(m.resource?.target, child(sp, "target")));
      break;
    case "ContainerResource":
      if (!m.containerResource?.name) errs.push(required(child(sp, "name"), "must specify a resource name"));
      if (!m.containerResource?.container) errs.push(required(child(sp, "container"), "must specify a container"));
      errs.push(...validateResourceTarget(m.containerResource?.target, child(sp, "target")));
      break;
    case "Pods":
      if (!m.pods?.metric?.name) errs.push(required(child(sp, "metric", "name"), "must specify a metric name"));
      errs.push(...validateTarget(m.pods?.target, child(sp, "target")));
      break;
    case "Object":
      errs.push(...validateReference(m.object?.describedObject, child(sp, "describedObject")));
      if (!m.object?.metric?.name) errs.push(required(child(sp, "metric", "name"), "must specify a metric name"));
      errs.push(...validateTarget(m.object?.target, child(sp, "target")));
      break;
    case "External":
      if (!m.external?.metric?.name) errs.push(required(child(sp, "metric", "name"), "must specify a metric name"));
      errs.push(...validateTarget(m.external?.target, child(sp, "target")));
      break;
  }
  return errs;
}

/** validateScalingRules: the window, the policy selection and at least one policy. */
function validateRules(r: HPAScalingRules | undefined, path: string): StatusCause[] {
  if (!r) return [];
  const errs: StatusCause[] = [];
  const w = r.stabilizationWindowSeconds;
  if (typeof w === "number" && w < 0) errs.push(invalidField(child(path, "stabilizationWindowSeconds"), w, "must be greater than or equal to zero"));
  if (typeof w === "number" && w > MAX_STABILIZATION_SECONDS) errs.push(invalidField(child(path, "stabilizationWindowSeconds"), w, `must be less than or equal to ${MAX_STABILIZATION_SECONDS}`));
  if (r.selectPolicy !== undefined && r.selectPolicy !== null && !["Max", "Min", "Disabled"].includes(r.selectPolicy)) {
    errs.push(notSupported(child(path, "selectPolicy"), r.selectPolicy, ["Disabled", "Max", "Min"]));
  }
  const policies = r.policies ?? [];
  if (policies.length === 0) errs.push(required(child(path, "policies"), "must specify at least one Policy"));
  policies.forEach((p, i) => {
    const pp = index(child(path, "policies"), i);
    if (p.type !== "Pods" && p.type !== "Percent") errs.push(notSupported(child(pp, "type"), p.type ?? "", ["Percent", "Pods"]));
    if (!(p.value > 0)) errs.push(invalidField(child(pp, "value"), p.value ?? 0, "must be greater than zero"));
    if (!(p.periodSeconds > 0)) errs.push(invalidField(child(pp, "periodSeconds"), p.periodSeconds ?? 0, "must be greater than zero"));
    else if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalidField(child(pp, "periodSeconds"), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

/** ValidateHorizontalPodAutoscaler (after defaulting: minReplicas set, metrics present, behavior filled). */
export function validateHPA(hpa: HorizontalPodAutoscaler): StatusCause[] {
  const spec = hpa.spec ?? ({} as HorizontalPodAutoscaler["spec"]);
  const errs: StatusCause[] = [];
  errs.push(...validateReference(spec.scaleTargetRef, "spec.scaleTargetRef"));
  const min = spec.minReplicas;
  if (typeof min === "number" && min < 1) errs.push(invalidField("spec.minReplicas", min, "must be greater than or equal to 1"));
  const max = spec.maxReplicas;
  if (typeof max !== "number" || max < 1) errs.push(invalidField("spec.maxReplicas", max ?? 0, "must be greater than 0"));
  else if (typeof min === "number" && max < min) errs.push(invalidField("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, index("spec.metrics", i))));
  if (spec.behavior) {
    errs.push(...validateRules(spec.behavior.scaleUp, "spec.behavior.scaleUp"));
    errs.push(...validateRules(spec.behavior.scaleDown, "spec.behavior.scaleDown"));
  }
  return errs;
}
