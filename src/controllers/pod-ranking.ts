// Which pods a ReplicaSet removes first when it has too many (upstream
// controller.ActivePodsWithRanks and replicaset getPodsToDelete): the ones whose loss
// hurts least come first.
import type { Pod } from "../model/types";
import { isPodActive, isPodReady, maxContainerRestarts, podReadyTime, timeOf } from "./pod-state";

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

/** afterOrZero: an unknown time sorts first, then the later time. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/**
 * Negative when `a` should be deleted before `b`. `rank` counts related pods on the
 * same node: a pod on a crowded node goes first.
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const less = (x: boolean) => (x ? -1 : 1);
  const nodeA = a.spec.nodeName ?? "";
  const nodeB = b.spec.nodeName ?? "";
  // 1. Unassigned < assigned.
  if (nodeA !== nodeB && (nodeA === "" || nodeB === "")) return less(nodeA === "");
  // 2. Pending < Unknown < Running.
  const pa = PHASE_ORDINAL[a.status?.phase ?? ""] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? ""] ?? 0;
  if (pa !== pb) return less(pa < pb);
  // 3. Not ready < ready.
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return less(!ra);
  // 4. Lower pod-deletion-cost < higher.
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return less(ca < cb);
  // 5. Doubled up (more related pods on the node) < not doubled up.
  if (rankA !== rankB) return less(rankA > rankB);
  // 6. Ready for less time < more time.
  if (ra && rb) {
    const ta = podReadyTime(a);
    const tb = podReadyTime(b);
    if (ta !== tb) return less(afterOrZero(ta, tb));
  }
  // 7. More container restarts < fewer.
  const xa = maxContainerRestarts(a);
  const xb = maxContainerRestarts(b);
  if (xa !== xb) return less(xa > xb);
  // 8. Newer < older.
  const ta = timeOf(a.metadata.creationTimestamp);
  const tb = timeOf(b.metadata.creationTimestamp);
  if (ta !== tb) return less(afterOrZero(ta, tb));
  return 0;
}

/**
 * The `count` pods to delete out of `pods`, worst first. `related` are the active pods
 * of the same workload (this ReplicaSet and its siblings), used to find doubled-up nodes.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec.nodeName ?? "";
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? "") ?? 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.pod, y.pod, x.rank, y.rank));
  return ranked.slice(0, count).map((r) => r.pod);
}
