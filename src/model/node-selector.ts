// Node selector matching for spec.nodeSelector and node affinity, shared by the
// scheduler's NodeAffinity plugin and the DaemonSet controller
// (component-helpers scheduling/corev1/nodeaffinity). Terms are ORed, the
// requirements inside a term ANDed; an empty term matches nothing, and a term
// that fails validation (wrong value count, a non-integer for Gt/Lt) is treated
// as not matching, as upstream's LazyErrorNodeSelector ignores it.

import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from "./types";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined. BigInt so 64-bit values compare exactly. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** true/false, or undefined when the requirement itself is invalid. */
function matchLabelRequirement(req: NodeSelectorRequirement, labels: Record<string, string>): boolean | undefined {
  const values = req.values ?? [];
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case "In":
      if (values.length === 0) return undefined;
      return has && values.includes(value!);
    case "NotIn":
      if (values.length === 0) return undefined;
      return !has || !values.includes(value!);
    case "Exists":
      if (values.length !== 0) return undefined;
      return has;
    case "DoesNotExist":
      if (values.length !== 0) return undefined;
      return !has;
    case "Gt":
    case "Lt": {
      if (values.length !== 1) return undefined;
      const bound = parseInt64(values[0]);
      if (bound === undefined) return undefined;
      if (!has) return false;
      const v = parseInt64(value!);
      if (v === undefined) return false;
      return req.operator === "Gt" ? v > bound : v < bound;
    }
    default:
      return undefined;
  }
}

/** matchFields supports only metadata.name with In/NotIn and exactly one value. */
function matchFieldRequirement(req: NodeSelectorRequirement, node: Node): boolean | undefined {
  if (req.key !== "metadata.name" || (req.values ?? []).length !== 1) return undefined;
  const name = node.metadata.name ?? "";
  if (req.operator === "In") return name === req.values![0];
  if (req.operator === "NotIn") return name !== req.values![0];
  return undefined;
}

export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (matchLabelRequirement(r, labels) !== true) return false;
  for (const r of fields) if (matchFieldRequirement(r, node) !== true) return false;
  return true;
}

function matchNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => matchNodeSelectorTerm(t, node));
}

/**
 * GetRequiredNodeAffinity(pod).Match(node): every spec.nodeSelector label must
 * be on the node, and, when required node affinity is set, one of its terms
 * must match (an empty list of terms matches no node).
 */
export function requiredNodeAffinityMatches(pod: Pod, node: Node): boolean {
  const sel = pod.spec.nodeSelector;
  if (sel) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return matchNodeSelectorTerms(required.nodeSelectorTerms ?? [], node);
  return true;
}
