// NodeResourcesBalancedAllocation: prefers the node whose cpu and memory would
// be used in the most similar proportions after placing the pod, so that one
// resource is not exhausted while the other sits idle.
// score = (1 - std(fractions)) * 100; with two resources std = |f1 - f2| / 2.

import type { Pod } from "../../model/types";
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type ScorePlugin, type Status, skip, success } from "../framework";
import { podRequests } from "../../model/pod-resources";
import { NodeResourcesBalancedAllocationName } from "./names";
import { DEFAULT_RESOURCES, type PodRequestList, type ResourceSpec, allocatableOf, requestedOf } from "./resource-allocation";

const PRE_SCORE_KEY = "PreScore" + NodeResourcesBalancedAllocationName;

/** The share of a resource the node would use with the pod placed, capped at 1; -1 when it offers none. */
function fraction(ni: NodeInfo, r: ResourceSpec, podRequest: number): number {
  const alloc = allocatableOf(ni, r);
  return alloc === 0 ? -1 : Math.min((requestedOf(ni, r, true) + podRequest) / alloc, 1);
}

/** Runs for every scored node of every pod: two passes over the resources, no arrays. */
function balancedResourceScorer(ni: NodeInfo, resources: readonly ResourceSpec[], podReq: PodRequestList): number {
  let count = 0;
  let total = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < resources.length; i++) {
    const f = fraction(ni, resources[i], podReq[i]);
    if (f < 0) continue;
    if (count === 0) first = f;
    else if (count === 1) second = f;
    count++;
    total += f;
  }
  let std = 0;
  if (count === 2) std = Math.abs((first - second) / 2);
  else if (count > 2) {
    const mean = total / count;
    let sq = 0;
    for (let i = 0; i < resources.length; i++) {
      const f = fraction(ni, resources[i], podReq[i]);
      if (f >= 0) sq += (f - mean) * (f - mean);
    }
    std = Math.sqrt(sq / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = NodeResourcesBalancedAllocationName;

  constructor(private readonly resources: readonly ResourceSpec[] = DEFAULT_RESOURCES) {}

  /**
   * A pod requesting nothing would be steered to whichever node happens to be
   * balanced already, piling best-effort pods onto one node; upstream skips it
   * (kubernetes/kubernetes#129138) and so do we.
   */
  preScore(state: CycleState, pod: Pod): Status {
    const req = this.podRequestList(pod);
    if (req.every((v) => v === 0)) return skip();
    state.write(PRE_SCORE_KEY, req);
    return success();
  }

  score(state: CycleState, pod: Pod, ni: NodeInfo): number {
    const podReq = state.read<PodRequestList>(PRE_SCORE_KEY) ?? this.podRequestList(pod);
    return balancedResourceScorer(ni, this.resources, podReq);
  }

  /** The real requests, no 100m/200Mi defaults (useRequested upstream). */
  private podRequestList(pod: Pod): PodRequestList {
    const r = podRequests(pod);
    return this.resources.map((s) => (s.name === "cpu" ? r.milliCPU : r.memory));
  }
}
