// One batch of binds, grouped by the node they chose. The kubelets' admission is asked
// once per node: each node's kubelet gets one admitMany() call and judges its pods in
// the order they were decided (each admitted pod's reservation counts against the
// next); a refusal fails only the pod it names. And a node's binds are committed
// together, so a batch larger than one commit wakes each node once.
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
 * The items with each node's next to each other: nodes in the order of their first
 * item, each node's items in input order, the items with no node last.
 */
export function nodeContiguous<T>(items: readonly T[], nodeOf: (item: T) => string | undefined): T[] {
  const out = [...groupByNode(items, nodeOf).values()].flatMap((indices) => indices.map((i) => items[i]));
  for (const item of items) if (nodeOf(item) === undefined) out.push(item);
  return out;
}
