// The size and runtime of a node, from a Node manifest (kubectl apply of a Node
// whose status.capacity is set brings up a node of that size) or the defaults.
// In the wiring, beside the contract: dispatch and bootstrap start nodes with it.
import type { Node } from "../model/types";
import type { NodeConfig } from "./node-api";

export const DEFAULT_NODE: Omit<NodeConfig, "name"> = {
  cpu: "4",
  memory: "8Gi",
  pods: 110,
  ephemeralStorage: "100Gi",
  runtime: "containerd",
};

const RUNTIME_LABEL = "sim.edgekube.io/runtime";

export function nodeConfigFromObject(node: Node): NodeConfig {
  const cap = node.status?.capacity ?? node.status?.allocatable ?? {};
  const runtime = node.metadata.labels?.[RUNTIME_LABEL] === "cri-o" ? "cri-o" : "containerd";
  return {
    name: node.metadata.name ?? "",
    cpu: cap.cpu ?? DEFAULT_NODE.cpu,
    memory: cap.memory ?? DEFAULT_NODE.memory,
    pods: cap.pods ? Number(cap.pods) : DEFAULT_NODE.pods,
    ephemeralStorage: cap["ephemeral-storage"] ?? DEFAULT_NODE.ephemeralStorage,
    runtime,
    labels: node.metadata.labels,
  };
}
