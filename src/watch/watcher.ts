// One open watch on the cache (cacheWatcher upstream): its filter, where it stands in
// resourceVersion order, and a queue drained into its stream by one writer loop. A
// failed write (the API worker went away) ends the loop and removes the watcher; a
// watcher that falls too far behind is closed, and its API worker resumes from the
// last event it received.
import type { KubeObject, Status } from "../model/types";
import type { WindowEvent } from "./window";
import { watchEventFor } from "../model/watch-filter";
// The lines' format (what the API worker's relay reads): src/controlplane/watch-relay-line.ts.
import { errorLine, eventLine, progressLine } from "../controlplane/watch-relay-line";

export interface WatchSink {
  /** Resolves false once the reader has gone. */
  write(text: string): Promise<boolean>;
  close(): Promise<void>;
  /** Settles when the reader goes away between writes. */
  gone?: Promise<unknown>;
}

const PROGRESS_GAP_MS = 1_000;
/** One write to the stream carries at most about this many characters. */
const WRITE_CHARS = 256 * 1024;

/** How much a watcher may have queued before it is closed as unresponsive. */
export interface QueueLimits {
  lines: number;
  chars: number;
}

export class Watcher {
  private queue: string[] = [];
  /** Characters in `queue`: a slow reader of large objects is bounded by size, not only by count. */
  private queuedChars = 0;
  private pumping = false;
  private ending = false;
  private gone = false;
  /** Every change up to here has been offered. */
  private rv: number;
  /** The revision of the last line queued (event or progress). */
  private sentRv: number;
  /** When the last line was queued. */
  private lastLineAt = 0;
  /** A replay is being queued: its lines do not count against the limits. */
  private replaying = false;
  /** Lines (and their characters) at the head of the queue that a replay put there. */
  private replayLines = 0;
  private replayChars = 0;

  constructor(
    private readonly filter: (obj: KubeObject) => boolean,
    since: number,
    private readonly sink: WatchSink,
    private readonly onGone: (w: Watcher) => void,
    private readonly limits: QueueLimits,
  ) {
    this.rv = since;
    this.sentRv = since;
    // An idle watch hears of nothing for a while: do not wait for a write to fail.
    void sink.gone?.then(() => this.lost());
  }

  get closed(): boolean {
    return this.ending || this.gone;
  }

  /** A change, in resourceVersion order; ones at or before the watcher's position are skipped. */
  offer(ev: WindowEvent): void {
    if (this.closed || ev.rv <= this.rv) return;
    this.rv = ev.rv;
    const seen = watchEventFor(ev, this.filter);
    if (!seen) return;
    this.sentRv = ev.rv;
    // Usually the change as it is; an object entering or leaving the selection is told apart.
    this.enqueue(seen.type === ev.type && seen.object === ev.object ? ev.line : eventLine(seen.type, seen.object));
  }

  /**
   * What the watcher missed, from the cache's window, queued whatever its size: only what
   * arrives after it counts toward the unresponsive limits. Upstream's cacheWatcher
   * likewise sends its initial events straight to the result, not through the bounded
   * buffer whose overflow ends a watcher, so one that resumes far back in the window
   * is not closed before it has read anything (and then again on every reconnect).
   */
  replay(events: Iterable<WindowEvent>): void {
    this.replaying = true;
    try {
      for (const ev of events) this.offer(ev);
    } finally {
      this.replaying = false;
    }
  }

  /**
   * Nothing more up to `rv`. "always": say so if the stream has not heard of it yet;
   * "throttled": only if it heard nothing for PROGRESS_GAP_MS (a busy resource's
   * changes that this watcher filters out keep its resume point fresh, a line a second
   * at most); "never": just move.
   */
  progress(rv: number, tell: "always" | "throttled" | "never"): void {
    if (this.closed) return;
    if (rv > this.rv) this.rv = rv;
    if (tell === "never" || this.rv <= this.sentRv || this.queue.length > 0) return;
    if (tell === "throttled" && Date.now() - this.lastLineAt < PROGRESS_GAP_MS) return;
    this.sentRv = this.rv;
    this.enqueue(progressLine(this.rv));
  }

  /** Send `status` as an ERROR event and end the stream. */
  fail(status: Status): void {
    if (this.closed) return;
    this.enqueue(errorLine(status));
    this.end();
  }

  /** End the stream once what is queued has been written. */
  end(): void {
    if (this.closed) return;
    this.ending = true;
    this.onGone(this);
    if (!this.pumping) void this.pump();
  }

  private lost(): void {
    if (this.gone) return;
    this.gone = true;
    this.clearQueue();
    this.onGone(this);
  }

  private clearQueue(): void {
    this.queue = [];
    this.queuedChars = 0;
    this.replayLines = 0;
    this.replayChars = 0;
  }

  private enqueue(line: string): void {
    if (this.replaying) {
      this.replayLines++;
      this.replayChars += line.length;
    } else if (this.queue.length - this.replayLines >= this.limits.lines || this.queuedChars - this.replayChars + line.length > this.limits.chars) {
      // Unresponsive: drop what it has not taken and close; its API worker resumes
      // from the last event it did receive.
      this.clearQueue();
      this.end();
      return;
    }
    this.queue.push(line);
    this.queuedChars += line.length;
    this.lastLineAt = Date.now();
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.gone) {
        // Lines queued meanwhile go out together: one write per turn, not per event,
        // and no write larger than WRITE_CHARS beyond its first line.
        let n = 0;
        let size = 0;
        while (n < this.queue.length && (n === 0 || size + this.queue[n].length <= WRITE_CHARS)) {
          if (n < this.replayLines) this.replayChars -= this.queue[n].length;
          size += this.queue[n++].length;
        }
        this.replayLines = Math.max(0, this.replayLines - n);
        const text = this.queue.slice(0, n).join("");
        this.queue = this.queue.slice(n);
        this.queuedChars -= size;
        if (!(await this.sink.write(text))) this.lost();
      }
      if (this.ending && !this.gone) {
        this.gone = true;
        await this.sink.close();
      }
    } finally {
      this.pumping = false;
    }
  }
}
