// Writes in D1 batches through the registry: one batch per chunk (a batch of hundreds
// costs about what a few single writes do). Each chunk is atomic; a conflict in one
// fails it and the reconcile runs again from fresh reads, so a partly applied plan is
// always safe.
import type { WriteOp } from "../registry/ops";
import { commitGroups } from "../store/commit-groups";
import type { ControllerContext } from "./context";

const CHUNK = 200;

/** Commit `ops` in chunks; groups (e.g. a pod and its event) are never split. */
export async function commitChunked(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], chunk = CHUNK): Promise<void> {
  const groups = ops.map((item) => ({ ops: Array.isArray(item) ? item : [item] }));
  await commitGroups((batch: WriteOp[]) => ctx.registry.commit(batch), groups, { maxOps: chunk, fallback: "throw" });
}
