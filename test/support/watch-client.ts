// A watch client that keeps what it receives for the checker: it reads a stream of
// newline-delimited watch events and, when the stream ends or the server goes away,
// watches again from the last resourceVersion it saw (events and bookmarks), as
// client-go's reflector does. An ERROR event ends it: the caller decides (relist).
import type { WatchEvent, WatchObject, WatchStart, WatcherLog } from "./watch-checker";

export interface WatchClientOptions {
  name: string;
  /** Opens the watch from a resourceVersion ("" for none). */
  open: (rv: string, signal: AbortSignal) => Promise<Response>;
  /** Where the first watch starts. */
  rv: string;
  /** Watch again from the last resourceVersion when a stream ends (default true). */
  reconnect?: boolean;
}

export class WatchClient {
  readonly name: string;
  /** Every event but ERROR, in order, over all connections. */
  readonly events: WatchEvent[] = [];
  /** ERROR events, and statuses a watch request was refused with. */
  readonly errors: WatchEvent[] = [];
  /** Streams opened with 200. */
  connections = 0;
  /** Streams the server ended by itself (a timeout, a restart), not counting our stop. */
  streamsEnded = 0;
  lastRv: string;
  private stopped = false;
  private readonly abort = new AbortController();
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  private readonly done: Promise<void>;

  constructor(private readonly opts: WatchClientOptions) {
    this.name = opts.name;
    this.lastRv = opts.rv;
    this.done = this.run();
  }

  /** True once an ERROR ended the watch (or it was stopped). */
  get ended(): boolean {
    return this.stopped || this.errors.length > 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.reader?.cancel().catch(() => undefined);
    await this.done;
  }

  /** Resolves when the current watch ends by itself (used for the 410 check). */
  finished(): Promise<void> {
    return this.done;
  }

  private async run(): Promise<void> {
    let backoff = 50;
    while (!this.stopped) {
      let res: Response;
      try {
        res = await this.opts.open(this.lastRv, this.abort.signal);
      } catch {
        // The server is away (restarting): try again, as a reflector backs off.
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(1_000, backoff * 2);
        continue;
      }
      if (res.status !== 200) {
        const body = await res.text().catch(() => "");
        let status: WatchEvent["object"] = { kind: "Status", code: res.status, message: body.slice(0, 500) };
        try {
          status = JSON.parse(body) as WatchEvent["object"];
        } catch {
          /* not JSON: keep the text */
        }
        // Through a restart the listener may answer before the worker is ready.
        if (res.status >= 500 && !this.stopped) {
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(1_000, backoff * 2);
          continue;
        }
        this.errors.push({ type: "ERROR", object: status });
        return;
      }
      backoff = 50;
      this.connections++;
      const ended = await this.read(res);
      if (ended === "error" || this.stopped) return;
      this.streamsEnded++;
      if (this.opts.reconnect === false) return;
    }
  }

  private async read(res: Response): Promise<"end" | "error"> {
    const reader = res.body!.getReader();
    this.reader = reader;
    const decoder = new TextDecoder();
    let buffer = "";
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return failed ? "error" : "end";
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent;
          // After an ERROR the server must end the stream; anything it sends first is kept
          // with the error, for the checker to see.
          if (event.type === "ERROR" || failed) {
            failed = true;
            this.errors.push(event);
            continue;
          }
          this.events.push(event);
          // The highest seen: the ADDED events of a watch without a resourceVersion come
          // in no particular order.
          const rv = event.object.metadata?.resourceVersion;
          if (rv && !(Number(rv) <= Number(this.lastRv))) this.lastRv = rv;
        }
      }
    } catch {
      // The connection broke (the server went away): watch again from lastRv.
      return failed ? "error" : "end";
    }
  }
}

export interface ListResult {
  rv: number;
  items: WatchObject[];
}

/**
 * A reflector: watches with reconnections, and when the server says 410 Expired, lists
 * and watches from the list's resourceVersion. Each watch between relists is a segment
 * for the checker.
 */
export class Reflector {
  readonly segments: { start: WatchStart; client: WatchClient }[] = [];
  /** The 410 ERROR events that made it relist, and the resourceVersion each watch was from. */
  readonly expired: { rv: number; events: WatchEvent[] }[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    readonly name: string,
    private readonly open: (rv: string, signal: AbortSignal) => Promise<Response>,
    private readonly list: () => Promise<ListResult>,
    start: WatchStart,
  ) {
    this.done = this.run(start);
  }

  get current(): WatchClient {
    return this.segments[this.segments.length - 1].client;
  }

  private async run(start: WatchStart): Promise<void> {
    let next = start;
    while (!this.stopped) {
      const rv = next.kind === "initial" ? "" : String(next.rv);
      const client = new WatchClient({ name: this.name, open: this.open, rv });
      this.segments.push({ start: next, client });
      await client.finished();
      if (this.stopped) return;
      const code = (client.errors[0]?.object as { code?: number } | undefined)?.code;
      if (code !== 410) return;
      this.expired.push({ rv: Number(client.lastRv), events: client.errors });
      const listed = await this.list();
      next = { kind: "list", rv: listed.rv, items: listed.items };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current.stop();
    await this.done;
  }

  /** The checker's view: one log per segment; all but the last end where they stopped. */
  logs(resource: string, matches: (o: WatchObject) => boolean): WatcherLog[] {
    return this.segments.map((s, i) => ({
      name: `${this.name}#${i}`,
      resource,
      matches,
      start: s.start,
      events: s.client.events,
      until: i < this.segments.length - 1 ? Number(s.client.lastRv) : undefined,
    }));
  }
}
