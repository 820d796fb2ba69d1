// core/v1 Events as the controllers' event recorders write them, built as store writes
// so they go into the same batch as the change they describe.
import type { Event, KubeObject } from "../model/types";
import type { WriteOp } from "../store/store";
import { findResource } from "../model/resources";
import { prepareForCreate } from "../api/strategy";
import { isoSeconds } from "../config";
import { DEFAULTING } from "./context";

export type EventComponent = "deployment-controller" | "replicaset-controller" | "namespace-controller" | "garbage-collector-controller";

const EVENTS = findResource("", "v1", "events")!;

/**
 * An Event about `about`. Names follow the recorder's `<object>.<hex nanoseconds>`;
 * the low digits are random so two events in the same millisecond never collide.
 */
export function eventOp(about: KubeObject, type: "Normal" | "Warning", reason: string, message: string, component: EventComponent, now: number): WriteOp {
  const nanos = BigInt(now) * 1_000_000n + BigInt(crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000);
  const t = isoSeconds(now);
  const event: Event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${about.metadata.name}.${nanos.toString(16)}`, namespace: about.metadata.namespace || "default" },
    involvedObject: {
      kind: about.kind,
      namespace: about.metadata.namespace,
      name: about.metadata.name,
      uid: about.metadata.uid,
      apiVersion: about.apiVersion,
      resourceVersion: about.metadata.resourceVersion,
    },
    reason,
    message,
    source: { component },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    type,
    eventTime: null,
    reportingComponent: component,
    reportingInstance: "",
  };
  prepareForCreate(EVENTS, event, { now, defaults: DEFAULTING });
  return { op: "create", resource: "events", object: event };
}
