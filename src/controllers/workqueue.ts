// The controllers' work queue (client-go workqueue semantics on Durable Object storage):
// one entry per key however often it is added; a key is never processed twice at once
// (an add while it runs marks it dirty and it runs again after); failures back off per
// key, 1 s doubling to 60 s. Entries are persisted, so a restart or an eviction of the
// Durable Object loses no pending work; the alarm is set to the earliest due time.
// Waiting keys sit in a heap by due time, so taking work stays O(log n) with
// thousands of objects queued by a resync.
import { KeyedHeap } from "../util/heap";

export interface QueueEntry {
  /** Epoch ms when the key may run. */
  due: number;
  /** Consecutive failures, for the back-off. */
  attempts: number;
}

/** The slice of SyncKvStorage the queue needs (a Map in unit tests). */
export interface QueueStorage {
  get(key: string): QueueEntry | undefined;
  put(key: string, value: QueueEntry): void;
  delete(key: string): boolean;
  list(options: { prefix: string }): Iterable<[string, QueueEntry]>;
}

const PREFIX = "q:";
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

export class WorkQueue {
  private readonly entries = new Map<string, QueueEntry>();
  /** Entries not being processed, earliest due first. */
  private readonly waiting = new KeyedHeap<{ key: string; due: number }>(
    (w) => w.key,
    (a, b) => a.due < b.due,
  );
  private readonly processing = new Set<string>();
  /** Keys added while they were being processed, with the earliest due time asked. */
  private readonly dirty = new Map<string, number>();

  constructor(private readonly storage: QueueStorage) {
    for (const [k, v] of storage.list({ prefix: PREFIX })) {
      const key = k.slice(PREFIX.length);
      this.entries.set(key, v);
      this.waiting.push({ key, due: v.due });
    }
  }

  /** Queue `key` to run at `due` (earlier requests win). */
  add(key: string, due: number): void {
    if (this.processing.has(key)) {
      this.dirty.set(key, Math.min(this.dirty.get(key) ?? Infinity, due));
      return;
    }
    const e = this.entries.get(key);
    if (e && e.due <= due) return;
    this.set(key, { due, attempts: e?.attempts ?? 0 });
  }

  /** Up to `max` keys due at `now`, earliest first; they count as processing until settled. */
  take(now: number, max: number): string[] {
    const keys: string[] = [];
    while (keys.length < max && (this.waiting.peek()?.due ?? Infinity) <= now) {
      const { key } = this.waiting.pop()!;
      this.processing.add(key);
      keys.push(key);
    }
    return keys;
  }

  /** The key converged: forget it, unless it was added again meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    const again = this.dirty.get(key);
    this.dirty.delete(key);
    if (again !== undefined) this.set(key, { due: again, attempts: 0 });
    else this.remove(key);
  }

  /** The key failed: run it again after its back-off (an add meanwhile does not cut it short). */
  failed(key: string, now: number): number {
    this.processing.delete(key);
    this.dirty.delete(key);
    const attempts = (this.entries.get(key)?.attempts ?? 0) + 1;
    const delay = backoffMs(attempts);
    this.set(key, { due: now + delay, attempts });
    return delay;
  }

  /** Earliest due time among keys not being processed. */
  nextDue(): number | undefined {
    let next = this.waiting.peek()?.due;
    for (const due of this.dirty.values()) if (next === undefined || due < next) next = due;
    return next;
  }

  get size(): number {
    return this.entries.size;
  }

  isIdle(): boolean {
    return this.processing.size === 0;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  private set(key: string, e: QueueEntry): void {
    this.entries.set(key, e);
    if (!this.processing.has(key)) this.waiting.push({ key, due: e.due });
    this.storage.put(PREFIX + key, e);
  }

  private remove(key: string): void {
    this.entries.delete(key);
    this.waiting.delete(key);
    this.storage.delete(PREFIX + key);
  }
}
