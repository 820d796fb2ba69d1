// Kubelet admission (pkg/kubelet/lifecycle predicate admit handler): a pod is refused
// when it does not fit the node's free resources or asks for a host port already in
// use. The arithmetic is the scheduler's (podRequests, host ports: src/model), so a pod
// the scheduler placed is never refused for rounding. Pure: the caller says who already occupies the node.
import type { Pod } from "../../model/types";
import type { AdmitResult } from "../../controlplane/node-api";
import { podRequests, type Resource } from "../../model/pod-resources";
import { hostPortConflicts, podHostPorts, type HostPort } from "../../model/host-ports";
import { cpuMillis, memoryBytes } from "../../model/quantity";
import type { NodeConfig } from "../../controlplane/node-api";

interface NodeCapacity {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
}

/** What an admitted (or reserved) pod takes from the node. */
export interface Occupant {
  uid: string;
  requests: Resource;
  hostPorts: HostPort[];
}

export function capacityOf(cfg: NodeConfig): NodeCapacity {
  return { milliCPU: cpuMillis(cfg.cpu), memory: memoryBytes(cfg.memory), ephemeralStorage: memoryBytes(cfg.ephemeralStorage), pods: cfg.pods };
}

export function occupantOf(pod: Pod): Occupant {
  return { uid: pod.metadata.uid ?? "", requests: podRequests(pod), hostPorts: podHostPorts(pod) };
}

function insufficient(resource: string, requested: number, used: number, capacity: number): AdmitResult {
  return {
    admitted: false,
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/** The first reason the pod does not fit, in the order the kubelet checks them. */
export function admitPod(pod: Pod, others: Occupant[], cap: NodeCapacity): AdmitResult {
  const me = occupantOf(pod);
  const rest = others.filter((o) => o.uid !== me.uid);
  if (rest.length + 1 > cap.pods) return insufficient("pods", 1, rest.length, cap.pods);
  const used = { milliCPU: 0, memory: 0, ephemeralStorage: 0 };
  for (const o of rest) {
    used.milliCPU += o.requests.milliCPU;
    used.memory += o.requests.memory;
    used.ephemeralStorage += o.requests.ephemeralStorage;
  }
  const r = me.requests;
  if (r.milliCPU > 0 && r.milliCPU > cap.milliCPU - used.milliCPU) return insufficient("cpu", r.milliCPU, used.milliCPU, cap.milliCPU);
  if (r.memory > 0 && r.memory > cap.memory - used.memory) return insufficient("memory", r.memory, used.memory, cap.memory);
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > cap.ephemeralStorage - used.ephemeralStorage) {
    return insufficient("ephemeral-storage", r.ephemeralStorage, used.ephemeralStorage, cap.ephemeralStorage);
  }
  const inUse = new Map<string, Set<string>>();
  for (const o of rest) {
    for (const hp of o.hostPorts) {
      let set = inUse.get(hp.ip);
      if (!set) inUse.set(hp.ip, (set = new Set()));
      set.add(`${hp.protocol}/${hp.port}`);
    }
  }
  if (me.hostPorts.some((hp) => hostPortConflicts(inUse, hp))) {
    return { admitted: false, reason: "NodePorts", message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" };
  }
  return { admitted: true };
}
