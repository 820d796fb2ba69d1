// What the node lifecycle controller does to a Node whose kubelet stopped posting
// status, and undoes when it is back (pkg/controller/nodelifecycle): every condition
// goes Unknown with reason NodeStatusUnknown, and the NoExecute taint
// node.kubernetes.io/unreachable is added; on recovery the kubelet's Ready condition
// returns and the taint is removed. Pure functions over the Node object.
import type { Condition, Node, Taint } from "../../model/types";
import { isoSeconds } from "../../config";

export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
const NOT_READY_TAINT = "node.kubernetes.io/not-ready";

const KUBELET_READY: Record<string, { status: "True" | "False"; reason: string; message: string }> = {
  MemoryPressure: { status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
  DiskPressure: { status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  PIDPressure: { status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  Ready: { status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
};

export function isReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

export function hasTaint(node: Node, key: string): boolean {
  return (node.spec.taints ?? []).some((t) => t.key === key && t.effect === "NoExecute");
}

/** Ready=Unknown and the unreachable taint. Returns null when the node already shows it. */
export function markUnreachable(node: Node, now: number): Node | null {
  const ts = isoSeconds(now);
  const conditions = (node.status?.conditions ?? []).map((c): Condition => {
    if (c.status === "Unknown") return c;
    return { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: ts };
  });
  const alreadyUnknown = conditions.every((c, i) => c === node.status?.conditions?.[i]);
  const tainted = hasTaint(node, UNREACHABLE_TAINT);
  if (alreadyUnknown && tainted) return null;
  const next = structuredClone(node);
  next.status = { ...next.status, conditions };
  if (!tainted) {
    // As TaintNodesByCondition does, NoSchedule keeps new pods off the node (the
    // default tolerations cover only NoExecute); NoExecute starts evictions.
    const taints = (next.spec.taints ?? []).filter((t) => t.key !== NOT_READY_TAINT && t.key !== UNREACHABLE_TAINT);
    taints.push({ key: UNREACHABLE_TAINT, effect: "NoSchedule", timeAdded: ts }, { key: UNREACHABLE_TAINT, effect: "NoExecute", timeAdded: ts });
    next.spec.taints = taints;
  }
  return next;
}

/** The kubelet posts Ready again; the lifecycle taints go. Null when nothing changes. */
export function markReachable(node: Node, now: number): Node | null {
  const ts = isoSeconds(now);
  let changed = false;
  const conditions = Object.entries(KUBELET_READY).map(([type, healthy]): Condition => {
    const old = node.status?.conditions?.find((c) => c.type === type);
    if (old && old.status === healthy.status) return { ...old, lastHeartbeatTime: ts };
    changed = true;
    return { type, ...healthy, lastHeartbeatTime: ts, lastTransitionTime: ts };
  });
  const taints = (node.spec.taints ?? []).filter((t: Taint) => t.key !== UNREACHABLE_TAINT && t.key !== NOT_READY_TAINT);
  if (taints.length !== (node.spec.taints ?? []).length) changed = true;
  if (!changed) return null;
  const next = structuredClone(node);
  next.status = { ...next.status, conditions };
  if (taints.length) next.spec.taints = taints;
  else delete next.spec.taints;
  return next;
}
