// watch: newline-delimited WatchEvents relayed from the resource's watch cache (a
// Durable Object that reads the change log once per change and pushes to its
// watchers; src/watch/).
//
// Without a resourceVersion (or "0") the watch starts with synthetic ADDED events for
// what exists, as the API server does, then follows from the list's revision. From a
// resourceVersion the cache replays what came after it (from its window, or from the
// change log in D1 when older); one the log no longer has gets an ERROR event with a
// 410 Expired Status. The stream stays open until timeoutSeconds (kubectl get -w never
// reconnects) with a bare newline as keepalive, and BOOKMARKs when asked for.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey } from "../../model/resources";
import type { KubeObject } from "../../model/types";
import { toTable } from "../printers";
import { asServed, printerOf, servedAsStored } from "../custom-resource-view";
import { wantsTable } from "../negotiate";
import { parseListQuery, queryInt } from "./list-options";
import { openStream } from "../stream";
import { ApiError, internalError } from "../../model/errors";
import { CacheWatch } from "../watch-source";
import { objectKeyOf } from "../../controlplane/watch-relay-line";

const KEEPALIVE_MS = 15_000;
const BOOKMARK_MS = 30_000;
const MAX_WATCH_MS = 30 * 60_000;
/** Events sent to the client in one write at most. */
const BATCH_EVENTS = 200;

export async function watchObjects(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const key = storageKey(ri.info);
  // Checks the selectors: a bad one is a 400 before the stream starts.
  const { options } = parseListQuery(key, ri.namespace, q);
  const nameFilter = ri.name;
  const table = wantsTable(req.headers.get("accept"), q);
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const timeoutSeconds = queryInt(q, "timeoutSeconds") ?? 0;
  const deadline = Date.now() + (timeoutSeconds > 0 ? timeoutSeconds * 1000 : MAX_WATCH_MS);
  const rvParam = q.get("resourceVersion") ?? "";

  // Validate the starting point before answering 200, so errors are plain Statuses.
  let since: number;
  const initial: KubeObject[] = [];
  /** Listed objects by key with the revision listed: the watch must not repeat them. */
  const listed = new Map<string, number>();
  if (rvParam === "" || rvParam === "0") {
    const found = await ctx.store.list(key, { ...options, limit: undefined, continue: undefined, name: nameFilter ?? options.name });
    since = Number(found.resourceVersion);
    initial.push(...found.items);
    // The objects are read after the revision: one changed in between is listed as it
    // is now, and its change after `since` would come again.
    for (const o of found.items) listed.set(objectKeyOf(o), Number(o.metadata.resourceVersion));
  } else {
    since = Number(rvParam);
    if (!Number.isSafeInteger(since) || since < 0) throw new ApiError(400, "BadRequest", `invalid resource version: ${rvParam}`);
  }

  const stream = openStream(req, table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json");
  let headersSent = false;
  const printer = printerOf(ri.info);
  // A client that wants the objects as stored gets each event's JSON as the cache made it.
  const asStored = !table && servedAsStored(ri.info);
  const encode = (type: string, stored: KubeObject): string => {
    const obj = asServed(ri.info, stored);
    if (!table) return JSON.stringify({ type, object: obj }) + "\n";
    const t = toTable(key, [obj], { now: ctx.now(), includeObject: table.includeObject, resourceVersion: obj.metadata.resourceVersion, omitHeaders: headersSent, printer });
    headersSent = true;
    return JSON.stringify({ type, object: t }) + "\n";
  };

  const source = new CacheWatch(ctx.env, key, { namespace: options.namespace, name: nameFilter, labelSelector: q.get("labelSelector") ?? "", fieldSelector: q.get("fieldSelector") ?? "" }, since);
  stream.onGone(() => source.close());

  const follow = async () => {
    for (let i = 0; i < initial.length; i += BATCH_EVENTS) {
      if (!(await stream.write(initial.slice(i, i + BATCH_EVENTS).map((obj) => encode("ADDED", obj)).join("")))) return;
    }
    let lastWrite = Date.now();
    // As the API server's watch cache: a bookmark every BOOKMARK_MS, and one 2 s before
    // the watch times out, so a client reconnects from a fresh resourceVersion.
    const nextBookmark = (now: number) => (deadline - 2_000 > now ? Math.min(now + BOOKMARK_MS, deadline - 2_000) : now + BOOKMARK_MS);
    let bookmarkAt = nextBookmark(Date.now());
    const write = async (text: string) => {
      lastWrite = Date.now();
      return stream.write(text);
    };
    while (!stream.closed) {
      const now = Date.now();
      if (now >= deadline) break;
      const due = Math.min(deadline, lastWrite + KEEPALIVE_MS, bookmarks ? bookmarkAt : Infinity);
      const ev = await source.next(due - now);
      if (ev === "closed") break;
      if (ev === "failed") {
        await write(JSON.stringify({ type: "ERROR", object: internalError("the watch cache could not be reached").status }) + "\n");
        break;
      }
      if (ev === "timeout") {
        if (Date.now() >= deadline) break;
        if (bookmarks && Date.now() >= bookmarkAt) {
          // Every change up to source.rv has been sent (or was not for this watcher).
          const bookmark = { kind: ri.info.kind, apiVersion: ri.group ? `${ri.group}/${ri.version}` : ri.version, metadata: { resourceVersion: String(source.rv) } };
          if (!(await write(JSON.stringify({ type: "BOOKMARK", object: bookmark }) + "\n"))) break;
          bookmarkAt = nextBookmark(Date.now());
        } else if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          if (!(await write("\n"))) break;
        }
        continue;
      }
      // The event and those already arrived behind it go out in one write: a write waits
      // for the client's side to take it, and on a busy thread one write per event
      // would pace the watch at a few dozen events a second.
      let text = "";
      let failed = false;
      for (const e of [ev, ...source.ready(BATCH_EVENTS)]) {
        if (e.type === "BOOKMARK") continue;
        if (e.type === "ERROR") {
          text += JSON.stringify({ type: "ERROR", object: e.object }) + "\n";
          failed = true;
          break;
        }
        const listedAt = listed.get(e.key);
        if (listedAt !== undefined) {
          if (e.rv <= listedAt) continue;
          listed.delete(e.key);
        }
        text += asStored ? e.json + "\n" : encode(e.type, e.object);
      }
      if (text && !(await write(text))) break;
      if (failed) break;
    }
  };
  // Whatever ends the loop (the client, the deadline, an error), the cache's watcher
  // and the client's stream are released.
  const run = async () => {
    try {
      await follow();
    } catch (e) {
      console.error("watch: the stream failed:", e);
    } finally {
      source.close();
      await stream.close();
    }
  };
  // The stream outlives this handler; the runtime keeps the request alive while the
  // response body is being written.
  void run();
  return stream.response;
}
