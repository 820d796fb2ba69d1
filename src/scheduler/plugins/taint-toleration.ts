// TaintToleration: Filter rejects a node with a NoSchedule or NoExecute taint
// the pod does not tolerate; Score counts untolerated PreferNoSchedule taints,
// normalised in reverse so the node with the fewest gets 100.

import type { Pod, Toleration } from "../../model/types";
import {
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type ScorePlugin,
  type Status,
  success,
  unresolvable,
} from "../framework";
import { defaultNormalizeScore } from "../normalize";
import { findUntoleratedTaint, tolerationsTolerateTaint } from "../../model/tolerations";
import { TaintTolerationName } from "./names";

const PRE_SCORE_KEY = "PreScore" + TaintTolerationName;

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = TaintTolerationName;

  filter(_state: CycleState, pod: Pod, ni: NodeInfo): Status {
    const taint = findUntoleratedTaint(ni.node.spec?.taints, pod.spec.tolerations, (t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    if (!taint) return success();
    // Same text as upstream, value printed empty when unset: `{node.kubernetes.io/unreachable: }`.
    return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
  }

  /** Only tolerations that can apply to PreferNoSchedule (that effect, or any effect). */
  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, preferNoScheduleTolerations(pod));
    return success();
  }

  score(state: CycleState, pod: Pod, ni: NodeInfo): number {
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? preferNoScheduleTolerations(pod);
    let count = 0;
    for (const taint of ni.node.spec?.taints ?? []) {
      if (taint.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, taint)) count++;
    }
    return count;
  }

  normalize(scores: number[]): void {
    defaultNormalizeScore(scores, true);
  }
}

function preferNoScheduleTolerations(pod: Pod): Toleration[] {
  return (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
}
