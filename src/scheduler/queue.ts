// The scheduling queue (upstream internal/queue PriorityQueue), pure and
// driven by an injected clock so the Scheduler DO can persist nothing but
// decide its alarm from nextWakeAt():
//
// - activeQ: pods to try now, highest spec.priority first, then longest waiting.
// - backoffQ: pods that failed recently wait 1 s, 2 s, 4 s, 8 s, then 10 s per
//   attempt before going back to activeQ, so a hot failure does not spin.
// - unschedulable: pods no node fits wait here until a cluster event that could
//   change that (a node added, a pod deleted, a taint removed...) moves them
//   back; after 5 minutes without one they are retried anyway, which covers a
//   lost wake-up.
// - in flight: popped, being scheduled. Events arriving meanwhile are kept, so
//   a pod that fails just as a node appears is not parked and forgotten.
//
// Only pods without spec.nodeName belong here: the caller deletes a pod's key
// once it is bound or deleted.

import type { Pod } from "../model/types";
import { type ClusterEvent, isEventRelevant } from "./events";
import { KeyedHeap } from "../util/heap";
import { podKey, podPriority } from "./node-info";

const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 10_000;
/** podMaxInUnschedulablePodsDuration. */
const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPodInfo {
  key: string;
  pod: Pod;
  priority: number;
  /** When the pod last entered the queue (ms): orders equal priorities, starts back-off. */
  timestamp: number;
  /** First time it was popped, for "time to schedule" measurements. */
  initialAttemptTimestamp?: number;
  /** Scheduling attempts so far (incremented by pop). */
  attempts: number;
  /** Plugins that rejected it in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** Arrival order, the last tie-breaker so equal pods stay first-in first-out. */
  seq: number;
}

export interface QueueOptions {
  now: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
}

export type QueueLocation = "active" | "backoff" | "unschedulable" | "inFlight";

interface InFlight {
  info: QueuedPodInfo;
  /** Cluster events seen while the pod was being scheduled. */
  events: Set<ClusterEvent>;
  /** The pod object changed while in flight. */
  updated?: Pod;
}

