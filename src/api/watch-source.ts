// The API worker's end of a watch on the watch cache: events read from the cache
// Durable Object's stream, resumed from the last one received whenever that stream
// breaks (the object was evicted, restarted or moved), so the client's stream goes on
// with nothing lost and nothing twice.
import type { KubeObject, Status } from "../model/types";
import { watchCache } from "../controlplane/stubs";
import { parseRelayLine } from "../controlplane/watch-relay-line";
import type { SelectionSpec } from "../model/watch-filter";
import { sleep } from "./stream";

export type CacheEvent =
  | RelayedChange
  /** The cache has considered every change up to `rv` (nothing is forwarded as such). */
  | { type: "BOOKMARK"; rv: number }
  | { type: "ERROR"; object: Status };

/** A reconnect that receives nothing counts as a failure; this many in a row end the watch. */
const MAX_FAILURES = 8;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2_000;

type Next = CacheEvent | "timeout" | "closed" | "failed";

/**
 * A change as the cache sent it: the watch event's JSON, ready for a client that wants
 * it as it is, and the object parsed only for one that needs it (a Table, a converted
 * version).
 */
export class RelayedChange {
  private parsed: KubeObject | undefined;

  constructor(
    readonly type: "ADDED" | "MODIFIED" | "DELETED",
    readonly rv: number,
    /** "namespace/name". */
    readonly key: string,
    /** `{"type":...,"object":...}`, without a newline. */
    readonly json: string,
  ) {}

  get object(): KubeObject {
    return (this.parsed ??= (JSON.parse(this.json) as { object: KubeObject }).object);
  }
}

/**
 * Events read ahead of the client at most. The cache's stream is read while the client's
 * write is in flight, so each write carries what arrived meanwhile; past this many the
 * reading pauses and the cache's own queue takes the backlog (and closes a watcher
 * whose client never catches up).
 */
const READ_AHEAD = 1_000;

export class CacheWatch {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private decoder = new TextDecoder();
  private buf = "";
  private readonly events: CacheEvent[] = [];
  private failures = 0;
  private closed = false;
  /** The cache could not be reached MAX_FAILURES times in a row. */
  private failed = false;
  /** The cache sent an ERROR (410 Expired): its stream ends there, nothing to resume. */
  private ended = false;
  /** The read loop, started by the first `next`. */
  private reading: Promise<void> | undefined;
  /** Wakes a `next` waiting for events. */
  private wake: (() => void) | undefined;
  /** Wakes the read loop waiting for room. */
  private resume: (() => void) | undefined;
  /** The revision of the last line received: where a reconnect resumes. */
  private received: number;

  constructor(
    private readonly env: Env,
    private readonly resource: string,
    private readonly selection: SelectionSpec,
    since: number,
  ) {
    this.received = since;
  }

  /** Every change up to here has reached this side (when no events are waiting: has been handed out). */
  get rv(): number {
    return this.received;
  }

  /** The next event, or "timeout" after `waitMs` without one. */
  async next(waitMs: number): Promise<Next> {
    const ready = this.take1();
    if (ready) return ready;
    this.reading ??= this.readLoop();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, waitMs));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    return this.take1() ?? "timeout";
  }

  /** Events that have already arrived, up to `max`, without waiting for more. */
  ready(max: number): CacheEvent[] {
    const out = this.events.splice(0, max);
    this.resume?.();
    return out;
  }

  /** Stop reading; the cache drops the watcher when its stream is cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.drop();
    this.wake?.();
    this.resume?.();
  }

  private take1(): Next | undefined {
    if (this.closed) return "closed";
    const ev = this.events.shift();
    if (ev) {
      this.resume?.();
      return ev;
    }
    return this.failed ? "failed" : undefined;
  }

  /** Read the cache's stream into `events`, reconnecting (with back-off) from the last line received when it breaks. */
  private async readLoop(): Promise<void> {
    while (!this.closed && !this.ended) {
      if (!this.reader) {
        if (this.failures >= MAX_FAILURES) {
          this.failed = true;
          this.wake?.();
          return;
        }
        if (this.failures > 0) await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failures - 1)));
        if (this.closed) return;
        if (!(await this.connect())) continue;
      }
      if (this.events.length >= READ_AHEAD) {
        await new Promise<void>((resolve) => (this.resume = resolve));
        this.resume = undefined;
        continue;
      }
      let got: ReadableStreamReadResult<Uint8Array> | undefined;
      try {
        got = await this.reader!.read();
      } catch {
        got = undefined;
      }
      if (this.closed) return;
      if (!got || got.done) {
        // The cache's stream broke or ended: resume from the last line received.
        this.drop();
        this.failures++;
        continue;
      }
      this.take(got.value);
      if (this.events.length) this.wake?.();
    }
  }

  private async connect(): Promise<boolean> {
    const q = new URLSearchParams({ resource: this.resource, since: String(this.received) });
    for (const [k, v] of Object.entries(this.selection)) if (v) q.set(k, v);
    try {
      const res = await watchCache(this.env, this.resource).fetch(`https://watch-cache/watch?${q}`);
      if (!res.ok || !res.body) throw new Error(`watch cache answered ${res.status}: ${await res.text()}`);
      if (this.closed) {
        await res.body.cancel();
        return false;
      }
      this.reader = res.body.getReader();
      this.buf = "";
      return true;
    } catch (e) {
      console.error("watch: connecting to the watch cache failed:", e);
      this.failures++;
      return false;
    }
  }

  private drop(): void {
    const r = this.reader;
    this.reader = undefined;
    this.buf = "";
    // A stream that broke inside a character must not leave its first bytes to the next.
    this.decoder = new TextDecoder();
    r?.cancel().catch(() => undefined);
  }

  private take(chunk: Uint8Array): void {
    const text = this.buf + this.decoder.decode(chunk, { stream: true });
    // One chunk carries many lines (the cache writes what queued meanwhile at once):
    // split once, keep the unfinished tail.
    const lines = text.split("\n");
    this.buf = lines.pop() ?? "";
    for (const line of lines) {
      if (!line) continue;
      const ev = parseRelayLine(line);
      if (!ev) {
        console.error(`watch: the watch cache sent a line this relay cannot read: ${line.slice(0, 80)}`);
        continue;
      }
      if (ev.type === "ERROR") {
        this.events.push({ type: "ERROR", object: (JSON.parse(ev.json) as { object: Status }).object });
        this.ended = true;
        return;
      }
      // After a reconnect the cache starts after `received`: anything at or before it is a repeat.
      if (!(ev.rv > this.received)) continue;
      this.received = ev.rv;
      this.failures = 0;
      if (ev.type === "BOOKMARK") this.events.push({ type: "BOOKMARK", rv: ev.rv });
      else this.events.push(new RelayedChange(ev.type, ev.rv, ev.key, ev.json));
    }
  }
}
