// The watch cache Durable Object: one instance per resource storage key ("pods",
// "deployments.apps"), so a busy resource does not hold up the watchers of a quiet
// one. A thin shell over the Cacher: it wires the change log in D1, serves each
// watcher a streamed response (newline-delimited events the API worker relays), and
// runs the periodic catch-up while watchers are open.
//
// In memory only: a fresh instance (evicted, restarted) starts an empty window at the
// log's head, and the API workers whose streams broke reconnect from the last event
// they received (older than the window, so the first read of each is from D1).
import { DurableObject } from "cloudflare:workers";
import type { WatchCacheApi } from "../controlplane/stubs";
import { ObjectStore } from "../store/store";
import { ApiError } from "../model/errors";
import { selectionFilter } from "../model/watch-filter";
import { Cacher, DEFAULT_CACHE_OPTIONS } from "./cacher";
import { textWriter } from "../util/text-writer";

/** The catch-up (and progress to idle watchers) period while watchers are open. */
const CATCH_UP_MS = 5_000;

interface WatchCacheStatus {
  resource: string | undefined;
  watchers: number;
  logReads: number;
  window?: { floor: number; head: number; events: number };
}

export class WatchCache extends DurableObject<Env> implements WatchCacheApi {
  private resource: string | undefined;
  private cacher: Cacher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  async poke(resource: string, rv: number): Promise<void> {
    await this.cacherFor(resource).poke(rv);
  }

  async status(): Promise<WatchCacheStatus> {
    return { resource: this.resource, watchers: this.cacher?.watcherCount ?? 0, logReads: this.cacher?.logReads ?? 0, window: this.cacher?.state };
  }

  /**
   * `GET /watch?resource=pods&since=RV[&namespace=&name=&labelSelector=&fieldSelector=]`:
   * the events after RV that match, then whatever follows, as watch stream lines; an
   * ERROR line (410 Expired) ends it. BOOKMARK lines only carry the revision reached.
   */
  override async fetch(req: Request): Promise<Response> {
    const q = new URL(req.url).searchParams;
    const resource = q.get("resource") ?? "";
    const since = Number(q.get("since"));
    let filter;
    try {
      if (!resource || !Number.isSafeInteger(since) || since < 0) throw new ApiError(400, "BadRequest", "resource and since are required");
      filter = selectionFilter(resource, {
        namespace: q.get("namespace") ?? "",
        name: q.get("name") ?? "",
        labelSelector: q.get("labelSelector") ?? "",
        fieldSelector: q.get("fieldSelector") ?? "",
      });
    } catch (e) {
      if (e instanceof ApiError) return Response.json(e.status, { status: e.code });
      throw e;
    }
    const cacher = this.cacherFor(resource);
    // The runtime's own byte pipe (api/stream.ts says why).
    const { readable, writable } = new IdentityTransformStream();
    const sink = textWriter(writable);
    cacher.watch({ since, filter, sink }).then(
      () => this.schedule(),
      (e: unknown) => {
        // The log could not be read: break the stream, its API worker reconnects.
        console.error("watch cache: starting a watcher failed:", e);
        sink.abort(e);
      },
    );
    return new Response(readable, { headers: { "content-type": "application/json" } });
  }

  private cacherFor(resource: string): Cacher {
    if (this.resource !== undefined && this.resource !== resource) throw new Error(`watch cache of ${this.resource} asked about ${resource}`);
    this.resource = resource;
    if (!this.cacher) {
      const store = new ObjectStore(this.env.DB);
      this.cacher = new Cacher({ page: (sinceRv, limit) => store.changePage([resource], sinceRv, limit) }, DEFAULT_CACHE_OPTIONS, () => this.stopTimer());
    }
    return this.cacher;
  }

  /** The periodic catch-up, while someone watches. */
  private schedule(): void {
    if (this.timer || !this.cacher || this.cacher.watcherCount === 0) return;
    this.timer = setTimeout(() => void this.tick(), CATCH_UP_MS);
  }

  /** No one watches: nothing to catch up, and a pending timer would keep the object from being evicted. */
  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const cacher = this.cacher;
    if (!cacher || cacher.watcherCount === 0) return;
    try {
      await cacher.catchUp();
      cacher.tellProgress();
    } catch (e) {
      console.error("watch cache: catch-up failed:", e);
    }
    this.schedule();
  }
}

