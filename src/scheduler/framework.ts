// The scheduling framework's vocabulary, shaped like kube-scheduler's
// pkg/scheduler/framework/interface.go: plugins return Status values (never
// throw), a CycleState carries what PreFilter/PreScore computed once per pod so
// that Filter/Score stay cheap per node, and NodeInfo is the per-node aggregate
// (the node plus what its pods already use) that every plugin reads.
//
// Everything here is pure data: the Scheduler Durable Object owns the snapshot
// and the queue; this module never touches a binding.

import type { Node, Pod } from "../model/types";
import type { Resource } from "../model/pod-resources";
import type { HostPort } from "../model/host-ports";

// The kubelet's admission counts with the same two shapes, so they live in model; the
// framework's vocabulary still names them.
export type { Resource, HostPort };

/** Highest score a plugin may give a node after normalisation (framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/**
 * Status codes as upstream names them. Strings rather than numbers so that an
 * explanation serialised to JSON reads without a lookup table.
 */
export const Code = {
  Success: "Success",
  /** Internal failure (a plugin bug, an unparsable quantity): the pod goes to back-off. */
  Error: "Error",
  /** The node does not fit now but could after preemption or a change in its pods. */
  Unschedulable: "Unschedulable",
  /** Nothing that happens to pods on this node can make it fit (labels, taints, cordon). */
  UnschedulableAndUnresolvable: "UnschedulableAndUnresolvable",
  /** PreScore: this plugin has nothing to say for this pod; its Score is not run. */
  Skip: "Skip",
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export interface Status {
  code: Code;
  /** Human reasons; each one is counted separately in the FailedScheduling message. */
  reasons: string[];
  /** The plugin that produced the status (set by the framework, as upstream's SetPlugin). */
  plugin?: string;
}

const SUCCESS: Status = Object.freeze({ code: Code.Success, reasons: [] }) as Status;

export function success(): Status {
  return SUCCESS;
}
export function unschedulable(...reasons: string[]): Status {
  return { code: Code.Unschedulable, reasons };
}
export function unresolvable(...reasons: string[]): Status {
  return { code: Code.UnschedulableAndUnresolvable, reasons };
}
export function errorStatus(message: string): Status {
  return { code: Code.Error, reasons: [message] };
}
export function skip(): Status {
  return { code: Code.Skip, reasons: [] };
}
/** Unschedulable or UnschedulableAndUnresolvable: the node was rejected, not broken. */
export function isRejected(s: Status): boolean {
  return s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable;
}
export function withPlugin(s: Status, plugin: string): Status {
  return s.plugin === plugin ? s : { ...s, plugin };
}

// ---- NodeInfo ----

/** What the scheduler needs to know about a pod already on a node, computed once. */
export interface PodInfo {
  /** namespace/name, the key the queue and the in-memory view use. */
  key: string;
  pod: Pod;
  priority: number;
  /** Requests exactly as Kubernetes aggregates them (init containers, sidecars, overhead). */
  requests: Resource;
  /** cpu/memory with 100m / 200Mi substituted where a container sets none (for scoring). */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
}

/**
 * One node and the load already placed on it. Mutable on purpose: the Scheduler
 * DO "assumes" a pod onto its in-memory view right after deciding (see
 * node-info.ts addPod/removePod), before the bind round trip finishes.
 */
export interface NodeInfo {
  name: string;
  node: Node;
  /** status.allocatable (capacity when allocatable is unset, as API defaulting does). */
  allocatable: Resource;
  /** allocatable "pods" (AllowedPodNumber). */
  allowedPodNumber: number;
  /** Sum of PodInfo.requests of every pod on the node. */
  requested: Resource;
  /** Sum of the non-zero cpu/memory requests (LeastAllocated/MostAllocated read these). */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
  pods: PodInfo[];
  /** Host ports in use: ip -> set of "protocol/port". */
  usedPorts: Map<string, Set<string>>;
  /** Images present on the node (every name in status.images) -> size in bytes. */
  images: Map<string, number>;
}

// ---- CycleState and plugins ----

/**
 * Per-pod scratch space for one scheduling cycle. PreFilter/PreScore write what
 * they compute once (the pod's requests, its host ports); Filter/Score read it.
 * Plugins fall back to computing it themselves when it is absent, so a plugin
 * can be unit-tested by calling filter() directly, as upstream does.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  constructor(
    /** Every node of the snapshot (ImageLocality needs the total and the spread). */
    readonly allNodes: readonly NodeInfo[] = [],
    /** How many of them report each image, when the caller keeps that count (see ClusterView.imageNodes). */
    readonly imageNodes?: ReadonlyMap<string, number>,
  ) {}
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

export interface FilterPlugin {
  readonly name: string;
  /** Once per pod; a rejection here rejects every node with the same status. */
  preFilter?(state: CycleState, pod: Pod): Status;
  /**
   * PreFilterResult.NodeNames: only these nodes can pass (undefined: all nodes). The
   * others are not filtered and count as rejected by this plugin.
   */
  preFilterNodes?(pod: Pod): ReadonlySet<string> | undefined;
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
}

export interface ScorePlugin {
  readonly name: string;
  /** Once per pod over the feasible nodes; returning Skip leaves this plugin out. */
  preScore?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status;
  /** Raw score of one node. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Rescale raw scores (same order as the nodes) in place to 0..MAX_NODE_SCORE. */
  normalize?(scores: number[]): void;
}

interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** A scheduling profile: filters run in order (first rejection wins), scores are weighted. */
export interface Profile {
  filters: FilterPlugin[];
  scores: WeightedScorePlugin[];
}
