// HorizontalPodAutoscaler defaults (autoscaling/v2 SetDefaults_HorizontalPodAutoscaler):
// minReplicas 1; no metrics means a CPU utilization target of 80%; a behavior that is
// given is filled in rule by rule. A missing behavior stays missing: the controller then
// scales as it always has (scale-up rate limit, 5 minute downscale stabilization).
import type { HPAScalingRules, HorizontalPodAutoscaler } from "./autoscaling-types";

/** autoscaling.DefaultCPUUtilization. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** Scale-up: no window, at most 4 pods or doubling per 15 s, whichever is more. */
export function scaleUpRules(given?: HPAScalingRules): HPAScalingRules {
  return {
    ...(given ?? {}),
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? 0,
    selectPolicy: given?.selectPolicy ?? "Max",
    policies: given?.policies ?? [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
  };
}

/**
 * Scale-down: all pods may go at once (100% per 15 s). The window is left unset: the
 * controller fills in its --horizontal-pod-autoscaler-downscale-stabilization (5 min).
 */
export function scaleDownRules(given?: HPAScalingRules): HPAScalingRules {
  const out: HPAScalingRules = { ...(given ?? {}), selectPolicy: given?.selectPolicy ?? "Max", policies: given?.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }] };
  if (given?.stabilizationWindowSeconds !== undefined && given.stabilizationWindowSeconds !== null) out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  return out;
}

const isRules = (r: unknown) => r === undefined || r === null || (typeof r === "object" && !Array.isArray(r));

export function defaultHPA(hpa: HorizontalPodAutoscaler): void {
  const spec = hpa.spec;
  if (!spec || typeof spec !== "object") return;
  if (spec.minReplicas === undefined || spec.minReplicas === null) spec.minReplicas = 1;
  // Values of the wrong type are left for validation to reject (a decoding error upstream).
  if (spec.metrics === undefined || spec.metrics === null || (Array.isArray(spec.metrics) && spec.metrics.length === 0)) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  const b = spec.behavior;
  if (b && typeof b === "object" && !Array.isArray(b) && isRules(b.scaleUp) && isRules(b.scaleDown)) spec.behavior = { scaleUp: scaleUpRules(b.scaleUp), scaleDown: scaleDownRules(b.scaleDown) };
}
