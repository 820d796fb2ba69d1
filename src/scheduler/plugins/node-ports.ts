// NodePorts: a pod asking for a host port fits only on a node where that
// ip/protocol/port is free. Unschedulable (not unresolvable): deleting the pod
// holding the port would free it.

import type { Pod } from "../../model/types";
import { type CycleState, type FilterPlugin, type HostPort, type NodeInfo, type Status, success, unschedulable } from "../framework";
import { hostPortConflicts, podHostPorts } from "../../model/host-ports";
import { NodePortsName } from "./names";

const ErrReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
const PRE_FILTER_KEY = "PreFilter" + NodePortsName;

export class NodePorts implements FilterPlugin {
  readonly name = NodePortsName;

  preFilter(state: CycleState, pod: Pod): Status {
    state.write(PRE_FILTER_KEY, podHostPorts(pod));
    return success();
  }

  filter(state: CycleState, pod: Pod, ni: NodeInfo): Status {
    const want = state.read<HostPort[]>(PRE_FILTER_KEY) ?? podHostPorts(pod);
    for (const hp of want) if (hostPortConflicts(ni.usedPorts, hp)) return unschedulable(ErrReasonNodePorts);
    return success();
  }
}
