// The scoring half shared by NodeResourcesFit and NodeResourcesBalancedAllocation
// (upstream noderesources/resource_allocation.go, least_allocated.go,
// most_allocated.go). Resources are cpu and memory with weight 1 each, the
// upstream default (NodeResourcesFitArgs.ScoringStrategy.Resources).

import { MAX_NODE_SCORE, type NodeInfo } from "../framework";

export interface ResourceSpec {
  name: "cpu" | "memory";
  weight: number;
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

/** The pod's request for each scored resource, in DEFAULT_RESOURCES order. */
export type PodRequestList = number[];

/** What the node offers of a scored resource. */
export function allocatableOf(ni: NodeInfo, r: ResourceSpec): number {
  return r.name === "cpu" ? ni.allocatable.milliCPU : ni.allocatable.memory;
}

/**
 * What the node's pods request of it, this pod not included. LeastAllocated and
 * MostAllocated read the node's *non-zero* totals (pods without requests count as
 * 100m/200Mi so they still spread); BalancedAllocation reads the real ones
 * (`useRequested`).
 */
export function requestedOf(ni: NodeInfo, r: ResourceSpec, useRequested: boolean): number {
  if (r.name === "cpu") return useRequested ? ni.requested.milliCPU : ni.nonZeroMilliCPU;
  return useRequested ? ni.requested.memory : ni.nonZeroMemory;
}

/** Integer (int64-style) division of non-negative numbers. */
function idiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return idiv((capacity - requested) * MAX_NODE_SCORE, capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // requested may exceed capacity because request-less pods count as 100m/200Mi.
  return idiv(Math.min(requested, capacity) * MAX_NODE_SCORE, capacity);
}

/**
 * Weighted mean of a per-resource score over the resources the node offers (one it
 * does not offer at all is left out), the pod's requests added to the node's. Loops
 * rather than arrays: it runs for every scored node of every pod.
 */
export function weightedResourceScore(
  ni: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequests: PodRequestList,
  perResource: (req: number, cap: number) => number,
): number {
  let nodeScore = 0;
  let weightSum = 0;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    const alloc = allocatableOf(ni, r);
    if (alloc === 0) continue;
    nodeScore += perResource(requestedOf(ni, r, false) + podRequests[i], alloc) * r.weight;
    weightSum += r.weight;
  }
  return weightSum === 0 ? 0 : idiv(nodeScore, weightSum);
}
