// NodeAffinity: Filter applies spec.nodeSelector and the required node affinity
// terms; Score sums the weights of the preferred terms a node matches,
// normalised so the best node gets 100.
//
// Not modelled: the plugin's addedAffinity argument, and PreFilter narrowing the
// node list from matchFields metadata.name (a shortcut for DaemonSet pods; the
// Filter reaches the same verdicts, only the failure message would differ).

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

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = NodeAffinityName;

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
