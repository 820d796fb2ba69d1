// The texts the scheduler writes into Events and the PodScheduled condition,
// byte for byte as kube-scheduler 1.32 writes them (framework.FitError.Error,
// DefaultPreemption.PostFilter, schedule_one.go), because people and tools
// grep for them.
//
// The "preemption: ..." suffix is DefaultPreemption's PostFilter message
// (preemption.ts): present when preemption cannot help, absent when it nominated
// a node, as upstream.

import type { Pod } from "../model/types";
import type { Status } from "./framework";
import { podKey } from "./node-info";

export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";
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
