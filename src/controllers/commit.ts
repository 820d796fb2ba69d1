// Writes in D1 batches through the registry: one batch per chunk (a batch of hundreds
// costs about what a few single writes do). Each chunk is atomic; a conflict in one
// fails it and the reconcile runs again from fresh reads, so a partly applied plan is
// always safe. Under the controller manager's client rate limit a chunk carries at most
// the client's burst of requests, so writes go out at the limit's pace (the registry
// waits for the tokens) instead of as one flood after a long wait.
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { writeBatches } from "./write-batches";

const CHUNK = 200;

interface ChunkOptions {
  /** Ops per batch at most. */
  chunk?: number;
  /** Batches of 1, 2, 4... groups (upstream's slowStartBatch for creates). */
  slowStart?: boolean;
}

/** Commit `ops` in chunks; groups (e.g. a pod and its event) are never split. */
export async function commitChunked(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], opts: ChunkOptions = {}): Promise<void> {
  const groups = ops.map((item) => (Array.isArray(item) ? item : [item]));
  const limits = { maxOps: opts.chunk ?? CHUNK, maxRequests: ctx.writeBurst?.() ?? Infinity, slowStart: opts.slowStart };
  for (const batch of writeBatches(groups, limits)) await ctx.registry.commit(batch);
}
