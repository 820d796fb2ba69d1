// NodeName: a pod that already names a node (spec.nodeName) fits only there.
// The scheduler normally never sees such pods (they are bound on creation), but
// the filter keeps a decision honest if one slips into the queue.

import type { Pod } from "../../model/types";
import { type CycleState, type FilterPlugin, type NodeInfo, type Status, success, unresolvable } from "../framework";
import { NodeNameName } from "./names";

const ErrReasonNodeName = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NodeNameName;

  filter(_state: CycleState, pod: Pod, ni: NodeInfo): Status {
    const want = pod.spec.nodeName;
    return !want || want === ni.name ? success() : unresolvable(ErrReasonNodeName);
  }
}
