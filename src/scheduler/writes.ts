// The objects the scheduler writes, as store operations so that many pods' binds
// and events go to D1 in one batch: a bind is a conditional update of the pod
// (on the resourceVersion the decision was made from, which is what the binding
// subresource's "still unbound" check amounts to), plus its Scheduled event.

import type { Condition, Event, Pod } from "../model/types";
import type { WriteOp } from "../store/store";
import { setCondition } from "../store/binding";
import { isoSeconds } from "../config";
import { scheduledMessage, truncateMessage } from "./messages";
import { SCHEDULER_NAME } from "./state";

/** kube-scheduler's reportingInstance is "default-scheduler-<hostname>". */
export const REPORTING_INSTANCE = `${SCHEDULER_NAME}-edgekube`;

function rvOf(pod: Pod): number {
  return Number(pod.metadata.resourceVersion ?? 0);
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

let eventSeq = 0;

/** An Event about a pod, named `<pod>.<hex nanoseconds>` as client-go's recorder names them. */
export function podEvent(pod: Pod, type: "Normal" | "Warning", reason: string, action: string, message: string, now: number): Event {
  // Distinct names for events within one millisecond (Date.now() does not advance without I/O in workerd).
  const nanos = BigInt(now) * 1_000_000n + BigInt(eventSeq++ % 1_000_000);
  const ts = isoSeconds(now);
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${pod.metadata.name}.${nanos.toString(16)}`, namespace: pod.metadata.namespace, uid: crypto.randomUUID(), creationTimestamp: ts },
    involvedObject: {
      apiVersion: "v1",
      kind: "Pod",
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
    },
    reason,
    message: truncateMessage(message),
    source: { component: SCHEDULER_NAME },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type,
    eventTime: microTime(now),
    action,
    reportingComponent: SCHEDULER_NAME,
    reportingInstance: REPORTING_INSTANCE,
  };
}

/** Bind `pod` to `nodeName` (PodScheduled=True) and record `Scheduled`. */
export function bindOps(pod: Pod, nodeName: string, now: number): WriteOp[] {
  const next = structuredClone(pod);
  next.spec.nodeName = nodeName;
  next.status ??= {};
  // reason/message cleared explicitly: setCondition keeps the old ones (Unschedulable) otherwise.
  const cond: Condition = { type: "PodScheduled", status: "True", reason: undefined, message: undefined, lastProbeTime: null, lastTransitionTime: isoSeconds(now) };
  next.status.conditions = setCondition(next.status.conditions, cond);
  return [
    { op: "update", resource: "pods", object: next, expectedRv: rvOf(pod) },
    { op: "create", resource: "events", object: podEvent(pod, "Normal", "Scheduled", "Binding", scheduledMessage(pod, nodeName), now) },
  ];
}

/**
 * PodScheduled=False with `reason` and the message, and a `FailedScheduling`
 * event; nothing at all when the pod already says exactly that, so retrying a
 * parked pod (or a lost wake-up) never rewrites it.
 */
export function failedOps(pod: Pod, reason: "Unschedulable" | "SchedulerError", message: string, now: number): WriteOp[] {
  const cur = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (cur && cur.status === "False" && cur.reason === reason && cur.message === message) return [];
  const next = structuredClone(pod);
  next.status ??= {};
  next.status.conditions = setCondition(next.status.conditions, {
    type: "PodScheduled",
    status: "False",
    reason,
    message,
    lastProbeTime: null,
    lastTransitionTime: isoSeconds(now),
  });
  return [
    { op: "update", resource: "pods", object: next, expectedRv: rvOf(pod) },
    { op: "create", resource: "events", object: podEvent(pod, "Warning", "FailedScheduling", "Scheduling", message, now) },
  ];
}
