// core/v1 Events as the controllers' event recorders write them, built as store writes
// so they go into the same batch as the change they describe.
import type { KubeObject } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { eventWrite } from "../store/events";

export type EventComponent =
  | "deployment-controller"
  | "replicaset-controller"
  | "replication-controller"
  | "daemonset-controller"
  | "statefulset-controller"
  | "job-controller"
  | "cronjob-controller"
  | "ttl-after-finished-controller"
  | "namespace-controller"
  | "garbage-collector-controller"
  | "persistentvolume-controller"
  | "horizontal-pod-autoscaler"
  /** The disruption controller's recorder names the whole manager, as upstream's does. */
  | "controllermanager"
  | "edgekube-ingress-controller"
  /** The model's provisioner, named as its class names it (an external provisioner's events carry its name). */
  | "edgekube.dev/volume";

/** An Event about `about` from one of the controllers, as a store write. */
export function eventOp(about: KubeObject, type: "Normal" | "Warning", reason: string, message: string, component: EventComponent, now: number): WriteOp {
  return eventWrite(about, { type, reason, message, source: { component } }, now);
}
