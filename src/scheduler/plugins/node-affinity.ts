// NodeAffinity: Filter applies spec.nodeSelector and the required node affinity
// terms; Score sums the weights of the preferred terms a node matches,
// normalised so the best node gets 100.
//
// PreFilter narrows the nodes to those that matchFields metadata.name In names in
// every required term (DaemonSet pods name theirs), so the other nodes are not
// filtered and are reported as "node(s) didn't satisfy plugin(s) [NodeAffinity]";
// terms whose names cannot meet conflict.
//
// Not modelled: the plugin's addedAffinity argument.

import type { Pod } from "../../model/types";
import {
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type ScorePlugin,
  type Status,
  skip,
  success,
  unresolvable,
} from "../framework";
import { matchNodeSelectorTerm, requiredNodeAffinityMatches } from "../../model/node-selector";
import { defaultNormalizeScore } from "../normalize";
import { NodeAffinityName } from "./names";

const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
const ErrReasonConflict = "pod affinity terms conflict";

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = NodeAffinityName;

  /** Terms whose metadata.name sets leave no node: nothing can match. */
  preFilter(_state: CycleState, pod: Pod): Status {
    const names = this.preFilterNodes(pod);
    return names && names.size === 0 ? unresolvable(ErrReasonConflict) : success();
  }

  /**
   * The union over the terms of each term's metadata.name In values (intersected within
   * a term); undefined when some term names no node (terms are ORed: any node may match).
   */
  preFilterNodes(pod: Pod): ReadonlySet<string> | undefined {
    const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return undefined;
    const union = new Set<string>();
    for (const t of terms) {
      let names: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== "metadata.name" || r.operator !== "In") continue;
        const values = new Set(r.values ?? []);
        names = names ? new Set([...names].filter((n) => values.has(n))) : values;
      }
      if (!names) return undefined;
      for (const n of names) union.add(n);
    }
    return union;
  }

  filter(_state: CycleState, pod: Pod, ni: NodeInfo): Status {
    // Unresolvable: no change to the pods on a node changes its labels.
    return requiredNodeAffinityMatches(pod, ni.node) ? success() : unresolvable(ErrReasonPod);
  }

  /** Nothing to score without preferred terms (upstream returns Skip too). */
  preScore(_state: CycleState, pod: Pod): Status {
    return preferredTerms(pod).length === 0 ? skip() : success();
  }

  score(_state: CycleState, pod: Pod, ni: NodeInfo): number {
    let total = 0;
    for (const t of preferredTerms(pod)) if (matchNodeSelectorTerm(t.preference, ni.node)) total += t.weight;
    return total;
  }

  normalize(scores: number[]): void {
    defaultNormalizeScore(scores, false);
  }
}

/** Weight-0 and empty terms never count (NewPreferredSchedulingTerms skips them). */
function preferredTerms(pod: Pod) {
  const terms = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.filter(
    (t) => t.weight !== 0 && ((t.preference?.matchExpressions?.length ?? 0) > 0 || (t.preference?.matchFields?.length ?? 0) > 0),
  );
}