/** Spec or labels changed: something that may change the verdict (status-only updates do not). */
function isPodUpdated(a: Pod, b: Pod): boolean {
  return JSON.stringify([a.spec, a.metadata.labels]) !== JSON.stringify([b.spec, b.metadata.labels]);
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private seq = 0;

  private readonly active = new KeyedHeap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => a.priority > b.priority || (a.priority === b.priority && (a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq))),
  );
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  /** Insertion order = timestamp order (entries are added with timestamp = now()). */
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(opts: QueueOptions) {
    this.now = opts.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoffMs = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
  }

  // ---- pods arriving, changing, leaving ----

  /** A new pending pod (or a known one, treated as an update). */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.where(key)) {
      this.update(pod);
      return;
    }
    this.active.push({
      key,
      pod,
      priority: podPriority(pod),
      timestamp: this.now(),
      attempts: 0,
      unschedulablePlugins: new Set(),
      seq: this.seq++,
    });
  }

  /** The pod object changed; a parked pod whose spec or labels changed is retried. */
  update(pod: Pod): void {
    const key = podKey(pod);
    const refresh = (info: QueuedPodInfo) => ({ ...info, pod, priority: podPriority(pod) });
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.updated = pod;
      return;
    }
    const inActive = this.active.get(key);
    if (inActive) return this.active.push(refresh(inActive));
    const inBackoff = this.backoff.get(key);
    if (inBackoff) return this.backoff.push(refresh(inBackoff));
    const parked = this.unschedulable.get(key);
    if (parked) {
      if (isPodUpdated(parked.pod, pod)) {
        this.unschedulable.delete(key);
        this.requeue(refresh(parked));
      } else {
        this.unschedulable.set(key, refresh(parked));
      }
      return;
    }
    this.add(pod);
  }

  /** Bound, deleted, or no longer ours: forget the key everywhere (a later failure report is ignored). */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  // ---- the scheduling loop ----

  /** The next pod to schedule, or undefined when none is ready (see nextWakeAt). */
  pop(): QueuedPodInfo | undefined {
    this.flush();
    const info = this.active.pop();
    if (!info) return undefined;
    info.attempts++;
    info.initialAttemptTimestamp ??= this.now();
    this.inFlight.set(info.key, { info, events: new Set() });
    return info;
  }

  /** The popped pod was bound (or given up on): stop tracking it. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * No node fits the popped pod. It is parked until an event relevant to
   * `rejectors` (the result's unschedulablePlugins), unless such an event, or
   * a change to the pod itself, already happened while it was in flight.
   * Returns false when the pod was deleted meanwhile.
   */
  addUnschedulable(info: QueuedPodInfo, rejectors: ReadonlySet<string> = info.unschedulablePlugins): boolean {
    const flying = this.takeInFlight(info);
    if (!flying) return false;
    const next = this.refreshed(flying, info);
    next.unschedulablePlugins = new Set(rejectors);
    next.timestamp = this.now();
    const missedEvent = [...flying.events].some((e) => isEventRelevant(e, next.unschedulablePlugins));
    if (flying.updated || missedEvent) this.requeue(next);
    else this.unschedulable.set(next.key, next);
    return true;
  }

  /**
   * Retry after back-off: the bind was refused (the node's kubelet is the final
   * authority) or the attempt ended in an error. Returns false when deleted meanwhile.
   */
  addBackoff(info: QueuedPodInfo): boolean {
    const flying = this.takeInFlight(info);
    if (!flying) return false;
    const next = this.refreshed(flying, info);
    next.timestamp = this.now();
    this.requeue(next);
    return true;
  }

  /** A cluster event: move every parked pod it could help; in-flight pods remember it. */
  moveAllToActiveOrBackoff(event: ClusterEvent): number {
    for (const f of this.inFlight.values()) f.events.add(event);
    let moved = 0;
    for (const [key, info] of this.unschedulable) {
      if (!isEventRelevant(event, info.unschedulablePlugins)) continue;
      this.unschedulable.delete(key);
      this.requeue(info);
      moved++;
    }
    return moved;
  }

  /**
   * Moves pods whose back-off has ended to activeQ, and pods parked longer
   * than maxInUnschedulable back for a retry. pop() calls it; the DO's alarm may too.
   */
  flush(): void {
    const now = this.now();
    for (let top = this.backoff.peek(); top && this.backoffExpiry(top) <= now; top = this.backoff.peek()) {
      this.active.push(this.backoff.pop()!);
    }
    for (const [key, info] of this.unschedulable) {
      if (now - info.timestamp < this.maxInUnschedulableMs) break; // the rest are younger
      this.unschedulable.delete(key);
      this.requeue(info);
    }
  }

  // ---- timing ----

  /** 0 before the first attempt; then initial * 2^(attempts-1), capped at max. */
  backoffDuration(info: Pick<QueuedPodInfo, "attempts">): number {
    if (info.attempts === 0) return 0;
    let d = this.initialBackoffMs;
    for (let i = 1; i < info.attempts; i++) {
      if (d > this.maxBackoffMs - d) return this.maxBackoffMs;
      d += d;
    }
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(info: Pick<QueuedPodInfo, "attempts" | "timestamp">): number {
    return info.timestamp + this.backoffDuration(info);
  }

  /** When the earliest backing-off pod becomes ready, if any. */
  nextBackoffAt(): number | undefined {
    const top = this.backoff.peek();
    return top ? this.backoffExpiry(top) : undefined;
  }

  /** When the queue next has work without any event: a back-off ends or a parked pod times out. */
  nextWakeAt(): number | undefined {
    const b = this.nextBackoffAt();
    const first = this.unschedulable.values().next();
    const u = first.done ? undefined : first.value.timestamp + this.maxInUnschedulableMs;
    if (b === undefined) return u;
    return u === undefined ? b : Math.min(b, u);
  }

  // ---- inspection ----

  where(key: string): QueueLocation | undefined {
    if (this.inFlight.has(key)) return "inFlight";
    if (this.active.has(key)) return "active";
    if (this.backoff.has(key)) return "backoff";
    if (this.unschedulable.has(key)) return "unschedulable";
    return undefined;
  }

  get(key: string): QueuedPodInfo | undefined {
    return this.inFlight.get(key)?.info ?? this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
  }

  stats(): Record<QueueLocation, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  // ---- internals ----

  private takeInFlight(info: QueuedPodInfo): InFlight | undefined {
    const flying = this.inFlight.get(info.key);
    if (flying) this.inFlight.delete(info.key);
    return flying;
  }

  /** The queued info carried forward, with the newest pod object if it changed in flight. */
  private refreshed(flying: InFlight, info: QueuedPodInfo): QueuedPodInfo {
    const pod = flying.updated ?? info.pod;
    return { ...info, pod, priority: podPriority(pod), unschedulablePlugins: new Set(info.unschedulablePlugins) };
  }

  /** Back to backoffQ if its back-off has not ended yet, else straight to activeQ. */
  private requeue(info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.now()) this.backoff.push(info);
    else this.active.push(info);
  }
}
