// Fault injection through a node label, so people and tests use plain kubectl:
//   kubectl label node node-2 sim.edgekube.io/fault=crash       # kubelet and containers stop
//   kubectl label node node-2 sim.edgekube.io/fault=partition   # heartbeats stop reaching the control plane
//   kubectl label node node-2 sim.edgekube.io/fault-            # recover
import type { Node } from "../../model/types";

const FAULT_LABEL = "sim.edgekube.io/fault";
/** `external`: the Lease is renewed by an outside agent through the API, not the built-in kubelet. */
const KUBELET_MODE_LABEL = "sim.edgekube.io/kubelet";

export type Fault = "none" | "crash" | "partition";

export function faultOf(node: Pick<Node, "metadata"> | null | undefined): Fault {
  const v = node?.metadata.labels?.[FAULT_LABEL];
  return v === "crash" || v === "partition" ? v : "none";
}

export function isExternallyDriven(node: Pick<Node, "metadata"> | null | undefined): boolean {
  return node?.metadata.labels?.[KUBELET_MODE_LABEL] === "external";
}
