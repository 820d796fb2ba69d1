// The kubelets' admission of one batch of binds, asked once per node: the batch's
// binds grouped by the node they chose, in batch order, so each node's kubelet gets
// one admitMany() call and judges its pods in the order they were decided (each
// admitted pod's reservation counts against the next). A refusal fails only the
// pod it names.
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
