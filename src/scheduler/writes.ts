// The objects the scheduler writes, as store operations so that many pods' binds
// and events go to D1 in one batch: a bind is a conditional update of the pod
// (on the resourceVersion the decision was made from, which is what the binding
// subresource's "still unbound" check amounts to), plus its Scheduled event.

import type { Condition, Pod } from "../model/types";
import { eventWrite } from "../store/events";
import type { WriteOp } from "../registry/ops";
import { setCondition } from "../store/binding";
import { planDeletion } from "../registry/deletion";
import { isoSeconds } from "../config";
import { scheduledMessage, truncateMessage } from "./messages";
import { SCHEDULER_NAME } from "./state";

/** kube-scheduler's reportingInstance is "default-scheduler-<hostname>". */
const REPORTING_INSTANCE = `${SCHEDULER_NAME}-edgekube`;

function rvOf(pod: Pod): number {
  return Number(pod.metadata.resourceVersion ?? 0);
}

/** An Event about a pod from the scheduler, as a store write. */
function podEvent(pod: Pod, type: "Normal" | "Warning", reason: string, action: string, message: string, now: number): WriteOp {
  return eventWrite(pod, { type, reason, action, message: truncateMessage(message), source: { component: SCHEDULER_NAME }, reportingInstance: REPORTING_INSTANCE, withEventTime: true }, now);
}

/** Bind `pod` to `nodeName` (PodScheduled=True) and record `Scheduled`. */
export function bindOps(pod: Pod, nodeName: string, now: number): WriteOp[] {
  const next = structuredClone(pod);
  next.spec.nodeName = nodeName;
  next.status ??= {};
  // setCondition drops the old Unschedulable reason and message as the status changes.
  const cond: Condition = { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: isoSeconds(now) };
  next.status.conditions = setCondition(next.status.conditions, cond);
  return [
    // The pods/binding subresource's own rule (nodeName set once), not the pod's update
    // strategy: the bind is written as computed, after validation.
    { op: "update", resource: "pods", object: next, expectedRv: rvOf(pod) },
    podEvent(pod, "Normal", "Scheduled", "Binding", scheduledMessage(pod, nodeName), now),
  ];
}

/**
 * PodScheduled=False with `reason` and the message, and a `FailedScheduling`
 * event; nothing at all when the pod already says exactly that, so retrying a
 * parked pod (or a lost wake-up) never rewrites it.
 */
export function failedOps(pod: Pod, reason: "Unschedulable" | "SchedulerError", message: string, now: number, nominatedNodeName?: string): WriteOp[] {
  const cur = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  const nominating = nominatedNodeName !== undefined && pod.status?.nominatedNodeName !== nominatedNodeName;
  if (!nominating && cur && cur.status === "False" && cur.reason === reason && cur.message === message) return [];
  const next = structuredClone(pod);
  next.status ??= {};
  // Written with the condition in one status update, as upstream's updatePod does.
  if (nominatedNodeName !== undefined) next.status.nominatedNodeName = nominatedNodeName;
  next.status.conditions = setCondition(next.status.conditions, {
    type: "PodScheduled",
    status: "False",
    reason,
    message,
    lastProbeTime: null,
    lastTransitionTime: isoSeconds(now),
  });
  return [
    { op: "update", resource: "pods", object: next, expectedRv: rvOf(pod), old: pod, subresource: "status" },
    podEvent(pod, "Warning", "FailedScheduling", "Scheduling", message, now),
  ];
}

/**
 * One victim of a preemption (upstream's PreemptPod): the DisruptionTarget condition
 * and the graceful deletion in one update, conditional on the version read (a pod
 * that changed meanwhile fails the batch, which is retried pod by pod), and the
 * `Preempted` event. A victim already being deleted gets nothing more.
 */
export function victimOps(victim: Pod, preemptor: Pod, nodeName: string, now: number): WriteOp[] {
  if (victim.metadata.deletionTimestamp) return [];
  const marked = structuredClone(victim);
  const condition: Condition = {
    type: "DisruptionTarget",
    status: "True",
    reason: "PreemptionByScheduler",
    message: `${preemptor.spec.schedulerName || SCHEDULER_NAME}: preempting to accommodate a higher priority pod`,
    lastProbeTime: null,
    lastTransitionTime: isoSeconds(now),
  };
  marked.status = { ...marked.status, conditions: setCondition(marked.status?.conditions, condition) };
  const next = planDeletion("pods", marked, {}, now);
  const expectedRv = rvOf(victim);
  return [
    next ? { op: "update", resource: "pods", object: next, expectedRv } : { op: "delete", resource: "pods", object: victim, expectedRv },
    podEvent(victim, "Normal", "Preempted", "Preempting", `Preempted by pod ${preemptor.metadata.uid ?? ""} on node ${nodeName}`, now),
  ];
}
