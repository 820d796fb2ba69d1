// policy/v1 PodDisruptionBudget: how many of an application's pods must stay up (or may
// be down) while pods are evicted on purpose (a drain, a preemption).
import type { KubeObject, LabelSelector } from "./types";

export type UnhealthyPodEvictionPolicy = "IfHealthyBudget" | "AlwaysAllow";

export interface PodDisruptionBudgetSpec {
  /** Pods that must still be available after an eviction: a count or a percentage ("50%"). */
  minAvailable?: number | string;
  /** Pods that may be unavailable after an eviction: a count or a percentage. */
  maxUnavailable?: number | string;
  /** The pods it guards; null selects none, {} every pod of the namespace. */
  selector?: LabelSelector | null;
  unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
}

/** metav1.Condition: the shape of conditions in newer APIs (observedGeneration, required reason). */
export interface MetaCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pods the eviction API let go, by name, with when: not yet seen terminating by the controller. */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: MetaCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  apiVersion: "policy/v1";
  kind: "PodDisruptionBudget";
  spec: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}
