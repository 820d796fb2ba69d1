// NodeResourcesFit: Filter rejects a node whose free allocatable (allocatable
// minus the requests of its pods) is smaller than the pod's requests, and a node
// already at its pod count limit; Score prefers, by default, the least allocated
// node (LeastAllocated spreads), or the most allocated one (MostAllocated packs).

import type { Pod } from "../../model/types";
import {
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type Resource,
  type ScorePlugin,
  type Status,
  success,
  unschedulable,
} from "../framework";
import { podNonZeroRequests, podRequests } from "../../model/pod-resources";
import { NodeResourcesFitName } from "./names";
import {
  DEFAULT_RESOURCES,
  type PodRequestList,
  type ResourceSpec,
  leastRequestedScore,
  mostRequestedScore,
  weightedResourceScore,
} from "./resource-allocation";

export type ScoringStrategy = "LeastAllocated" | "MostAllocated";

const PRE_FILTER_KEY = "PreFilter" + NodeResourcesFitName;
const PRE_SCORE_KEY = "PreScore" + NodeResourcesFitName;

interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/** A zero request always fits, even on a node with zero capacity or already over-committed. */
function short(want: number, alloc: number, used: number): boolean {
  return want > 0 && want > alloc - used;
}

/** Nothing is short: the common case, answered without building reasons (it runs for every node filtered). */
function fitsAll(req: Resource, ni: NodeInfo): boolean {
  if (ni.pods.length + 1 > ni.allowedPodNumber) return false;
  if (short(req.milliCPU, ni.allocatable.milliCPU, ni.requested.milliCPU)) return false;
  if (short(req.memory, ni.allocatable.memory, ni.requested.memory)) return false;
  if (short(req.ephemeralStorage, ni.allocatable.ephemeralStorage, ni.requested.ephemeralStorage)) return false;
  for (const name in req.scalar) if (short(req.scalar[name], ni.allocatable.scalar[name] ?? 0, ni.requested.scalar[name] ?? 0)) return false;
  return true;
}

/**
 * Every resource the node lacks (upstream keeps all reasons, so a node short of
 * cpu and memory counts under both in the FailedScheduling message).
 */
function fitsRequest(req: Resource, ni: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (ni.pods.length + 1 > ni.allowedPodNumber) {
    out.push({ resourceName: "pods", reason: "Too many pods", requested: 1, used: ni.pods.length, capacity: ni.allowedPodNumber });
  }
  const check = (name: string, want: number, alloc: number, used: number) => {
    if (short(want, alloc, used)) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity: alloc });
  };
  check("cpu", req.milliCPU, ni.allocatable.milliCPU, ni.requested.milliCPU);
  check("memory", req.memory, ni.allocatable.memory, ni.requested.memory);
  check("ephemeral-storage", req.ephemeralStorage, ni.allocatable.ephemeralStorage, ni.requested.ephemeralStorage);
  for (const [name, want] of Object.entries(req.scalar)) {
    check(name, want, ni.allocatable.scalar[name] ?? 0, ni.requested.scalar[name] ?? 0);
  }
  return out;
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NodeResourcesFitName;
  private readonly perResource: (req: number, cap: number) => number;

  constructor(
    readonly strategy: ScoringStrategy = "LeastAllocated",
    private readonly resources: readonly ResourceSpec[] = DEFAULT_RESOURCES,
  ) {
    this.perResource = strategy === "MostAllocated" ? mostRequestedScore : leastRequestedScore;
  }

  preFilter(state: CycleState, pod: Pod): Status {
    state.write(PRE_FILTER_KEY, podRequests(pod));
    return success();
  }

  filter(state: CycleState, pod: Pod, ni: NodeInfo): Status {
    const req = state.read<Resource>(PRE_FILTER_KEY) ?? podRequests(pod);
    if (fitsAll(req, ni)) return success();
    const insufficient = fitsRequest(req, ni);
    // Unschedulable, not unresolvable: preempting pods on the node would free room.
    return unschedulable(...insufficient.map((r) => r.reason));
  }

  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, this.podRequestList(pod));
    return success();
  }

  score(state: CycleState, pod: Pod, ni: NodeInfo): number {
    const podReq = state.read<PodRequestList>(PRE_SCORE_KEY) ?? this.podRequestList(pod);
    return weightedResourceScore(ni, this.resources, podReq, this.perResource);
  }

  /** Scoring uses the non-zero requests (100m / 200Mi for containers without any). */
  private podRequestList(pod: Pod): PodRequestList {
    const nz = podNonZeroRequests(pod);
    return this.resources.map((r) => (r.name === "cpu" ? nz.milliCPU : nz.memory));
  }
}
