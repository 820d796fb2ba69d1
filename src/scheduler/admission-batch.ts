// One batch of binds, grouped by the node they chose. The kubelets' admission is asked
// once per node: each node's kubelet gets one admitMany() call and judges its pods in
// the order they were decided (each admitted pod's reservation counts against the
// next); a refusal fails only the pod it names. A batch is admitted and committed in
// chunks that never split a node's pods, so each node is asked once and woken once
// (the poke after the commit) per batch, soon after it was asked.
import type { AdmitResult } from "../controlplane/node-api";

/** Node name -> the indices of the items bound to it, in input order; items with no node are left out. */
export function groupByNode<T>(items: readonly T[], nodeOf: (item: T) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  items.forEach((item, i) => {
    const node = nodeOf(item);
    if (node === undefined) return;
    const group = out.get(node);
    if (group) group.push(i);
    else out.set(node, [i]);
  });
  return out;
}

/**
 * One verdict per pod asked about. A call that failed, or answered with the wrong
 * number of verdicts, refuses every pod in it with the reason given (AdmitError):
 * a pod is bound only on its kubelet's word.
 */
export function verdictsFor(count: number, answer: AdmitResult[] | Error): AdmitResult[] {
  if (answer instanceof Error || answer.length !== count) {
    const message = answer instanceof Error ? answer.message : `the node answered ${answer.length} verdict(s) for ${count} pod(s)`;
    return Array.from({ length: count }, () => ({ admitted: false, reason: "AdmitError", message }));
  }
  return answer;
}

/**
 * The items in chunks of about `max`: each node's items next to each other and never
 * split across chunks (nodes in the order of their first item, each node's items in
 * input order), a chunk closed before a node's items would take it past `max` (one
 * node's items alone may), the items with no node last.
 */
export function nodeChunks<T>(items: readonly T[], nodeOf: (item: T) => string | undefined, max: number): T[][] {
  const runs = [...groupByNode(items, nodeOf).values()].map((indices) => indices.map((i) => items[i]));
  for (const item of items) if (nodeOf(item) === undefined) runs.push([item]);
  const out: T[][] = [];
  let cur: T[] = [];
  for (const run of runs) {
    if (cur.length && cur.length + run.length > max) {
      out.push(cur);
      cur = [];
    }
    cur.push(...run);
  }
  if (cur.length) out.push(cur);
  return out;
}
