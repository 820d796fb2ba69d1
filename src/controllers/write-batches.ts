// How a controller's planned writes are cut into store batches (pure). A group (a pod
// and its event) is never split. A batch holds at most `maxOps` ops and at most
// `maxRequests` requests (objects written, events aside: the client's burst, so a batch
// never waits on more tokens than the bucket can hold). With `slowStart` the batches
// grow 1, 2, 4, 8... groups, as upstream's ReplicaSet controller creates pods
// (slowStartBatch with SlowStartInitialBatchSize 1): a create that fails (a quota, a
// webhook, a terminating namespace) fails after one pod, not after hundreds.

export const SLOW_START_INITIAL_BATCH_SIZE = 1;

interface BatchLimits {
  maxOps: number;
  maxRequests: number;
  slowStart?: boolean;
}

/** Requests a write stands for: one per object written; events ride along. */
export function requestCount(ops: readonly { resource: string }[]): number {
  let n = 0;
  for (const op of ops) if (op.resource !== "events") n++;
  return n;
}

/** The ops of each batch, in order. */
export function writeBatches<Op extends { resource: string }>(groups: readonly (readonly Op[])[], limits: BatchLimits): Op[][] {
  return groupBatches(groups, limits).map((batch) => batch.flat());
}

/** The batches, each as the groups it holds (for a caller that may retry group by group). */
export function groupBatches<Op extends { resource: string }>(groups: readonly (readonly Op[])[], limits: BatchLimits): (readonly Op[])[][] {
  const out: (readonly Op[])[][] = [];
  let cur: (readonly Op[])[] = [];
  let ops = 0;
  let groupsIn = 0;
  let requests = 0;
  let slowStartSize = SLOW_START_INITIAL_BATCH_SIZE;
  const close = () => {
    out.push(cur);
    cur = [];
    ops = 0;
    groupsIn = 0;
    requests = 0;
    slowStartSize *= 2;
  };
  for (const g of groups) {
    if (g.length === 0) continue;
    const r = requestCount(g);
    const full = cur.length > 0 && (ops + g.length > limits.maxOps || requests + r > limits.maxRequests || (limits.slowStart && groupsIn >= slowStartSize));
    if (full) close();
    cur.push(g);
    ops += g.length;
    groupsIn++;
    requests += r;
  }
  if (cur.length) out.push(cur);
  return out;
}
