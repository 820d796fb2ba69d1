// A write in a controller's or kubelet's batch, as the registry takes it. An update
// that carries `old` (the object it was computed from, as read) goes through the
// resource's update strategy and update validation without another read: `status`
// updates change status (and labels, annotations) only, others keep status and move
// the generation. An update without `old` is written as computed, after validation:
// metadata bookkeeping (owner references, finalizers, a deletionTimestamp) that no
// update strategy would let through.
import type { KubeObject } from "../model/types";

/** The subresources written with an update of their own rules: what of the object they may change. */
export type WriteSubresource = "status" | "ephemeralcontainers";

export type WriteOp =
  | { op: "create"; resource: string; object: KubeObject }
  | { op: "update"; resource: string; object: KubeObject; expectedRv: number; old?: KubeObject; subresource?: WriteSubresource }
  | { op: "delete"; resource: string; object: KubeObject; expectedRv: number };
