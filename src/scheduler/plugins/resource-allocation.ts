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

/**
 * [allocatable, requested-including-this-pod] per resource. LeastAllocated and
 * MostAllocated read the node's *non-zero* totals (pods without requests count
 * as 100m/200Mi so they still spread); BalancedAllocation reads the real ones.
 */
export function allocatableAndRequested(
  ni: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequests: PodRequestList,
  useRequested: boolean,
): { allocatable: number[]; requested: number[] } {
  const allocatable: number[] = [];
  const requested: number[] = [];
  resources.forEach((r, i) => {
    const alloc = r.name === "cpu" ? ni.allocatable.milliCPU : ni.allocatable.memory;
    const onNode =
      r.name === "cpu" ? (useRequested ? ni.requested.milliCPU : ni.nonZeroMilliCPU) : useRequested ? ni.requested.memory : ni.nonZeroMemory;
    // A resource the node does not offer at all is left out of the score.
    allocatable.push(alloc);
    requested.push(alloc === 0 ? 0 : onNode + podRequests[i]);
  });
  return { allocatable, requested };
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

/** Weighted mean of a per-resource score over the resources the node offers. */
export function weightedResourceScore(
  resources: readonly ResourceSpec[],
  requested: number[],
  allocatable: number[],
  perResource: (req: number, cap: number) => number,
): number {
  let nodeScore = 0;
  let weightSum = 0;
  resources.forEach((r, i) => {
    if (allocatable[i] === 0) return;
    nodeScore += perResource(requested[i], allocatable[i]) * r.weight;
    weightSum += r.weight;
  });
  return weightSum === 0 ? 0 : idiv(nodeScore, weightSum);
}
