// watch: newline-delimited WatchEvents read from the store's change log.
//
// Without a resourceVersion (or "0") the watch starts with synthetic ADDED events for
// what exists, as the API server does. From a resourceVersion it replays the change
// log after it; one older than the log keeps gets an ERROR event with a 410 Expired
// Status. The stream stays open until timeoutSeconds (kubectl get -w never reconnects)
// with a bare newline as keepalive.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey } from "../../model/resources";
import type { KubeObject } from "../../model/types";
import { toTable } from "../printers";
import { wantsTable } from "../negotiate";
import { parseListQuery, queryInt } from "./list-options";
import { openStream, sleep } from "../stream";
import { ApiError } from "../../model/errors";
import type { ChangeType, LoggedChange } from "../../store/store";

const POLL_MIN_MS = 100;
const POLL_MAX_MS = 1_000;
const KEEPALIVE_MS = 15_000;
const BOOKMARK_MS = 30_000;
const MAX_WATCH_MS = 30 * 60_000;

/**
 * What a watcher with selector `keep` sees of a change, as the API server's watch cache
 * decides it: an object that starts matching is ADDED, one that stops matching is
 * DELETED (its last matching state, at the change's resourceVersion), one that matches
 * before and after is MODIFIED; the rest is not for this watcher.
 */
export function watchEventFor(ch: LoggedChange, keep: (o: KubeObject) => boolean): { type: ChangeType; object: KubeObject } | null {
  if (ch.type === "DELETED") return keep(ch.object) ? { type: "DELETED", object: ch.object } : null;
  const now = keep(ch.object);
  // Rows logged without the previous object: judge by the new one alone.
  const was = ch.type === "MODIFIED" && (ch.prevObject ? keep(ch.prevObject) : now);
  if (now) return { type: was ? "MODIFIED" : "ADDED", object: ch.object };
  return was && ch.prevObject ? { type: "DELETED", object: ch.prevObject } : null;
}

export async function watchObjects(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const key = storageKey(ri.info);
  const { options, matches } = parseListQuery(key, ri.namespace, q);
  const nameFilter = ri.name;
  const table = wantsTable(req.headers.get("accept"), q);
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const timeoutSeconds = queryInt(q, "timeoutSeconds") ?? 0;
  const deadline = Date.now() + (timeoutSeconds > 0 ? timeoutSeconds * 1000 : MAX_WATCH_MS);
  const rvParam = q.get("resourceVersion") ?? "";
  const keep = (o: KubeObject) => matches(o) && (!nameFilter || o.metadata.name === nameFilter);

  // Validate the starting point before answering 200, so errors are plain Statuses.
  let since: number;
  const initial: KubeObject[] = [];
  if (rvParam === "" || rvParam === "0") {
    const listed = await ctx.store.list(key, { ...options, limit: undefined, continue: undefined, name: nameFilter ?? options.name });
    since = Number(listed.resourceVersion);
    initial.push(...listed.items);
  } else {
    since = Number(rvParam);
    if (!Number.isInteger(since) || since < 0) throw new ApiError(400, "BadRequest", `invalid resource version: ${rvParam}`);
  }

  const stream = openStream(req, table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json");
  let headersSent = false;
  const encode = (type: string, obj: KubeObject): string => {
    if (!table) return JSON.stringify({ type, object: obj }) + "\n";
    const t = toTable(key, [obj], { now: ctx.now(), includeObject: table.includeObject, resourceVersion: obj.metadata.resourceVersion, omitHeaders: headersSent });
    headersSent = true;
    return JSON.stringify({ type, object: t }) + "\n";
  };

  const run = async () => {
    for (const obj of initial) if (!(await stream.write(encode("ADDED", obj)))) return;
    let wait = POLL_MIN_MS;
    let lastWrite = Date.now();
    // As the API server's watch cache: a bookmark every BOOKMARK_MS, and one 2 s before
    // the watch times out, so a client reconnects from a fresh resourceVersion.
    const nextBookmark = (now: number) => (deadline - 2_000 > now ? Math.min(now + BOOKMARK_MS, deadline - 2_000) : now + BOOKMARK_MS);
    let bookmarkAt = nextBookmark(Date.now());
    while (!stream.closed && Date.now() < deadline) {
      let batch, upTo;
      try {
        ({ changes: batch, upTo } = await ctx.store.changesAfter(key, since));
      } catch (e) {
        if (e instanceof ApiError) await stream.write(JSON.stringify({ type: "ERROR", object: e.status }) + "\n");
        break;
      }
      for (const ch of batch) {
        since = ch.rv;
        const event = watchEventFor(ch, keep);
        if (!event) continue;
        if (!(await stream.write(encode(event.type, event.object)))) return;
        lastWrite = Date.now();
      }
      since = upTo;
      // Every change up to `since` has been sent (or was not for this watcher).
      if (bookmarks && Date.now() >= bookmarkAt) {
        const bookmark = { kind: ri.info.kind, apiVersion: ri.group ? `${ri.group}/${ri.version}` : ri.version, metadata: { resourceVersion: String(since) } };
        if (!(await stream.write(JSON.stringify({ type: "BOOKMARK", object: bookmark }) + "\n"))) return;
        bookmarkAt = nextBookmark(Date.now());
        lastWrite = Date.now();
      }
      if (batch.length > 0) {
        wait = POLL_MIN_MS;
        continue;
      }
      if (Date.now() - lastWrite > KEEPALIVE_MS) {
        if (!(await stream.write("\n"))) return;
        lastWrite = Date.now();
      }
      await sleep(wait);
      wait = Math.min(POLL_MAX_MS, wait * 2);
    }
    await stream.close();
  };
  // The stream outlives this handler; the runtime keeps the request alive while the
  // response body is being written.
  void run();
  return stream.response;
}
