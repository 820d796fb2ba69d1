// pods/NAME/eviction as the API server runs it: read the pod and the budgets of its
// namespace, decide (eviction-plan.ts), then write the budget's status and the pod's
// deletion in ONE conditional commit. A write that got in between (another eviction
// spending the same budget, the pod changing) fails the commit, and the whole decision
// is made again from fresh reads, so a budget is never overspent.
import type { ObjectStore, WriteOp } from "../store/store";
import { isoSeconds } from "../config";
import type { KubeObject, Pod, PodDisruptionBudget } from "../model/types";
import { PDB_RESOURCE } from "../model/disruption-budget";
import { GUARANTEED_UPDATE_ATTEMPTS, isConflict, retryOnConflict } from "../store/retry";
import { checkPreconditions, planDeletion, type DeleteOptions, type DeleteResult } from "./deletion";
import { planEviction } from "./eviction-plan";

export interface EvictionDeps {
  store: ObjectStore;
  now(): number;
  /** The budget's new status as a /status update prepares it (validation, managed fields). */
  prepareStatus(next: KubeObject, old: KubeObject): Promise<KubeObject>;
}


/** The pod told why it goes (the DisruptionTarget condition, as upstream's eviction adds it). */
function withDisruptionTarget(pod: Pod, now: number): Pod {
  const next = structuredClone(pod);
  const conditions = (next.status ??= {}).conditions ?? [];
  const old = conditions.find((c) => c.type === "DisruptionTarget");
  const condition = {
    type: "DisruptionTarget",
    status: "True" as const,
    lastProbeTime: null,
    lastTransitionTime: old?.status === "True" && old.lastTransitionTime ? old.lastTransitionTime : isoSeconds(now),
    reason: "EvictionByEvictionAPI",
    message: "Eviction API: evicting",
  };
  next.status.conditions = old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition];
  return next;
}

export async function evictPod(deps: EvictionDeps, namespace: string, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const { store } = deps;
  // A resourceVersion precondition of the caller's is never retried against a newer pod.
  let userPreconditionFailed = false;
  return retryOnConflict(
    async () => {
      const pod = (await store.mustGet("pods", namespace, name)) as Pod;
      try {
        checkPreconditions("pods", pod, opts);
      } catch (e) {
        userPreconditionFailed = true;
        throw e;
      }
      const now = deps.now();
      const pdbs = (await store.list(PDB_RESOURCE, { namespace })).items as PodDisruptionBudget[];
      const plan = planEviction(pod, pdbs, now, !!opts.dryRun);
      if (!plan.evict) throw plan.error;

      const next = planDeletion("pods", withDisruptionTarget(pod, now), opts, now);
      if (opts.dryRun) return { deleted: next === null, object: next ?? pod };
      const ops: WriteOp[] = [];
      if (plan.budget) {
        const old = pdbs.find((b) => b.metadata.name === plan.budget?.metadata.name) as PodDisruptionBudget;
        ops.push({ op: "update", resource: PDB_RESOURCE, object: await deps.prepareStatus(plan.budget, old), expectedRv: Number(old.metadata.resourceVersion) });
      }
      const expectedRv = Number(pod.metadata.resourceVersion);
      ops.push(next === null ? { op: "delete", resource: "pods", object: pod, expectedRv } : { op: "update", resource: "pods", object: next, expectedRv });
      const stored = await store.commit(ops);
      return { deleted: next === null, object: stored[stored.length - 1] };
    },
    GUARANTEED_UPDATE_ATTEMPTS,
    (e) => isConflict(e) && !userPreconditionFailed,
  );
}
