// The taint manager's rule (pkg/controller/tainteviction): a pod on a node with a
// NoExecute taint is evicted when no toleration matches the taint, or when the
// matching tolerations' shortest tolerationSeconds has run out since the taint was
// added. A matching toleration without tolerationSeconds tolerates forever.
import type { Pod, Taint, Toleration } from "../../model/types";

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
}

/**
 * When the pod must be evicted given the node's NoExecute taints: a time in ms,
 * `now` for at once, or null for never.
 */
export function evictionTime(pod: Pod, taints: Taint[], now: number): number | null {
  const noExecute = taints.filter((t) => t.effect === "NoExecute");
  if (noExecute.length === 0) return null;
  let at: number | null = null;
  for (const taint of noExecute) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return now;
    const bounded = matching.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
    // Any matching toleration without a bound tolerates this taint forever.
    if (bounded.length < matching.length) continue;
    const seconds = Math.max(0, Math.min(...bounded.map((t) => t.tolerationSeconds as number)));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const due = added + seconds * 1000;
    at = at === null ? due : Math.min(at, due);
  }
  return at;
}
