// The API worker's end of a watch on the watch cache: events read from the cache
// Durable Object's stream, resumed from the last one received whenever that stream
// breaks (the object was evicted, restarted or moved), so the client's stream goes on
// with nothing lost and nothing twice.
import type { KubeObject, Status } from "../model/types";
import { watchCache } from "../controlplane/stubs";
import type { SelectionSpec } from "../model/watch-filter";
import { sleep } from "./stream";

export type CacheEvent =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject; rv: number }
  /** The cache has considered every change up to `rv` (nothing is forwarded as such). */
  | { type: "BOOKMARK"; rv: number }
  | { type: "ERROR"; object: Status };

/** A reconnect that receives nothing counts as a failure; this many in a row end the watch. */
const MAX_FAILURES = 8;
const BACKOFF_MIN_MS = 50;
const BACKOFF_MAX_MS = 2_000;

type Next = CacheEvent | "timeout" | "closed" | "failed";

export class CacheWatch {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  private decoder = new TextDecoder();
  private buf = "";
  private readonly events: CacheEvent[] = [];
  private failures = 0;
  private closed = false;
  private wake: (() => void) | undefined;
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

  /** Every change up to here has reached this side. */
  get rv(): number {
    return this.received;
  }

  /** The next event, or "timeout" after `waitMs` without one. */
  async next(waitMs: number): Promise<Next> {
    const until = Date.now() + waitMs;
    for (;;) {
      if (this.closed) return "closed";
      const ev = this.events.shift();
      if (ev) return ev;
      if (!this.reader) {
        if (this.failures >= MAX_FAILURES) return "failed";
        if (this.failures > 0) await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failures - 1)));
        if (!(await this.connect())) continue;
      }
      const left = until - Date.now();
      if (left <= 0) return "timeout";
      this.pendingRead ??= this.reader!.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const woken = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
        this.wake = () => resolve("timeout");
      });
      let got: ReadableStreamReadResult<Uint8Array> | "timeout" | "error";
      try {
        got = await Promise.race([this.pendingRead, woken]);
      } catch {
        got = "error";
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        this.wake = undefined;
      }
      if (got === "timeout") continue;
      this.pendingRead = undefined;
      if (got === "error" || got.done) {
        // The cache's stream broke or ended: resume from the last line received.
        this.drop();
        this.failures++;
        continue;
      }
      this.take(got.value);
    }
  }

  /** Stop reading; the cache drops the watcher when its stream is cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.drop();
    this.wake?.();
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
    this.pendingRead = undefined;
    this.buf = "";
    // A stream that broke inside a character must not leave its first bytes to the next.
    this.decoder = new TextDecoder();
    r?.cancel().catch(() => undefined);
  }

  private take(chunk: Uint8Array): void {
    this.buf += this.decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { type: string; object: KubeObject | Status };
      if (ev.type === "ERROR") {
        this.events.push({ type: "ERROR", object: ev.object as Status });
        continue;
      }
      const rv = Number((ev.object as KubeObject).metadata?.resourceVersion);
      // After a reconnect the cache starts after `received`: anything at or before it is a repeat.
      if (!(rv > this.received)) continue;
      this.received = rv;
      this.failures = 0;
      if (ev.type === "BOOKMARK") this.events.push({ type: "BOOKMARK", rv });
      else this.events.push({ type: ev.type as "ADDED" | "MODIFIED" | "DELETED", object: ev.object as KubeObject, rv });
    }
  }
}
