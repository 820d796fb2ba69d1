// The texts the scheduler writes into Events and the PodScheduled condition,
// byte for byte as kube-scheduler 1.32 writes them (framework.FitError.Error,
// DefaultPreemption.PostFilter, schedule_one.go), because people and tools
// grep for them.
//
// Why the "preemption: ..." suffix is included although edgekube never
// preempts: DefaultPreemption is in upstream's default profile, so every real
// FailedScheduling message carries it, and what it says is computable here
// without evicting anything. Upstream appends it only when its dry run finds no
// node where evicting lower-priority pods would help; when such a node exists,
// upstream would nominate it and print no suffix. We do the same dry run and
// then also print no suffix (but do not evict: the pod waits for room instead).

import type { Pod } from "../model/types";
import { Code, type NodeInfo, type Status, unresolvable } from "./framework";
import { newNodeInfo, podKey, podPriority } from "./node-info";

export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";
const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";
/** validation.NoteLengthLimit: the longest message an Event note may carry. */
const NOTE_LENGTH_LIMIT = 1024;

/**
 * "0/N nodes are available: <reasons>." Each reason of each rejected node is
 * counted; the "<count> <reason>" strings are sorted as strings (so "10 x"
 * sorts before "2 y", as Go's sort.Strings does). Nodes absent from `statuses`
 * count under `absent`'s reasons. A PreFilter message replaces the histogram.
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: ReadonlyMap<string, Status>,
  opts: { absent?: Status; preFilterMsg?: string; postFilterMsg?: string } = {},
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (opts.preFilterMsg) {
    msg += ` ${opts.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absentCount = numAllNodes - statuses.size;
    if (opts.absent && absentCount > 0) for (const r of opts.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absentCount);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(", ")}.`;
  }
  if (opts.postFilterMsg) msg += ` ${opts.postFilterMsg}`;
  return msg;
}

/**
 * What DefaultPreemption's PostFilter would report for a pod no node fits, or
 * undefined where upstream would find a preemption candidate (and print
 * nothing). `runFilters` runs the profile's filters against a node.
 */
export function preemptionMessage(
  pod: Pod,
  snapshot: readonly NodeInfo[],
  diagnosis: ReadonlyMap<string, Status>,
  runFilters: (ni: NodeInfo) => Status,
): string | undefined {
  if (pod.spec.preemptionPolicy === "Never") return "preemption: not eligible due to preemptionPolicy=Never.";
  const prio = podPriority(pod);
  const statuses = new Map<string, Status>();
  for (const ni of snapshot) {
    // Only "Unschedulable" nodes could change by evicting pods; the rest are absent below.
    if (diagnosis.get(ni.name)?.code !== Code.Unschedulable) continue;
    const keep = ni.pods.filter((p) => p.priority >= prio);
    if (keep.length === ni.pods.length) {
      statuses.set(ni.name, unresolvable(NO_PREEMPTION_VICTIMS));
      continue;
    }
    const status = runFilters(newNodeInfo(ni.node, keep));
    if (status.code === Code.Success) return undefined;
    statuses.set(ni.name, status);
  }
  return `preemption: ${fitErrorMessage(snapshot.length, statuses, { absent: unresolvable(PREEMPTION_NOT_HELPFUL) })}`;
}

/** Event notes are capped; upstream cuts and appends " ...". */
export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = " ...";
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

/** The `Scheduled` event: "Successfully assigned default/x to node-2". */
export function scheduledMessage(pod: Pod, nodeName: string): string {
  return `Successfully assigned ${podKey(pod)} to ${nodeName}`;
}
