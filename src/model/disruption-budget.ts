// What a PodDisruptionBudget means for one eviction, as pure functions shared by the
// eviction subresource (the API server's), the disruption controller and the
// scheduler's preemption: which budgets guard a pod, whether it counts as healthy,
// and whether an eviction (or a set of them) fits the budgets' disruptionsAllowed.
import type { Pod } from "./types";
import type { MetaCondition, PodDisruptionBudget, PodDisruptionBudgetStatus } from "./policy-types";
import { matchesLabels, selectorFromLabelSelector } from "./label-selector";

export const PDB_RESOURCE = "poddisruptionbudgets.policy";

/** How long an eviction's entry in status.disruptedPods stands before the controller gives up on it (upstream's DeletionTimeout). */
export const DISRUPTED_POD_TIMEOUT_MS = 2 * 60_000;

/** More pending evictions than this and the eviction API refuses (upstream's MaxDisruptedPodSize). */
export const MAX_DISRUPTED_PODS = 2000;

export const DISRUPTION_ALLOWED = "DisruptionAllowed";

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/**
 * Whether the budget guards the pod, as the eviction API and the pod-to-budget lookup
 * judge it: same namespace, and a selector that is set, valid, not empty and matches.
 * (A nil or empty selector guards nothing here, though the controller counts every pod
 * of the namespace for an empty one.)
 */
export function budgetGuards(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  let reqs;
  try {
    reqs = selectorFromLabelSelector(pdb.spec?.selector);
  } catch {
    return false;
  }
  return !!reqs && reqs.length > 0 && matchesLabels(reqs, pod.metadata.labels);
}

/** The budgets that guard a pod. */
export function budgetsGuarding(pdbs: readonly PodDisruptionBudget[], pod: Pod): PodDisruptionBudget[] {
  return pdbs.filter((b) => budgetGuards(b, pod));
}

/** podutil.IsPodReady: the Ready condition is True (what "healthy" means to a budget). */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** A pod whose eviction disrupts nothing more: finished, never started, or already terminating. */
export function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || !!pod.metadata.deletionTimestamp;
}

/** intstr.GetScaledValueFromIntOrPercent with rounding up: "50%" of 3 is 2. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === "number") return v;
  return Math.ceil((Number(v.replace(/%$/, "")) * total) / 100);
}

/** The DisruptionAllowed condition for the status's disruptionsAllowed (pdbhelper.UpdateDisruptionAllowedCondition). */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: number): PodDisruptionBudgetStatus {
  const allowed = status.disruptionsAllowed > 0;
  return setCondition(status, {
    type: DISRUPTION_ALLOWED,
    status: allowed ? "True" : "False",
    reason: allowed ? "SufficientPods" : "InsufficientPods",
    message: "",
    observedGeneration: status.observedGeneration ?? 0,
    lastTransitionTime: isoSeconds(now),
  });
}

/** meta.SetStatusCondition: the transition time moves only when the status does. */
export function setCondition(status: PodDisruptionBudgetStatus, next: MetaCondition): PodDisruptionBudgetStatus {
  const conditions = [...(status.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) conditions.push(next);
  else conditions[i] = { ...next, lastTransitionTime: conditions[i].status === next.status ? conditions[i].lastTransitionTime : next.lastTransitionTime };
  return { ...status, conditions };
}

/** Whether the condition says what disruptionsAllowed does (pdbhelper.ConditionsAreUpToDate). */
export function conditionUpToDate(pdb: PodDisruptionBudget): boolean {
  const c = pdb.status?.conditions?.find((x) => x.type === DISRUPTION_ALLOWED);
  if (!c || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  return (pdb.status?.disruptionsAllowed ?? 0) > 0 ? c.status === "True" && c.reason === "SufficientPods" : c.status === "False" && c.reason === "InsufficientPods";
}

/**
 * Which of `pods`, evicted in this order, would break a budget (the scheduler's
 * filterPodsWithPDBViolation): each pod takes one from every budget guarding it, unless
 * the budget already counts it as disrupted; a pod that takes a budget below zero
 * violates it.
 */
export function splitByBudgetViolation<P extends Pod>(pods: readonly P[], pdbs: readonly PodDisruptionBudget[]): { violating: P[]; nonViolating: P[] } {
  const left = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: P[] = [];
  const nonViolating: P[] = [];
  for (const pod of pods) {
    let violates = false;
    pdbs.forEach((b, i) => {
      if (!budgetGuards(b, pod) || Object.hasOwn(b.status?.disruptedPods ?? {}, pod.metadata.name ?? "")) return;
      left[i]--;
      if (left[i] < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/** Whether evicting all of `pods` would break any budget. */
export function evictionsViolateBudgets(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[]): boolean {
  return splitByBudgetViolation(pods, pdbs).violating.length > 0;
}
