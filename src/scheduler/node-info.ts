// Building and updating NodeInfo, the scheduler's per-node aggregate (upstream
// framework.NodeInfo + the scheduler cache's snapshot). The Scheduler DO keeps
// one NodeInfo per node in memory, adds a pod the moment it decides (assume, so
// the next decision already sees it) and removes it if the bind is refused.

import type { Node, Pod } from "../model/types";
import type { HostPort, NodeInfo, PodInfo } from "./framework";
import { addResource, emptyResource, nodeAllocatable, podNonZeroRequests, podRequests } from "../model/pod-resources";
import { podHostPorts } from "../model/host-ports";

/** namespace/name: the key the binding API, the queue and the in-memory view share. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? ""}`;
}

/** spec.priority, 0 when unset (corev1helpers.PodPriority). */
export function podPriority(pod: Pod): number {
  return typeof pod.spec.priority === "number" ? pod.spec.priority : 0;
}

function newPodInfo(pod: Pod): PodInfo {
  const nz = podNonZeroRequests(pod);
  return {
    key: podKey(pod),
    pod,
    priority: podPriority(pod),
    requests: podRequests(pod),
    nonZeroMilliCPU: nz.milliCPU,
    nonZeroMemory: nz.memory,
    hostPorts: podHostPorts(pod),
  };
}

function addPorts(used: Map<string, Set<string>>, ports: HostPort[]): void {
  for (const hp of ports) {
    let set = used.get(hp.ip);
    if (!set) used.set(hp.ip, (set = new Set()));
    set.add(`${hp.protocol}/${hp.port}`);
  }
}

/** Every name of every image the node reports, with its size (upstream ImageStates). */
function nodeImages(node: Node): Map<string, number> {
  const images = new Map<string, number>();
  for (const img of node.status?.images ?? []) for (const n of img.names ?? []) images.set(n, img.sizeBytes ?? 0);
  return images;
}

/** A NodeInfo for `node` with `pods` on it. A node whose quantities do not parse offers nothing. */
export function newNodeInfo(node: Node, pods: Iterable<Pod | PodInfo> = []): NodeInfo {
  // Allocatable falls back to capacity: the API server's SetDefaults_NodeStatus does the same.
  let alloc: ReturnType<typeof nodeAllocatable>;
  try {
    alloc = nodeAllocatable(node.status?.allocatable ?? node.status?.capacity);
  } catch {
    alloc = { resource: emptyResource(), pods: 0 };
  }
  const ni: NodeInfo = {
    name: node.metadata.name ?? "",
    node,
    allocatable: alloc.resource,
    allowedPodNumber: alloc.pods,
    requested: emptyResource(),
    nonZeroMilliCPU: 0,
    nonZeroMemory: 0,
    pods: [],
    usedPorts: new Map(),
    images: nodeImages(node),
  };
  for (const p of pods) addPod(ni, p);
  return ni;
}

/** A pod's PodInfo; one whose quantities do not parse requests nothing (see addPod). */
export function podInfoOf(p: Pod): PodInfo {
  try {
    return newPodInfo(p);
  } catch {
    return { key: podKey(p), pod: p, priority: podPriority(p), requests: emptyResource(), nonZeroMilliCPU: 0, nonZeroMemory: 0, hostPorts: podHostPorts(p) };
  }
}

function isPodInfo(p: Pod | PodInfo): p is PodInfo {
  return (p as PodInfo).requests !== undefined && (p as PodInfo).key !== undefined;
}

/**
 * Accounts a pod on the node (assume). A pod whose quantities do not parse is
 * still counted (pods, ports) with zero requests: one bad object must not stop
 * every decision, and the kubelet's admission remains the final check.
 */
export function addPod(ni: NodeInfo, p: Pod | PodInfo): PodInfo {
  const pi = isPodInfo(p) ? p : podInfoOf(p);
  ni.pods.push(pi);
  addResource(ni.requested, pi.requests);
  ni.nonZeroMilliCPU += pi.nonZeroMilliCPU;
  ni.nonZeroMemory += pi.nonZeroMemory;
  addPorts(ni.usedPorts, pi.hostPorts);
  return pi;
}

/** Removes a pod by key (forget after a refused bind, or the pod was deleted). */
export function removePod(ni: NodeInfo, key: string): boolean {
  const i = ni.pods.findIndex((p) => p.key === key);
  if (i < 0) return false;
  const [pi] = ni.pods.splice(i, 1);
  addResource(ni.requested, pi.requests, -1);
  ni.nonZeroMilliCPU -= pi.nonZeroMilliCPU;
  ni.nonZeroMemory -= pi.nonZeroMemory;
  // Rebuild ports from the remaining pods: two pods may share a port on
  // different IPs, so subtracting one entry could drop a port still in use.
  ni.usedPorts = new Map();
  for (const rest of ni.pods) addPorts(ni.usedPorts, rest.hostPorts);
  return true;
}

/** Succeeded/Failed pods hold nothing on the node; the upstream scheduler does not even watch them. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

/**
 * The snapshot: one NodeInfo per node, in the order given (the round-robin
 * start index walks this order), with every non-terminal pod bound to a known
 * node accounted on it.
 */
export function buildSnapshot(nodes: readonly Node[], pods: readonly Pod[]): NodeInfo[] {
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec.nodeName;
    if (!n || isTerminal(p)) continue;
    let list = byNode.get(n);
    if (!list) byNode.set(n, (list = []));
    list.push(p);
  }
  return nodes.map((n) => newNodeInfo(n, byNode.get(n.metadata.name ?? "") ?? []));
}
