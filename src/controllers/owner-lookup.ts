// Turning "this pod / ReplicaSet changed" into the controllers that care (upstream's
// addPod/updatePod and addReplicaSet handlers; a pod's may be a ReplicationController): the controller owner if there is one,
// else every live controller whose selector matches (it may adopt the orphan).
import type { Deployment, KubeObject, ReplicaSet, ReplicationController } from "../model/types";
import { matchesLabels, selectorFromLabelSelector, type LabelRequirement } from "../model/selectors";
import type { ControllerContext } from "./context";
import { controllerRef } from "./pod-state";
import { GC_KEY, workKey, type WorkKind } from "./keys";
import { controllerOf, type Controller } from "./controller";
import type { SelectingObjects } from "./pod-fan-out";

type Selected = KubeObject & { spec: { selector?: ReplicaSet["spec"]["selector"] } };

/** Controllers among `candidates` whose selector matches `obj` and that are not going away. */
function matchingControllers<T extends KubeObject>(obj: KubeObject, candidates: T[], selectorOf: (c: T) => LabelRequirement[] | null): T[] {
  return candidates.filter((c) => {
    if (c.metadata.deletionTimestamp) return false;
    try {
      return matchesLabels(selectorOf(c), obj.metadata.labels);
    } catch {
      return false;
    }
  });
}

const labelSelectorOf = (c: Selected) => selectorFromLabelSelector(c.spec.selector);

/** The kinds that adopt pods: where they live, their work keys, how their selector reads. */
const POD_ADOPTERS: { kind: string; resource: string; workKind: keyof AdopterIndexes; selectorOf: (c: KubeObject) => LabelRequirement[] | null }[] = [
  { kind: "ReplicaSet", resource: "replicasets.apps", workKind: "rs", selectorOf: (c) => labelSelectorOf(c as ReplicaSet) },
  { kind: "ReplicationController", resource: "replicationcontrollers", workKind: "rc", selectorOf: (c) => selectorFromLabelSelector({ matchLabels: (c as ReplicationController).spec.selector ?? {} }) },
];

/** One controller that may adopt an orphan pod. */
export interface PodAdopter {
  workKind: WorkKind;
  name: string;
}

/** Which namespaces hold objects of each adopting kind (the ReplicaSet and ReplicationController controllers keep them). */
export type AdopterIndexes = Record<"rs" | "rc", SelectingObjects>;

/**
 * podowner: the pod's controller, or the ReplicaSets and ReplicationControllers that may
 * adopt it (they want an orphan scan). A namespace without any reads nothing: upstream's
 * handlers look the candidates up in their informers' caches, not in the API server.
 */
async function resolvePodOwner(ctx: ControllerContext, indexes: AdopterIndexes, namespace: string, name: string): Promise<PodAdopter[]> {
  const candidates = POD_ADOPTERS.filter((a) => indexes[a.workKind].mayHave(namespace));
  const present = await Promise.all(candidates.map(async (a) => ((await indexes[a.workKind].namesIn(namespace)).length ? a : undefined)));
  const adopting = present.filter((a) => a !== undefined);
  if (!adopting.length) return [];
  const pod = await ctx.store.get("pods", namespace, name);
  if (!pod) return [];
  const ref = controllerRef(pod);
  if (ref) {
    const owner = POD_ADOPTERS.find((a) => a.kind === ref.kind);
    if (owner) ctx.enqueue(workKey(owner.workKind, namespace, ref.name));
    return [];
  }
  if (pod.metadata.deletionTimestamp) return [];
  const adopters: PodAdopter[] = [];
  for (const a of adopting) {
    const { items } = await ctx.store.list(a.resource, { namespace });
    for (const c of matchingControllers(pod, items, a.selectorOf)) adopters.push({ workKind: a.workKind, name: c.metadata.name ?? "" });
  }
  for (const a of adopters) ctx.enqueue(workKey(a.workKind, namespace, a.name));
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
  for (const d of matchingControllers(rs, items as Deployment[], labelSelectorOf)) ctx.enqueue(workKey("deploy", namespace, d.metadata.name ?? ""));
}

/** podowner's row: a live pod without a controller may be adopted. `adopters` hears who may. */
export function podOwnerLookup(ctx: ControllerContext, indexes: AdopterIndexes, adopters: (namespace: string, adopter: PodAdopter) => void): Controller {
  const mayAdopt = (namespace: string) => indexes.rs.mayHave(namespace) || indexes.rc.mayHave(namespace);
  return {
    name: "podowner",
    // An orphan whose labels did not change (a bind, a status write) has no new adopter.
    keysFor: (ch) => (ch.resource === "pods" && ch.type !== "DELETED" && !ch.labelsUnchanged && !ch.deletionTimestamp && !controllerOf(ch) && mayAdopt(ch.namespace) ? [{ namespace: ch.namespace, name: ch.name }] : []),
    reconcile: async ({ namespace, name }) => {
      for (const a of await resolvePodOwner(ctx, indexes, namespace, name)) adopters(namespace, a);
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
