// The last few scheduling decisions, kept so that `explain` can show the decision
// that actually placed (or rejected) a pod, as kube-scheduler-simulator does. It
// keeps the raw ScheduleResult (already allocated by the cycle) and only turns it
// into an Explanation on request, so recording costs nothing per pod; the bound
// keeps memory small at a thousand nodes (a result holds per-node scores).

import type { ScheduleResult } from "./schedule-one";

interface Decision {
  uid: string;
  at: number;
  result: ScheduleResult;
  /** Node names in snapshot order when decided (immutable array from ClusterView.names()). */
  nodes: readonly string[];
}

export class DecisionLog {
  private readonly entries = new Map<string, Decision>();

  constructor(private readonly max = 128) {}

  record(key: string, d: Decision): void {
    this.entries.delete(key);
    this.entries.set(key, d);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The decision for this pod key, if it was about the same pod (same uid). */
  get(key: string, uid: string | undefined): Decision | undefined {
    const d = this.entries.get(key);
    return d && d.uid === uid ? d : undefined;
  }
}
