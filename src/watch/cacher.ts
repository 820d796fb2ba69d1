// The watch cache of one resource (the Cacher in front of etcd in k8s.io/apiserver):
// it reads the change log once per batch of changes, keeps a window of them in memory
// and pushes each to every open watcher whose filter matches. Pure of I/O: the change
// log reads are passed in, so tests drive it without a Durable Object.
//
// It is woken by pokes after commits (the highest revision committed), by every new
// watcher, and by a periodic tick while watchers are open, which covers a lost poke.
// Without watchers a poke only notes the revision: the log is read when someone
// watches, so a quiet resource costs no reads at all.
import type { KubeObject, Status } from "../model/types";
import type { ChangeType } from "../store/store";
import { expired } from "../model/errors";
import { SingleFlight } from "../util/single-flight";
import { EventWindow, type WindowLimits } from "./window";
import { Watcher, type WatchSink } from "./watcher";
import { errorLine, eventLine } from "../controlplane/watch-relay-line";
import { watchEventFor } from "../model/watch-filter";

interface LogPage {
  revision: { rv: number; compactedRv: number };
  changes: { rv: number; type: ChangeType; object: KubeObject; prevObject?: KubeObject }[];
}

export interface ChangeLog {
  /** Changes of this resource after `sinceRv`, oldest first, with the revision read in the same transaction. */
  page(sinceRv: number, limit: number): Promise<LogPage>;
}

export interface CacheOptions extends WindowLimits {
  /** Change-log rows per read. */
  pageSize: number;
  /** Lines a watcher may have queued before it is closed as unresponsive. */
  maxQueue: number;
  /** Characters a watcher may have queued before it is closed as unresponsive. */
  maxQueueChars: number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = { maxEvents: 2_000, maxBytes: 16 * 1024 * 1024, pageSize: 500, maxQueue: 10_000, maxQueueChars: 4 * 1024 * 1024 };

export interface WatchRequest {
  /** Events after this revision. */
  since: number;
  filter: (obj: KubeObject) => boolean;
  sink: WatchSink;
}

export class Cacher {
  private window: EventWindow | undefined;
  private readonly watchers = new Set<Watcher>();
  /** The highest revision a poke announced. */
  private poked = 0;
  /** `true`: read even when no poke announced anything new (a catch-up, a new watcher). */
  private readonly reads = new SingleFlight<boolean>(
    (force) => this.readLog(force),
    (a, b) => a || b,
  );
  /** Change-log reads so far (for tests and status). */
  logReads = 0;

  constructor(
    private readonly log: ChangeLog,
    private readonly opts: CacheOptions = DEFAULT_CACHE_OPTIONS,
    /** The last watcher has gone (the shell stops its catch-up timer). */
    private readonly onIdle: () => void = () => undefined,
  ) {}

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Where the window stands, for tests and status. */
  get state(): { floor: number; head: number; events: number } | undefined {
    return this.window && { floor: this.window.floor, head: this.window.head, events: this.window.size };
  }

  /** Something up to `rv` was committed to this resource. */
  async poke(rv: number): Promise<void> {
    if (rv > this.poked) this.poked = rv;
    if (this.watchers.size === 0 || (this.window && rv <= this.window.head)) return;
    await this.reads.run(false);
  }

  /** Read whatever the log has beyond the window (the periodic catch-up). */
  async catchUp(): Promise<void> {
    await this.reads.run(true);
  }

  /**
   * Tell watchers that heard nothing since the last tick where the cache stands (their
   * API workers' resume point and BOOKMARK revision).
   */
  tellProgress(): void {
    if (!this.window) return;
    for (const w of this.watchers) w.progress(this.window.head, "always");
  }

  /** Open a watcher: replay what it missed (from the window or the log), then follow. */
  async watch(req: WatchRequest): Promise<void> {
    await this.reads.run(true);
    let since = req.since;
    for (;;) {
      const win = this.window!;
      if (since >= win.floor) {
        // From here to registration nothing awaits, so no change can slip between.
        const w = new Watcher(req.filter, since, req.sink, (gone) => this.forget(gone), { lines: this.opts.maxQueue, chars: this.opts.maxQueueChars });
        w.replay(win.after(since));
        w.progress(win.head, "never");
        // (Its reader may have gone already.)
        if (!w.closed) this.watchers.add(w);
        return;
      }
      // Older than the window: the change log in D1, up to where the window begins.
      const page = await this.log.page(since, this.opts.pageSize);
      if (since < page.revision.compactedRv) {
        await failAndClose(req.sink, tooOld(since, page.revision.compactedRv));
        return;
      }
      const floor = this.window!.floor;
      let reachedWindow = false;
      // The page's events in one write: each write waits for the reader to take it.
      let text = "";
      for (const ch of page.changes) {
        if (ch.rv > floor) {
          reachedWindow = true;
          break;
        }
        const seen = watchEventFor(ch, req.filter);
        if (seen) text += eventLine(seen.type, seen.object);
        since = ch.rv;
      }
      if (text && !(await req.sink.write(text))) return;
      // Every change of this resource up to the window's floor has been replayed: go on
      // from the floor (the floor is a cluster revision, rarely a change of this resource,
      // so a full page that starts above it must not be read again).
      if (reachedWindow) since = Math.max(since, floor);
      else if (page.changes.length < this.opts.pageSize) since = Math.max(since, Math.min(page.revision.rv, floor));
    }
  }

  private forget(w: Watcher): void {
    if (this.watchers.delete(w) && this.watchers.size === 0) this.onIdle();
  }

  private async readLog(force: boolean): Promise<void> {
    if (!this.window) {
      // The first read: the window starts empty at the log's head.
      const first = await this.log.page(Number.MAX_SAFE_INTEGER, 1);
      this.logReads++;
      this.window = new EventWindow(first.revision.rv, this.opts);
      return;
    }
    const win = this.window;
    // Pokes that arrived during the last read were covered by it.
    if (!force && this.poked <= win.head) return;
    if (this.watchers.size === 0 && this.poked - win.head > this.opts.maxEvents * 10) {
      // Long unwatched and far behind: reading it all back would be wasted.
      const head = await this.log.page(Number.MAX_SAFE_INTEGER, 1);
      this.logReads++;
      win.reset(head.revision.rv);
      return;
    }
    for (;;) {
      const page = await this.log.page(win.head, this.opts.pageSize);
      this.logReads++;
      if (win.head < page.revision.compactedRv) {
        // Fell behind the log's compaction: what was missed is gone for good.
        const status = tooOld(win.head, page.revision.compactedRv);
        for (const w of [...this.watchers]) w.fail(status);
        win.reset(page.revision.rv);
        return;
      }
      for (const ch of page.changes) {
        const ev = { rv: ch.rv, type: ch.type, object: ch.object, prevObject: ch.prevObject, line: eventLine(ch.type, ch.object) };
        win.append(ev);
        for (const w of this.watchers) w.offer(ev);
      }
      if (page.changes.length < this.opts.pageSize) {
        win.advance(page.revision.rv);
        for (const w of this.watchers) w.progress(win.head, "throttled");
        return;
      }
    }
  }
}

/**
 * 410 as the API server's watch cache words it: the second number is the newest
 * revision that can no longer be watched from (the oldest a watch can start at).
 */
function tooOld(rv: number, compactedRv: number): Status {
  return expired(`too old resource version: ${rv} (${compactedRv})`).status;
}

async function failAndClose(sink: WatchSink, status: Status): Promise<void> {
  await sink.write(errorLine(status));
  await sink.close();
}
