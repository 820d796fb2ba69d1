// Writes in D1 batches: one batch per chunk (a batch of hundreds costs about what a
// few single writes do). Each chunk is atomic; a conflict in one fails it and the
// reconcile runs again from fresh reads, so a partly applied plan is always safe.
import type { WriteOp } from "../store/store";
import type { ControllerContext } from "./context";

export const CHUNK = 200;

/** Commit `ops` in chunks; groups (e.g. a pod and its event) are never split. */
export async function commitChunked(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], chunk = CHUNK): Promise<void> {
  let batch: WriteOp[] = [];
  for (const item of ops) {
    const group = Array.isArray(item) ? item : [item];
    if (batch.length && batch.length + group.length > chunk) {
      await ctx.store.commit(batch);
      batch = [];
    }
    batch.push(...group);
  }
  if (batch.length) await ctx.store.commit(batch);
}
