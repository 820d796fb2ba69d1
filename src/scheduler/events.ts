// Cluster events that can make an unschedulable pod schedulable, and which
// plugin's rejection each one can undo (upstream EventsToRegister per plugin).
// A pod parked as unschedulable is re-activated only by an event relevant to a
// plugin that rejected it: a new label on some node does not wake a pod that
// is waiting for cpu.

import type { Node } from "../model/types";
import {
  ImageLocalityName,
  NodeAffinityName,
  NodeNameName,
  NodePortsName,
  NodeResourcesBalancedAllocationName,
  NodeResourcesFitName,
  NodeUnschedulableName,
  TaintTolerationName,
  VolumeBindingName,
} from "./plugins/names";

export type ClusterEvent =
  | "NodeAdd"
  | "NodeAllocatableChange"
  | "NodeLabelChange"
  /** Taints changed, or spec.unschedulable (cordon/uncordon) did: upstream files both under UpdateNodeTaint. */
  | "NodeTaintChange"
  | "NodeConditionChange"
  /** A pod bound to a node was deleted or became Succeeded/Failed: its resources and ports are free. */
  | "AssignedPodDelete"
  /** A PersistentVolumeClaim was added, changed (bound) or deleted. */
  | "PvcChange"
  /** Moves every parked pod: the periodic resync that covers a lost wake-up. */
  | "ForceActivate";

/** Events that can undo each plugin's rejection. */
const EVENTS_BY_PLUGIN: Readonly<Record<string, readonly ClusterEvent[]>> = {
  [NodeUnschedulableName]: ["NodeAdd", "NodeTaintChange"],
  [NodeNameName]: ["NodeAdd"],
  [TaintTolerationName]: ["NodeAdd", "NodeTaintChange"],
  [NodeAffinityName]: ["NodeAdd", "NodeLabelChange"],
  [NodePortsName]: ["NodeAdd", "AssignedPodDelete"],
  [NodeResourcesFitName]: ["NodeAdd", "NodeAllocatableChange", "AssignedPodDelete"],
  [NodeResourcesBalancedAllocationName]: [],
  [ImageLocalityName]: [],
  [VolumeBindingName]: ["PvcChange"],
};

/**
 * Whether `event` may help a pod that these plugins rejected. A pod with no
 * recorded rejector (it failed with an error) moves on any event, as upstream.
 */
export function isEventRelevant(event: ClusterEvent, rejectors: ReadonlySet<string>): boolean {
  if (event === "ForceActivate" || rejectors.size === 0) return true;
  for (const p of rejectors) {
    const events = EVENTS_BY_PLUGIN[p];
    if (!events || events.includes(event)) return true;
  }
  return false;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The events a Node update amounts to (upstream nodeSchedulingPropertiesChange). */
export function nodeUpdateEvents(oldNode: Node, newNode: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(oldNode.status?.allocatable ?? oldNode.status?.capacity, newNode.status?.allocatable ?? newNode.status?.capacity)) {
    out.push("NodeAllocatableChange");
  }
  if (!same(oldNode.metadata.labels, newNode.metadata.labels)) out.push("NodeLabelChange");
  if (!same(oldNode.spec?.taints, newNode.spec?.taints) || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) {
    out.push("NodeTaintChange");
  }
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => [c.type, c.status]);
  if (!same(conds(oldNode), conds(newNode))) out.push("NodeConditionChange");
  return out;
}
