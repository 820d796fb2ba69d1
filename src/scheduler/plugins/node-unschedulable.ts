// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods,
// unless the pod tolerates the node.kubernetes.io/unschedulable:NoSchedule
// taint that cordoning stands for (DaemonSet pods do).

import type { Pod } from "../../model/types";
import { type CycleState, type FilterPlugin, type NodeInfo, type Status, success, unresolvable } from "../framework";
import { tolerationsTolerateTaint } from "../../model/tolerations";
import { NodeUnschedulableName } from "./names";

const ErrReasonUnschedulable = "node(s) were unschedulable";
const TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NodeUnschedulableName;

  filter(_state: CycleState, pod: Pod, ni: NodeInfo): Status {
    if (!ni.node.spec?.unschedulable) return success();
    const tolerated = tolerationsTolerateTaint(pod.spec.tolerations, { key: TaintNodeUnschedulable, effect: "NoSchedule" });
    // Unresolvable: evicting pods from a cordoned node would not uncordon it.
    return tolerated ? success() : unresolvable(ErrReasonUnschedulable);
  }
}
