// The kubelet's event recorder: core/v1 Events about its pods (Pulling, Pulled, Created,
// Started, Killing, BackOff, Failed, admission refusals), written in the same batch as
// the status they explain. Like client-go's EventCorrelator, an event identical to one
// already written (same pod, container, type, reason and message) bumps that event's
// count and lastTimestamp instead of adding a new object, so `kubectl describe` shows
// "(x4 over 2m)" for a crash loop.
import type { KubeObject, Pod } from "../../model/types";
import { newEvent } from "../../store/events";
import type { WriteOp } from "../../registry/ops";
import { isoSeconds } from "../../config";
import { hexOf } from "../node-object";
import { STATE_KEYS } from "./state";

type EventType = "Normal" | "Warning";

interface Pending {
  pod: Pod;
  fieldPath?: string;
  type: EventType;
  reason: string;
  message: string;
  times: number;
  key: string;
}

/** What is remembered of a written event to aggregate the next identical one into it. */
interface Correlation {
  name: string;
  uid: string;
  creationTimestamp: string;
  rv: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private readonly pending = new Map<string, Pending>();
  /** Correlation keys of the ops last built, in op order. */
  private built: { key: string; podUid: string; count: number; first: string }[] = [];

  constructor(
    private readonly node: string,
    private readonly kv: SyncKvStorage,
  ) {}

  emit(pod: Pod, fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    const uid = pod.metadata.uid ?? "";
    const key = `${STATE_KEYS.events(uid)}${hexOf(`${fieldPath ?? ""}\u0000${type}\u0000${reason}\u0000${message}`, 16)}`;
    const p = this.pending.get(key);
    if (p) {
      p.times++;
      p.pod = pod;
    } else this.pending.set(key, { pod, fieldPath, type, reason, message, times: 1, key });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Drop what was emitted for a pod (it is going away without a trace). */
  discard(uid: string): void {
    for (const [k, p] of this.pending) if (p.pod.metadata.uid === uid) this.pending.delete(k);
  }

  /** Store writes for everything emitted; `aggregate: false` writes new events only. */
  ops(now: number, aggregate = true): WriteOp[] {
    const ts = isoSeconds(now);
    const ops: WriteOp[] = [];
    this.built = [];
    for (const p of this.pending.values()) {
      const podUid = p.pod.metadata.uid ?? "";
      const prior = aggregate ? this.kv.get<Correlation>(p.key) : undefined;
      const count = (prior?.count ?? 0) + p.times;
      const first = prior?.firstTimestamp ?? ts;
      const event = newEvent(p.pod, { type: p.type, reason: p.reason, message: p.message, fieldPath: p.fieldPath, source: { component: "kubelet", host: this.node } }, now);
      // An aggregated event keeps its identity and first time; only count and last time move.
      if (prior) {
        event.metadata = { ...event.metadata, name: prior.name, uid: prior.uid, creationTimestamp: prior.creationTimestamp, resourceVersion: prior.rv };
      }
      event.firstTimestamp = first;
      event.count = count;
      ops.push(prior ? { op: "update", resource: "events", object: event, expectedRv: Number(prior.rv) } : { op: "create", resource: "events", object: event });
      this.built.push({ key: p.key, podUid, count, first });
    }
    return ops;
  }

  /** The ops from `ops()` were committed as `stored`: remember them for aggregation. */
  committed(stored: KubeObject[]): void {
    stored.forEach((obj, i) => {
      const b = this.built[i];
      if (!b) return;
      const c: Correlation = {
        name: obj.metadata.name ?? "",
        uid: obj.metadata.uid ?? "",
        creationTimestamp: obj.metadata.creationTimestamp ?? b.first,
        rv: obj.metadata.resourceVersion ?? "",
        count: b.count,
        firstTimestamp: b.first,
      };
      this.kv.put(b.key, c);
    });
    this.pending.clear();
    this.built = [];
  }
}
