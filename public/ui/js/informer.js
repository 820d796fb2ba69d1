// List, then watch from the list's resourceVersion, as client-go's reflector does:
// BOOKMARKs (asked for) move the resourceVersion on while nothing changes; a watch
// that ends or breaks resumes from the last resourceVersion seen; 410 Gone (the
// version left the change log) relists.
import { send, ApiError } from "./api.js";

/**
 * @typedef {object} InformerHandlers
 * @property {(items: any[]) => void} replace the full state after a list
 * @property {(type: string, obj: any) => void} event ADDED, MODIFIED or DELETED
 * @property {(state: string) => void} [status] "listing", "watching", "retrying: ..."
 */

/**
 * @typedef {object} InformerOptions
 * @property {number} [pageSize] list page size (limit=)
 * @property {boolean} [firstPageOnly] list one page only, for a resource where the
 *   current state is not needed (events: the stream from now on is what is shown)
 */

export class Informer {
  /**
   * @param {string} path a collection path, e.g. /api/v1/pods
   * @param {InformerHandlers} handlers
   * @param {InformerOptions} [opts]
   */
  constructor(path, handlers, opts = {}) {
    this.path = path;
    this.handlers = handlers;
    this.opts = opts;
    this.resourceVersion = "";
    this.controller = new AbortController();
    this.stopped = false;
    /** Counters a test or a curious reader can look at. */
    this.stats = { lists: 0, watches: 0, events: 0, bookmarks: 0, expired: 0 };
  }

  start() {
    void this.run();
    return this;
  }

  stop() {
    this.stopped = true;
    this.controller.abort();
  }

  async run() {
    let backoff = 500;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        await this.watch();
        backoff = 500;
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof ApiError && e.code === 410) {
          this.stats.expired++;
          this.resourceVersion = "";
          continue;
        }
        if (e instanceof ApiError && e.code === 401) return this.stop();
        this.handlers.status?.(`retrying: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  async list() {
    this.handlers.status?.("listing");
    const size = this.opts.pageSize ?? 500;
    /** @type {any[]} */
    const items = [];
    let cont = "";
    let rv = "";
    do {
      const q = new URLSearchParams({ limit: String(size) });
      if (cont) q.set("continue", cont);
      const res = await send(`${this.path}?${q}`, { signal: this.controller.signal });
      const page = await res.json();
      for (const item of page.items ?? []) items.push(item);
      // The first page's version: a watch from it sees every change after that page.
      if (!rv) rv = page.metadata?.resourceVersion ?? "";
      cont = this.opts.firstPageOnly ? "" : (page.metadata?.continue ?? "");
    } while (cont);
    this.stats.lists++;
    this.handlers.replace(items);
    this.resourceVersion = rv;
  }

  async watch() {
    const q = new URLSearchParams({ watch: "true", allowWatchBookmarks: "true", resourceVersion: this.resourceVersion });
    const res = await send(`${this.path}?${q}`, { signal: this.controller.signal });
    this.stats.watches++;
    this.handlers.status?.("watching");
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.line(line);
      }
    }
  }

  /** @param {string} line */
  line(line) {
    const ev = JSON.parse(line);
    const obj = ev.object ?? {};
    if (ev.type === "ERROR") {
      throw new ApiError(obj.code ?? 500, obj.reason ?? "Error", obj.message ?? "watch error");
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === "BOOKMARK") {
      this.stats.bookmarks++;
      return;
    }
    this.stats.events++;
    this.handlers.event(ev.type, obj);
  }
}
