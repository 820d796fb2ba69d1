// Turning "this pod / ReplicaSet changed" into the controllers that care (upstream's
// addPod/updatePod and addReplicaSet handlers): the controller owner if there is one,
// else every live controller whose selector matches (it may adopt the orphan).
import type { Deployment, KubeObject, ReplicaSet } from "../model/types";
import { matchesLabels, selectorFromLabelSelector } from "../model/selectors";
import type { ControllerContext } from "./context";
import { controllerRef } from "./pod-state";
import { GC_KEY, workKey } from "./keys";
import { controllerOf, type Controller } from "./controller";

/** Controllers among `candidates` whose selector matches `obj` and that are not going away. */
function matchingControllers<T extends KubeObject & { spec: { selector?: ReplicaSet["spec"]["selector"] } }>(obj: KubeObject, candidates: T[]): T[] {
  return candidates.filter((c) => {
    if (c.metadata.deletionTimestamp) return false;
    try {
      return matchesLabels(selectorFromLabelSelector(c.spec.selector), obj.metadata.labels);
    } catch {
      return false;
    }
  });
}

/** podowner: the pod's ReplicaSet, or the ReplicaSets that may adopt it. Returns RS names wanting an orphan scan. */
async function resolvePodOwner(ctx: ControllerContext, namespace: string, name: string): Promise<string[]> {
  const pod = await ctx.store.get("pods", namespace, name);
  if (!pod) return [];
  const ref = controllerRef(pod);
  if (ref) {
    if (ref.kind === "ReplicaSet") ctx.enqueue(workKey("rs", namespace, ref.name));
    return [];
  }
  if (pod.metadata.deletionTimestamp) return [];
  const { items } = await ctx.store.list("replicasets.apps", { namespace });
  const adopters = matchingControllers(pod, items as ReplicaSet[]).map((rs) => rs.metadata.name ?? "");
  for (const rs of adopters) ctx.enqueue(workKey("rs", namespace, rs));
  return adopters;
}

/** rsowner: the ReplicaSet's Deployment, or the Deployments that may adopt it. */
async function resolveReplicaSetOwner(ctx: ControllerContext, namespace: string, name: string): Promise<void> {
  const rs = await ctx.store.get("replicasets.apps", namespace, name);
  if (!rs) {
    // Gone meanwhile: its pods are garbage now.
    ctx.enqueue(GC_KEY);
    return;
  }
  const ref = controllerRef(rs);
  if (ref) {
    if (ref.kind === "Deployment") ctx.enqueue(workKey("deploy", namespace, ref.name));
    return;
  }
  if (rs.metadata.deletionTimestamp) return;
  const { items } = await ctx.store.list("deployments.apps", { namespace });
  for (const d of matchingControllers(rs, items as Deployment[])) ctx.enqueue(workKey("deploy", namespace, d.metadata.name ?? ""));
}

/** podowner's row: a live pod without a controller may be adopted. `adopters` hears who may. */
export function podOwnerLookup(ctx: ControllerContext, adopters: (namespace: string, replicaSet: string) => void): Controller {
  return {
    name: "podowner",
    keysFor: (ch) => (ch.resource === "pods" && ch.type !== "DELETED" && !ch.deletionTimestamp && !controllerOf(ch) ? [{ namespace: ch.namespace, name: ch.name }] : []),
    reconcile: async ({ namespace, name }) => {
      for (const rs of await resolvePodOwner(ctx, namespace, name)) adopters(namespace, rs);
    },
  };
}

/** rsowner's row: a live ReplicaSet without a controller may be adopted by a Deployment. */
export function replicaSetOwnerLookup(ctx: ControllerContext): Controller {
  return {
    name: "rsowner",
    keysFor: (ch) => (ch.resource === "replicasets.apps" && ch.type !== "DELETED" && !controllerOf(ch) ? [{ namespace: ch.namespace, name: ch.name }] : []),
    reconcile: ({ namespace, name }) => resolveReplicaSetOwner(ctx, namespace, name),
  };
}
