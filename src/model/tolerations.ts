// Toleration matching (k8s.io/api core/v1 Toleration.ToleratesTaint and
// component-helpers scheduling/corev1), shared by the scheduler's TaintToleration and
// NodeUnschedulable plugins and the DaemonSet controller's node eligibility.

import type { Taint, Toleration } from "./types";

/**
 * An empty effect tolerates every effect; an empty key with Exists tolerates
 * every taint; an empty operator means Equal.
 */
function toleratesTaint(t: Toleration, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Pick<Taint, "key" | "value" | "effect">): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
