// client-go's EventCorrelator for a controller's recorder: an event identical to one it
// already wrote about the same object (type, reason, message) bumps that event's count
// and lastTimestamp instead of adding another object, so a condition that persists
// (an HPA that cannot read its metrics, every sync) shows as "(x40 over 10m)". The
// memory is the recorder's, as upstream's is: a restarted controller starts new events.
import type { Event, KubeObject } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { isoSeconds } from "../config";
import { eventOp, type EventComponent } from "./events";

interface Emitted {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** Correlated events older than this start afresh (client-go's maxLruCacheEntries works by count; a day is plenty here). */
const FORGET_AFTER_MS = 24 * 3_600_000;

export class EventCorrelator {
  private readonly seen = new Map<string, { event: Event; at: number }>();

  constructor(private readonly component: EventComponent) {}

  private key(about: KubeObject, e: Emitted): string {
    return `${about.metadata.uid}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
  }

  /** The writes for `events` about `about`; pass the stored results to committed(). */
  ops(about: KubeObject, events: Emitted[], now: number): { ops: WriteOp[]; keys: string[] } {
    const ops: WriteOp[] = [];
    const keys: string[] = [];
    for (const e of events) {
      const key = this.key(about, e);
      const prior = this.seen.get(key);
      if (prior && now - prior.at < FORGET_AFTER_MS && !keys.includes(key)) {
        const next: Event = { ...prior.event, count: (prior.event.count ?? 1) + 1, lastTimestamp: isoSeconds(now) };
        ops.push({ op: "update", resource: "events", object: next, expectedRv: Number(prior.event.metadata.resourceVersion) });
      } else ops.push(eventOp(about, e.type, e.reason, e.message, this.component, now));
      keys.push(key);
    }
    return { ops, keys };
  }

  committed(keys: string[], stored: KubeObject[], now: number): void {
    keys.forEach((k, i) => {
      if (stored[i]) this.seen.set(k, { event: stored[i] as Event, at: now });
    });
  }

  /** Forget what was written about an object (it is gone, or an aggregated event could not be updated). */
  forget(uid: string | undefined): void {
    for (const k of [...this.seen.keys()]) if (k.startsWith(`${uid}\u0000`)) this.seen.delete(k);
  }
}
