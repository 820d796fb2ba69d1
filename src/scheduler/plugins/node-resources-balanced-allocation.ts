// NodeResourcesBalancedAllocation: prefers the node whose cpu and memory would
// be used in the most similar proportions after placing the pod, so that one
// resource is not exhausted while the other sits idle.
// score = (1 - std(fractions)) * 100; with two resources std = |f1 - f2| / 2.

import type { Pod } from "../../model/types";
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type ScorePlugin, type Status, skip, success } from "../framework";
import { podRequests } from "../../model/pod-resources";
import { NodeResourcesBalancedAllocationName } from "./names";
import { DEFAULT_RESOURCES, type PodRequestList, type ResourceSpec, allocatableAndRequested } from "./resource-allocation";

const PRE_SCORE_KEY = "PreScore" + NodeResourcesBalancedAllocationName;

function balancedResourceScorer(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i] / allocatable[i], 1);
    fractions.push(f);
    total += f;
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    std = Math.sqrt(fractions.reduce((s, f) => s + (f - mean) * (f - mean), 0) / fractions.length);
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
    const { allocatable, requested } = allocatableAndRequested(ni, this.resources, podReq, true);
    return balancedResourceScorer(requested, allocatable);
  }

  /** The real requests, no 100m/200Mi defaults (useRequested upstream). */
  private podRequestList(pod: Pod): PodRequestList {
    const r = podRequests(pod);
    return this.resources.map((s) => (s.name === "cpu" ? r.milliCPU : r.memory));
  }
}
