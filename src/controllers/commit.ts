// Writes in D1 batches through the registry: one batch per chunk (a batch of hundreds
// costs about what a few single writes do). Each chunk is atomic; a conflict in one
// fails it and the reconcile runs again from fresh reads, so a partly applied plan is
// always safe.
import type { WriteOp } from "../registry/ops";
import { commitGroups, type Group } from "../store/commit-groups";
import { ApiError } from "../model/errors";
import type { ControllerContext } from "./context";

const CHUNK = 200;

const isForbidden = (e: unknown) => e instanceof ApiError && e.code === 403;

/**
 * As commitChunked, for creates an admission may refuse (a ResourceQuota with room for
 * some of them): a batch refused with 403 is committed again group by group, so what
 * fits is created, as upstream's controllers create pods one request each. Returns the
 * 403s of the groups refused; any other failure is thrown.
 */
export async function commitAdmitted(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], chunk = CHUNK): Promise<ApiError[]> {
  const groups = ops.map((item) => ({ ops: Array.isArray(item) ? item : [item] }) as Group<WriteOp>);
  await commitGroups((batch: WriteOp[]) => ctx.registry.commit(batch), groups, { maxOps: chunk, fallback: "per-group", retriable: isForbidden });
  const failed = groups.filter((g) => g.error !== undefined).map((g) => g.error);
  const other = failed.find((e) => !isForbidden(e));
  if (other !== undefined) throw other;
  return failed as ApiError[];
}

/** Commit `ops` in chunks; groups (e.g. a pod and its event) are never split. */
export async function commitChunked(ctx: ControllerContext, ops: (WriteOp | WriteOp[])[], chunk = CHUNK): Promise<void> {
  const groups = ops.map((item) => ({ ops: Array.isArray(item) ? item : [item] }));
  await commitGroups((batch: WriteOp[]) => ctx.registry.commit(batch), groups, { maxOps: chunk, fallback: "throw" });
}
