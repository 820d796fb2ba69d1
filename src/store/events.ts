// core/v1 Events as client-go's event recorders write them, built as store writes so
// they can go into the same batch as the change they describe.
import type { Event, KubeObject } from "../model/types";
import type { WriteOp } from "./store";

interface EventSource {
  /** "kubelet", "default-scheduler", "node-controller", "deployment-controller"... */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

interface EventSpec {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  source: EventSource;
  /** e.g. `spec.containers{app}` for a container's events. */
  fieldPath?: string;
  /** Event action (what was being done), e.g. "Binding". */
  action?: string;
  /** Defaults to the source host, as client-go's recorder sets it. */
  reportingInstance?: string;
  /** Also set eventTime (MicroTime), as the events/v1 recorders do. */
  withEventTime?: boolean;
}

// The low "nanosecond" digits count up, so events of one millisecond keep their order
// (the clock does not advance without I/O in workerd); the start is random so two
// isolates writing about one object in the same millisecond do not collide.
let seq = Math.floor(Math.random() * 500_000);

/** An Event about `about`, named `<object>.<hex nanoseconds>` like the recorder names them. */
export function newEvent(about: KubeObject, spec: EventSpec, now: number): Event {
  const nanos = BigInt(now) * 1_000_000n + BigInt(seq++ % 1_000_000);
  const t = new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z");
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${about.metadata.name}.${nanos.toString(16)}`,
      namespace: about.metadata.namespace || "default",
      uid: crypto.randomUUID(),
      creationTimestamp: t,
    },
    involvedObject: {
      kind: about.kind,
      namespace: about.metadata.namespace,
      name: about.metadata.name,
      uid: about.metadata.uid,
      apiVersion: about.apiVersion,
      resourceVersion: about.metadata.resourceVersion,
      ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
    },
    reason: spec.reason,
    message: spec.message,
    source: { component: spec.source.component, ...(spec.source.host ? { host: spec.source.host } : {}) },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type: spec.type,
    eventTime: spec.withEventTime ? new Date(now).toISOString().replace("Z", "000Z") : null,
    ...(spec.action ? { action: spec.action } : {}),
    reportingComponent: spec.source.component,
    reportingInstance: spec.reportingInstance ?? spec.source.host ?? "",
  };
}

export function eventWrite(about: KubeObject, spec: EventSpec, now: number): WriteOp {
  return { op: "create", resource: "events", object: newEvent(about, spec, now) };
}
