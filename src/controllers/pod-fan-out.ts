// A pod changed, and the objects of its namespace that select pods (Services,
// PodDisruptionBudgets) must look again: their selectors are not at hand in the poke. One
// row turns the change into a key per namespace, and its reconcile into each object's
// own key; namespaces known to hold none of them are skipped.
import type { ControllerContext } from "./context";
import type { Controller } from "./controller";
import { workKey, type WorkKind } from "./keys";

/** What the fan-out needs of the controller whose objects it wakes. */
export interface SelectingObjects {
  /** False only when the namespace surely has none (a cheap in-memory check). */
  mayHave(namespace: string): boolean;
  namesIn(namespace: string): Promise<string[]>;
}

export function podFanOut(ctx: ControllerContext, name: WorkKind, target: WorkKind, objects: SelectingObjects): Controller {
  return {
    name,
    keysFor: (ch) => (ch.resource === "pods" && objects.mayHave(ch.namespace) ? [{ namespace: ch.namespace, name: "" }] : []),
    reconcile: async ({ namespace }) => {
      for (const n of await objects.namesIn(namespace)) ctx.enqueue(workKey(target, namespace, n));
    },
  };
}
