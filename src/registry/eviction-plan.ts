// The eviction subresource's decision, pure (upstream's EvictionREST.Create and
// checkAndDecrement): given the pod and the budgets of its namespace as read, either
// refuse with the Status the API server answers, or evict, with the budget's status as
// it must be written in the same commit as the pod's deletion (one fewer disruption
// allowed, the pod recorded in disruptedPods), so two evictions can never both spend
// the last disruption.
import type { Pod, PodDisruptionBudget } from "../model/types";
import { ApiError, forbidden, tooManyRequests } from "../model/errors";
import { isoSeconds } from "../config";
import { MAX_DISRUPTED_PODS, budgetsGuarding, canIgnoreBudget, isPodReady, withDisruptionAllowedCondition } from "../model/disruption-budget";

export type EvictionPlan =
  /** Delete the pod; when `budget` is set, write its status in the same commit. */
  | { evict: true; budget?: PodDisruptionBudget }
  | { evict: false; error: ApiError };

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The answer when a budget's status is older than its spec (createTooManyRequestsError). */
function stillProcessing(name: string): ApiError {
  const e = tooManyRequests(VIOLATION, 10);
  e.status.details = { ...e.status.details, causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${name} is still being processed by the server.` }] };
  return e;
}

/** The answer when no disruption is left: kubectl drain retries it every 5 s. */
function noDisruptionLeft(pdb: PodDisruptionBudget): ApiError {
  const s = pdb.status;
  // NewTooManyRequests with 0 seconds: no Retry-After, no retryAfterSeconds.
  return new ApiError(429, "TooManyRequests", VIOLATION, {
    causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${pdb.metadata.name} needs ${s?.desiredHealthy ?? 0} healthy pods and has ${s?.currentHealthy ?? 0} currently` }],
  });
}

function moreThanOneBudget(): ApiError {
  // Upstream answers a bare Status with code 500 and no reason.
  const e = new ApiError(500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  delete (e.status as { reason?: string }).reason;
  return e;
}

export function planEviction(pod: Pod, pdbs: readonly PodDisruptionBudget[], now: number, dryRun = false): EvictionPlan {
  // A pod that is done, not started or already going disrupts nothing more.
  if (canIgnoreBudget(pod)) return { evict: true };
  const guarding = budgetsGuarding(pdbs, pod);
  if (guarding.length > 1) return { evict: false, error: moreThanOneBudget() };
  if (guarding.length === 0) return { evict: true };
  const pdb = guarding[0];
  const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };

  // An unhealthy pod is not counted as healthy: evicting it spends nothing, when the
  // policy says so or while the budget is met without it.
  if (!isPodReady(pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") return { evict: true };
    if (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return { evict: true };
  }

  const name = pdb.metadata.name ?? "";
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) return { evict: false, error: stillProcessing(name) };
  if (status.disruptionsAllowed < 0) return { evict: false, error: forbidden(`poddisruptionbudget.policy "${name}" is forbidden: pdb disruptions allowed is negative`, { name, group: "policy", kind: "poddisruptionbudget" }) };
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    return { evict: false, error: forbidden(`poddisruptionbudget.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`, { name, group: "policy", kind: "poddisruptionbudget" }) };
  }
  if (status.disruptionsAllowed === 0) return { evict: false, error: noDisruptionLeft(pdb) };

  let next = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 };
  if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next, now);
  if (dryRun) return { evict: true };
  next.disruptedPods = { ...(status.disruptedPods ?? {}), [pod.metadata.name ?? ""]: isoSeconds(now) };
  return { evict: true, budget: { ...pdb, status: next } };
}
