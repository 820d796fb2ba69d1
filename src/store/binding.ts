// Binding a pod to a node: a conditional write that only succeeds while the pod is
// still unbound (two schedulers can never both bind it).
import type { ObjectStore } from "./store";
import type { Condition, Pod } from "../model/types";
import { ApiError, conflict } from "../model/errors";
import { isoSeconds } from "../config";

export async function bindPod(store: ObjectStore, namespace: string, name: string, nodeName: string, now: number): Promise<Pod> {
  const stored = await store.guaranteedUpdate("pods", namespace, name, (obj) => {
    const pod = obj as Pod;
    if (pod.metadata.deletionTimestamp) throw conflict("pods", name, "the pod is being deleted");
    if (pod.spec.nodeName) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`, { name, kind: "pods/binding" });
    }
    pod.spec.nodeName = nodeName;
    pod.status ??= {};
    pod.status.conditions = setCondition(pod.status.conditions, { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: isoSeconds(now) });
    return pod;
  });
  return stored as Pod;
}

/** Replace or add a condition by type, keeping lastTransitionTime when status did not change. */
export function setCondition(conditions: Condition[] | undefined, c: Condition): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, c];
  const old = list[i];
  // reason and message describe the old status only: they go when it changes.
  const base = old.status === c.status ? old : { type: old.type, status: old.status, lastTransitionTime: old.lastTransitionTime };
  list[i] = { ...base, ...c, lastTransitionTime: old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : c.lastTransitionTime };
  return list;
}
