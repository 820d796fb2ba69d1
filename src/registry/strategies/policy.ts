// PodDisruptionBudgets (upstream's pkg/registry/policy/poddisruptionbudget/strategy.go):
// the status belongs to the disruption controller and the eviction subresource, so a
// create starts it empty; a spec change moves the generation, which the eviction API
// reads as "not processed yet" until the controller has observed it.
import type { PodDisruptionBudget } from "../../model/types";
import type { ResourceStrategy } from "./types";

export const podDisruptionBudgetStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    (obj as PodDisruptionBudget).status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
};
