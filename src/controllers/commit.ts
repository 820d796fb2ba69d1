// Writes in D1 batches through the registry: one batch per chunk (a batch of hundreds
// costs about what a few single writes do). Each chunk is atomic; a conflict in one
// fails it and the reconcile runs again from fresh reads, so a partly applied plan is
// always safe. Under the controller manager's client rate limit a chunk carries at most
// the client's burst of requests, so writes go out at the limit's pace (the registry
// waits for the tokens) instead of as one flood after a long wait.
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { groupBatches, writeBatches } from "./write-batches";
import { ApiError } from "../model/errors";

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

const isForbidden = (e: unknown): e is ApiError => e instanceof ApiError && e.code === 403;

/**
 * As commitChunked, for creates an admission may refuse (a ResourceQuota with room for
 * some of them): a batch refused with 403 is committed again group by group, so what
 * fits is created, as upstream's controllers create pods one request each. After a batch
 * with refusals no further batch is tried (upstream's slowStartBatch stops at its first
 * error). Returns the 403s; any other failure is thrown.
 */
export async function commitAdmitted(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], opts: ChunkOptions = {}): Promise<ApiError[]> {
  const groups = ops.map((item) => (Array.isArray(item) ? item : [item]));
  const limits = { maxOps: opts.chunk ?? CHUNK, maxRequests: ctx.writeBurst?.() ?? Infinity, slowStart: opts.slowStart };
  const refused: ApiError[] = [];
  for (const batch of groupBatches(groups, limits)) {
    try {
      await ctx.registry.commit(batch.flat());
      continue;
    } catch (e) {
      if (!isForbidden(e)) throw e;
    }
    for (const group of batch) {
      try {
        await ctx.registry.commit([...group]);
      } catch (e) {
        if (!isForbidden(e)) throw e;
        refused.push(e);
      }
    }
    if (refused.length) break;
  }
  return refused;
}
