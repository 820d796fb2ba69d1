// ReadWriteOnce as a pure core: who may attach a volume, and whose writes it takes.
// An attachment is one node (and the pods there using it) with a generation; attaching
// on a new node raises the generation, and only writes carrying the current
// generation from the attached node are taken. A node that lost the volume while it
// was cut off (its pods deleted, the volume attached elsewhere) keeps writing with its
// old generation and is refused: fencing, as a storage array's SCSI reservations or a
// lease epoch would do it.
import type { Attachment, VolumeUser } from "../../controlplane/volume-api";

export interface VolumeState {
  /** The generation of the latest attachment (0: never attached). */
  generation: number;
  attachment: Attachment | null;
}

export const EMPTY_VOLUME: VolumeState = { generation: 0, attachment: null };

export type AttachDecision =
  | { kind: "grant"; state: VolumeState }
  | { kind: "refuse"; holder: string; message: string };

/** The attach-detach controller's words when an RWO volume is held by another node. */
export function multiAttachMessage(volume: string): string {
  return `Multi-Attach error for volume "${volume}" Volume is already exclusively attached to one node and can't be attached to another`;
}

/** The pods of the current attachment that must still exist for a request from `node` to be refused. */
export function usersToCheck(state: VolumeState, node: string): VolumeUser[] {
  const a = state.attachment;
  return a && a.node !== node ? a.pods : [];
}

/**
 * Attach for `pod` on `node`. `alive`: which of usersToCheck() still exist as those pods
 * (same uid). Same node: joins the attachment at its generation. Free, or held by a
 * node none of whose pods exist any more: a new attachment at the next generation.
 */
export function decideAttach(volume: string, state: VolumeState, node: string, pod: VolumeUser, alive: readonly VolumeUser[]): AttachDecision {
  const a = state.attachment;
  if (a && a.node === node) {
    const pods = a.pods.some((p) => p.uid === pod.uid) ? a.pods : [...a.pods, pod];
    return { kind: "grant", state: { generation: state.generation, attachment: { ...a, pods } } };
  }
  if (a && alive.length) return { kind: "refuse", holder: a.node, message: multiAttachMessage(volume) };
  const generation = state.generation + 1;
  return { kind: "grant", state: { generation, attachment: { node, generation, pods: [pod] } } };
}

/** The pod stopped using the volume on `node`; the last one detaches it. Another node's request changes nothing. */
export function detach(state: VolumeState, node: string, podUid: string): VolumeState {
  const a = state.attachment;
  if (!a || a.node !== node) return state;
  const pods = a.pods.filter((p) => p.uid !== podUid);
  return { generation: state.generation, attachment: pods.length ? { ...a, pods } : null };
}

export type WriteCheck = { ok: true } | { ok: false; message: string };

/** A write is taken only from the attached node at the attachment's generation. */
export function checkWrite(volume: string, state: VolumeState, node: string, generation: number): WriteCheck {
  const a = state.attachment;
  if (a && a.node === node && a.generation === generation) return { ok: true };
  if (!a) return { ok: false, message: `volume "${volume}" is not attached: write from node "${node}" at generation ${generation} refused` };
  return {
    ok: false,
    message: `volume "${volume}" is attached to node "${a.node}" at generation ${a.generation}: write from node "${node}" at generation ${generation} refused (fenced)`,
  };
}
