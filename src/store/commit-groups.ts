// Many small writes in few D1 batches (a batch of hundreds costs about what a few
// single writes do). A group (a pod and its event) is never
// split across batches. A batch is all or nothing, so when one fails because some
// object in it went stale, its groups can be retried one by one and only the stale
// ones fail.
import type { KubeObject } from "../model/types";

export interface Group<Op> {
  ops: Op[];
  /** Set on success: the objects as stored, in the order of `ops`. */
  stored?: KubeObject[];
  /** Set when the group failed on its own (with `fallback: "per-group"`). */
  error?: unknown;
}

interface CommitGroupsOptions {
  /** Ops per batch at most (a single larger group still goes in one batch). */
  maxOps: number;
  /**
   * "throw": a failed batch fails the call (the caller re-plans from fresh reads).
   * "per-group": its groups are committed one at a time and each records its own error.
   */
  fallback: "throw" | "per-group";
  /** Which failures of a batch lead to the per-group retry (default: all). */
  retriable?: (e: unknown) => boolean;
}

/** The groups in batches of at most `maxOps` ops, in order. */
function batchesOf<G extends { ops: unknown[] }>(groups: G[], maxOps: number): G[][] {
  const out: G[][] = [];
  let cur: G[] = [];
  let n = 0;
  for (const g of groups) {
    if (g.ops.length === 0) continue;
    if (cur.length && n + g.ops.length > maxOps) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(g);
    n += g.ops.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Commit `groups` through `commit`; each group's outcome is recorded on it. */
export async function commitGroups<Op, G extends Group<Op>>(commit: (ops: Op[]) => Promise<KubeObject[]>, groups: G[], opts: CommitGroupsOptions): Promise<G[]> {
  for (const batch of batchesOf(groups, opts.maxOps)) {
    let stored: KubeObject[];
    try {
      stored = await commit(batch.flatMap((g) => g.ops));
    } catch (e) {
      if (opts.fallback === "throw" || (opts.retriable && !opts.retriable(e))) throw e;
      for (const g of batch) {
        try {
          g.stored = await commit(g.ops);
        } catch (err) {
          g.error = err;
        }
      }
      continue;
    }
    let k = 0;
    for (const g of batch) {
      g.stored = stored.slice(k, k + g.ops.length);
      k += g.ops.length;
    }
  }
  return groups;
}
