// Everything one sync has to tell the API, in ONE store batch: pod status updates (the
// /status semantics: only `status` changes, conditional on the resourceVersion the
// kubelet read), removals of pods that finished terminating, and the events. On a
// conflict the pods are read again and the batch is rebuilt on the fresh objects
// (guaranteedUpdate, but for the whole batch); a pod that vanished is dropped.
import type { Pod, PodStatus } from "../../model/types";
import type { ObjectStore } from "../../store/store";
import type { Registry } from "../../registry/registry";
import type { WriteOp } from "../../registry/ops";
import { isStaleOrGone } from "../../store/retry";
import type { EventRecorder } from "./events";
import type { PodRecord } from "./state";
import { statusChanged } from "./pod-status";

export interface PodWrite {
  rec: PodRecord;
  kind: "status" | "remove";
  status?: PodStatus;
  /** Set after commit: the pod is gone from the store. */
  removed?: boolean;
  /** Set after commit: nothing was written because the pod no longer exists. */
  dropped?: boolean;
  /** The store already holds this status (found on re-reading after a conflict). */
  unneeded?: boolean;
}

const ATTEMPTS = 4;

function podOp(w: PodWrite): WriteOp {
  const pod = w.rec.pod;
  const expectedRv = Number(pod.metadata.resourceVersion);
  if (w.kind === "remove") return { op: "delete", resource: "pods", object: pod, expectedRv };
  return { op: "update", resource: "pods", subresource: "status", object: { ...pod, status: w.status }, old: pod, expectedRv };
}

/** The status the kubelet reports for a pod, computed against `rec.pod` as it now is. */
type StatusOf = (rec: PodRecord) => PodStatus;

async function reread(store: ObjectStore, writes: PodWrite[], statusOf: StatusOf): Promise<void> {
  for (const w of writes) {
    const cur = (await store.get("pods", w.rec.namespace, w.rec.name)) as Pod | null;
    if (!cur || cur.metadata.uid !== w.rec.uid) {
      w.dropped = true;
      w.removed = w.kind === "remove";
      w.rec.gone = true;
      continue;
    }
    w.rec.pod = cur;
    if (w.kind !== "status") continue;
    // Like guaranteedUpdate's mutate: recompute on the fresh object (transition times
    // carry over from what the store holds), and skip it if the store already agrees.
    w.status = statusOf(w.rec);
    w.unneeded = !statusChanged(cur, w.status);
  }
}

export async function commitWrites(registry: Registry, writes: PodWrite[], recorder: EventRecorder, now: number, statusOf: StatusOf): Promise<void> {
  let aggregate = true;
  for (let attempt = 1; ; attempt++) {
    const live = writes.filter((w) => !w.dropped && !w.unneeded);
    const podOps = live.map(podOp);
    const eventOps = recorder.ops(now, aggregate);
    if (!podOps.length && !eventOps.length) return;
    try {
      const stored = await registry.commit([...podOps, ...eventOps]);
      live.forEach((w, i) => {
        if (w.kind === "remove") w.removed = true;
        else w.rec.pod = stored[i] as Pod;
      });
      recorder.committed(stored.slice(podOps.length));
      return;
    } catch (e) {
      const retriable = isStaleOrGone(e);
      if (!retriable || attempt >= ATTEMPTS) throw e;
      await reread(registry.store, live, statusOf);
      // An event we meant to bump may be what conflicted (expired, or deleted): write new ones.
      aggregate = false;
    }
  }
}
