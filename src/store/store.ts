// The object store: Kubernetes API semantics over D1.
//
// Every commit is one D1 batch (a transaction): bump the cluster-wide revision once by
// its number of writes, then write each object with its own revision of those (in
// order) and append its change-log row. Updates are conditional
// on the resourceVersion the writer read; a stale write aborts the whole batch (the
// change-log row, written first, fails unless the object is still at that version), so
// a lost update is impossible and nothing is written on a conflict. The object's row
// takes its body from its change-log row, so each body travels to D1 once. Creates rely on the
// unique (resource, namespace, name) index, so of two concurrent creates exactly one
// wins. A commit of many writes (a scheduler's binds, a kubelet's status writes) puts
// each kind of write in one statement over all its objects (set-statements.ts), with
// the same revisions and guards.
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { eq, sql } from "drizzle-orm";
import { objects, changes, revision } from "./schema";
import type { KubeObject } from "../model/types";
import { alreadyExists, conflict, notFound, expired, namespaceNotFound, namespaceTerminating, ApiError } from "../model/errors";
import { GUARANTEED_UPDATE_ATTEMPTS, retryOnConflict } from "./retry";
import { utf8Length } from "../util/utf8";
import { statements } from "./statements";
import { SET_SQL, jsonChunks, type SetRow } from "./set-statements";
import { listPage, readRevision, MAX_LABEL_PUSHDOWN, type HeldListRow, type ListFilter, type ListRow } from "./list-statements";
import { changePageQuery, readRevisionMarks, revisionMarksOf, type ChangeRow } from "./change-statements";
import { eventsLastSeenBefore, existingUids, groupsOwnedBy, groupsWithMissingOwner, nodesOfPodsWithoutNode, type ResourceGroup } from "./index-queries";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  type: ChangeType;
  resource: string;
  object: KubeObject;
}

/** Called after a commit succeeds, e.g. to wake the scheduler or a node. */
type ChangeListener = (changes: Change[]) => void;

interface CommitOptions {
  /**
   * Namespaces that must exist and not be terminating for the batch to apply (checked
   * inside the same transaction, so it costs no round trip of its own).
   */
  activeNamespaces?: string[];
  /**
   * Resources of which no object may exist in a namespace for the batch to apply (what
   * a writer's cache says is absent, e.g. a namespace without ResourceQuotas), checked
   * inside the same transaction: a stale cache fails the batch with 409, never slips by.
   */
  absent?: { resource: string; namespace: string }[];
  /**
   * Sets of objects that must be as a writer read them (admission-snapshot.ts), checked
   * inside the same transaction: one changed meanwhile fails the batch with 409.
   */
  unchanged?: Fingerprint[];
}

/**
 * What a read of a set of objects (a resource in a namespace, or one named object)
 * found: how many, and the highest resourceVersion among them. Every write to the set
 * moves one of the two (a create or an update takes a version above every other, a
 * delete alone lowers the count), so an equal fingerprint is an unchanged set.
 */
export interface Fingerprint {
  resource: string;
  namespace: string;
  name?: string;
  count: number;
  maxRv: number;
}

/** The message of the 409 a batch gets when a set it relied on has changed. */
export const CHANGED_SINCE_READ = "the objects admission read have changed; try again";

/** The fingerprint of objects as a read returned them. */
export function fingerprintOf(resource: string, namespace: string, items: KubeObject[], name?: string): Fingerprint {
  const maxRv = items.reduce((m, o) => Math.max(m, Number(o.metadata.resourceVersion ?? 0)), 0);
  return { resource, namespace, ...(name === undefined ? {} : { name }), count: items.length, maxRv };
}

/** A change-log row: the object after the change and, when it existed, before it. */
export interface LoggedChange {
  rv: number;
  type: ChangeType;
  resource: string;
  object: KubeObject;
  /** The object before the change, at the change's resourceVersion (absent for creates). */
  prevObject?: KubeObject;
}

interface ChangePage {
  revision: { rv: number; compactedRv: number };
  changes: LoggedChange[];
}

/** An object a reader holds (outside a list) at `heldRv`. */
export interface HeldObject {
  resource: string;
  namespace: string;
  name: string;
  heldRv: number;
}

/** What became of a held object: still at the held version, moved on (the new one), or gone (null). */
export type HeldAnswer = "unchanged" | KubeObject | null;

export interface ListOptions {
  namespace?: string;
  /** Pushed down to SQL: spec.nodeName of pods. */
  nodeName?: string;
  /** Pushed down to SQL: the controller owner's uid. */
  ownerUid?: string;
  /** Pushed down to SQL: metadata.name. */
  name?: string;
  /** Pushed down to SQL: labels that must equal a value. */
  labelEquals?: Record<string, string>;
  /** Applied in memory after the SQL filters. */
  filter?: (obj: KubeObject) => boolean;
  limit?: number;
  continue?: string;
}

interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type WriteOp =
  | { op: "create"; resource: string; object: KubeObject }
  | { op: "update"; resource: string; object: KubeObject; expectedRv: number }
  | { op: "delete"; resource: string; object: KubeObject; expectedRv: number };

/** How many change-log rows watches can resume from before 410 Gone, unless configured. */
const CHANGE_LOG_RETAIN = 50_000;
/** The log is pruned when the revision crosses a multiple of this (a tenth of a small retention). */
const PRUNE_EVERY = 1_000;

/**
 * D1 refuses a string, BLOB or row larger than 2,000,000 bytes
 * (developers.cloudflare.com/d1/platform/limits). Local D1 (Miniflare) does not enforce
 * it, so every row is measured here before a batch is sent: an object too large is
 * refused on every deployment alike, and a batch is refused whole, never half-written.
 */
export const MAX_ROW_BYTES = 2_000_000;
/** What a row costs beyond its text: the integer columns and SQLite's record header, generously. */
const ROW_OVERHEAD_BYTES = 128;

interface StoreOptions {
  /** Change-log rows to keep (CHANGE_LOG_RETAIN). */
  changeLogRetain?: number;
}

export class ObjectStore {
  private readonly db: DrizzleD1Database;
  /** The binding itself, for the commit's prepared statements (write-statements.ts). */
  private readonly d1: D1Database;
  private listeners: ChangeListener[] = [];
  private readonly retain: number;
  private readonly pruneEvery: number;

  constructor(d1: D1Database, listener?: ChangeListener, opts: StoreOptions = {}) {
    this.db = drizzle(d1);
    this.d1 = d1;
    if (listener) this.listeners.push(listener);
    this.retain = opts.changeLogRetain ?? CHANGE_LOG_RETAIN;
    this.pruneEvery = Math.max(1, Math.min(PRUNE_EVERY, Math.ceil(this.retain / 10)));
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  async revision(): Promise<{ rv: number; compactedRv: number }> {
    const row = await this.db.select().from(revision).where(eq(revision.id, 1)).get();
    return { rv: row?.rv ?? 1, compactedRv: row?.compactedRv ?? 0 };
  }

  /**
   * What identifies the set of objects of a resource as it is now: the newest
   * resourceVersion among them and their count (a create or an update raises the
   * first, a delete lowers the second). Cheap: one indexed aggregate.
   */
  async contentStamp(resource: string): Promise<string> {
    const row = await this.db
      .select({ rv: sql<number | null>`max(${objects.resourceVersion})`, n: sql<number>`count(*)` })
      .from(objects)
      .where(eq(objects.resource, resource))
      .get();
    return `${row?.rv ?? 0}/${row?.n ?? 0}`;
  }

  async get(resource: string, namespace: string, name: string): Promise<KubeObject | null> {
    const row = await statements().getObject.bind(this.d1, { resource, namespace, name }).first<{ resource_version: number; body: string }>();
    return row ? materialise(row.body, row.resource_version) : null;
  }

  /**
   * Several objects in one round trip (one D1 batch, so one snapshot), in the order
   * asked; null where one does not exist. A handler that needs two objects before it
   * can answer pays one trip to D1 instead of two.
   */
  async getMany(keys: { resource: string; namespace: string; name: string }[]): Promise<(KubeObject | null)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) return [await this.get(keys[0].resource, keys[0].namespace, keys[0].name)];
    const results = await this.d1.batch<{ resource_version: number; body: string }>(keys.map((k) => statements().getObject.bind(this.d1, k)));
    return results.map((r) => {
      const row = r.results[0];
      return row ? materialise(row.body, row.resource_version) : null;
    });
  }

  async mustGet(resource: string, namespace: string, name: string): Promise<KubeObject> {
    const obj = await this.get(resource, namespace, name);
    if (!obj) throw notFound(resource, name);
    return obj;
  }

  async list(resource: string, opts: ListOptions = {}): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const cont = opts.continue ? decodeContinue(opts.continue) : undefined;
    let rv = cont?.rv ?? 0;
    const labelEquals = Object.entries(opts.labelEquals ?? {});
    const filter: ListFilter = {
      resource,
      namespace: opts.namespace,
      nodeName: opts.nodeName,
      ownerUid: opts.ownerUid,
      name: opts.name,
      labels: labelEquals.slice(0, MAX_LABEL_PUSHDOWN),
      after: cont && { ns: cont.ns, name: cont.name },
    };
    const unpushed = labelEquals.slice(MAX_LABEL_PUSHDOWN);
    const keep = (obj: KubeObject) => unpushed.every(([k, v]) => obj.metadata.labels?.[k] === v) && (!opts.filter || opts.filter(obj));

    // Page through SQL in key order until `limit` objects pass the in-memory filter.
    const items: KubeObject[] = [];
    const pageSize = limit ? Math.max(limit + 1, 200) : 2_000;
    let first = true;
    let more = false;
    for (;;) {
      const query = listPage(this.d1, filter, pageSize);
      let rows: ListRow[];
      if (first && !cont) {
        // The revision and the first page in one transaction: a write between them would
        // put an object newer than the list's resourceVersion in the list, and a watch
        // from that resourceVersion would deliver its change a second time.
        const [rev, page] = await this.d1.batch<unknown>([readRevision(this.d1), query]);
        rv = (rev.results[0] as { rv?: number } | undefined)?.rv ?? 1;
        rows = page.results as ListRow[];
      } else {
        rows = (await query.all<ListRow>()).results;
      }
      first = false;
      for (const row of rows) {
        const obj = materialise(row.body, row.resource_version);
        if (!keep(obj)) continue;
        if (limit && items.length === limit) {
          more = true;
          break;
        }
        items.push(obj);
      }
      if (more || rows.length < pageSize) break;
      // The next page starts after this one's last row (past `continue`'s start too).
      const last = rows[rows.length - 1];
      filter.after = { ns: last.namespace, name: last.name };
    }
    const result: ListResult = { items, resourceVersion: String(rv) };
    if (more) {
      const last = items[items.length - 1];
      result.continue = encodeContinue({ rv, ns: last.metadata.namespace ?? "", name: last.metadata.name ?? "" });
    }
    return result;
  }

  /**
   * A list for a reader that already holds some of the objects, as a kubelet holds its
   * node's pods: those it holds at their current version (`known`: "namespace/name" ->
   * resourceVersion) come back as keys in `unchanged`, without their bodies; the rest as
   * objects. Every page, no limit and no in-memory filter. `held`: other objects the
   * reader keeps (a kubelet's ConfigMaps and Secrets), answered in `held` in order.
   */
  async listAgainst(
    resource: string,
    opts: Pick<ListOptions, "namespace" | "nodeName" | "ownerUid">,
    known: Map<string, number>,
    held: HeldObject[] = [],
  ): Promise<{ items: KubeObject[]; unchanged: string[]; held: HeldAnswer[] }> {
    const filter: ListFilter = { resource, namespace: opts.namespace, nodeName: opts.nodeName, ownerUid: opts.ownerUid, labels: [], known };
    const items: KubeObject[] = [];
    const unchanged: string[] = [];
    const pageSize = 2_000;
    let answers: HeldAnswer[] = [];
    for (;;) {
      const page = listPage(this.d1, filter, pageSize);
      let rows: HeldListRow[];
      if (held.length && !filter.after) {
        // The other objects the reader holds, checked in the same round trip as the
        // first page (one snapshot with it): a cache kept this way is as fresh as the list.
        const [first, ...others] = await this.d1.batch<unknown>([page, ...held.map((h) => statements().getObjectUnlessHeld.bind(this.d1, h))]);
        rows = first.results as HeldListRow[];
        answers = others.map((r) => {
          const row = r.results[0] as { resource_version: number; body: string | null } | undefined;
          if (!row) return null;
          return row.body === null ? "unchanged" : materialise(row.body, row.resource_version);
        });
      } else {
        rows = (await page.all<HeldListRow>()).results;
      }
      for (const row of rows) {
        if (row.body === null) unchanged.push(`${row.namespace}/${row.name}`);
        else items.push(materialise(row.body, row.resource_version));
      }
      if (rows.length < pageSize) return { items, unchanged, held: answers };
      const last = rows[rows.length - 1];
      filter.after = { ns: last.namespace, name: last.name };
    }
  }

  /**
   * Change-log rows after `sinceRv`, oldest first; 410 Expired when they were pruned.
   * The compaction mark and the rows are read in one transaction: read apart, a prune
   * in between would delete rows after `sinceRv` that the mark said were there.
   */
  async changesSince(resource: string | undefined, sinceRv: number, max = 500): Promise<LoggedChange[]> {
    return (await this.changesAfter(resource, sinceRv, max)).changes;
  }

  /**
   * As changesSince, and how far the log was read: `upTo` is the resourceVersion up to
   * which `changes` is every change of `resource` (the cluster's revision when the page
   * is not full). A watcher moves its position there, so a quiet resource's watch does
   * not fall behind the compaction while other resources are written.
   */
  async changesAfter(resource: string | undefined, sinceRv: number, max = 500): Promise<{ changes: LoggedChange[]; upTo: number }> {
    const [rev, page] = await this.d1.batch<unknown>([readRevisionMarks(this.d1), changePageQuery(this.d1, resource ? [resource] : [], sinceRv, max, true)]);
    const marks = revisionMarksOf(rev.results);
    const rows = page.results as ChangeRow[];
    const compactedRv = marks.compactedRv;
    // The API server's watch cache words it so: the second number is the oldest
    // resourceVersion a watch can still start from.
    if (sinceRv < compactedRv) throw expired(`too old resource version: ${sinceRv} (${compactedRv})`);
    const upTo = rows.length === max ? rows[rows.length - 1].rv : Math.max(sinceRv, marks.rv);
    return { changes: rows.map(logged), upTo };
  }

  /**
   * One page of the change log for several resources, with the revision read in the
   * same transaction (so a caller can tell a compacted or replaced log from an empty one).
   * `prev: false` leaves out the objects before each change (change-statements.ts says
   * who needs them).
   */
  async changePage(resources: string[], sinceRv: number, limit: number, opts: { prev?: boolean } = {}): Promise<ChangePage> {
    const [rev, page] = await this.d1.batch<unknown>([readRevisionMarks(this.d1), changePageQuery(this.d1, resources, sinceRv, limit, opts.prev ?? true)]);
    return {
      revision: revisionMarksOf(rev.results),
      changes: (page.results as ChangeRow[]).map(logged),
    };
  }

  /** The uids among `uids` that some object has. */
  existingUids(uids: string[]): Promise<Set<string>> {
    return existingUids(this.db, uids);
  }

  /** Where the objects whose controller reference is `ownerUid` live. */
  groupsOwnedBy(ownerUid: string): Promise<ResourceGroup[]> {
    return groupsOwnedBy(this.db, ownerUid);
  }

  /** Up to `limit` groups of objects whose controller owner's uid no object has. */
  groupsWithMissingOwner(limit: number): Promise<(ResourceGroup & { ownerUid: string })[]> {
    return groupsWithMissingOwner(this.db, limit);
  }

  /** Up to `limit` node names that pods are bound to but no Node object has. */
  nodesOfPodsWithoutNode(limit: number): Promise<string[]> {
    return nodesOfPodsWithoutNode(this.db, limit);
  }

  /** Up to `limit` Events whose lastTimestamp is before `cutoff` (RFC 3339), oldest first. */
  async eventsLastSeenBefore(cutoff: string, limit: number): Promise<KubeObject[]> {
    return (await eventsLastSeenBefore(this.db, cutoff, limit)).map((r) => materialise(r.body, r.rv));
  }

  async create(resource: string, obj: KubeObject): Promise<KubeObject> {
    const [out] = await this.commit([{ op: "create", resource, object: obj }]);
    return out;
  }

  async update(resource: string, obj: KubeObject, expectedRv?: number): Promise<KubeObject> {
    const rv = expectedRv ?? Number(obj.metadata.resourceVersion);
    const [out] = await this.commit([{ op: "update", resource, object: obj, expectedRv: rv }]);
    return out;
  }

  async remove(resource: string, obj: KubeObject): Promise<KubeObject> {
    const [out] = await this.commit([{ op: "delete", resource, object: obj, expectedRv: Number(obj.metadata.resourceVersion) }]);
    return out;
  }

  /**
   * Read-modify-write with retries on conflict, like the API server's GuaranteedUpdate.
   * `mutate` gets the current object and returns the new one, or null for no change.
   */
  async guaranteedUpdate(
    resource: string,
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject | null | Promise<KubeObject | null>,
    attempts = GUARANTEED_UPDATE_ATTEMPTS,
  ): Promise<KubeObject> {
    return retryOnConflict(async () => {
      const current = await this.mustGet(resource, namespace, name);
      const next = await mutate(structuredClone(current));
      if (!next) return current;
      return this.update(resource, next, Number(current.metadata.resourceVersion));
    }, attempts);
  }

  /**
   * Commit several writes atomically, each with its own resourceVersion (in order).
   * Returns the objects as stored.
   */
  async commit(ops: WriteOp[], opts: CommitOptions = {}): Promise<KubeObject[]> {
    if (ops.length === 0) return [];
    const bodies = ops.map((w) => serialise(w.object));
    ops.forEach((w, i) => checkRowSize(w, bodies[i]));
    const w$ = statements();
    const d1 = this.d1;
    const stmts: D1PreparedStatement[] = [];
    const namespaces = [...new Set(opts.activeNamespaces ?? [])];
    for (const ns of namespaces) stmts.push(w$.namespaceActive.bind(d1, { namespace: ns }));
    const absent = opts.absent ?? [];
    for (const a of absent) stmts.push(w$.absent.bind(d1, { resource: a.resource, namespace: a.namespace }));
    const unchanged = opts.unchanged ?? [];
    for (const f of unchanged) {
      const set = { resource: f.resource, namespace: f.namespace, count: f.count, maxRv: f.maxRv };
      stmts.push(f.name === undefined ? w$.unchangedSet.bind(d1, set) : w$.unchangedObject.bind(d1, { ...set, name: f.name }));
    }
    // One bump for the whole commit (statements.ts: writeRv); it answers with the last write's revision.
    const bump = stmts.length;
    stmts.push(w$.bumpRevisionBy.bind(d1, { writes: ops.length }));
    if (writesAsSets(ops, bodies)) stmts.push(...setStatements(d1, ops, bodies));
    else for (const [i, w] of ops.entries()) {
      const body = bodies[i];
      const key = { resource: w.resource, ...keyOf(w.object) };
      const back = ops.length - 1 - i;
      // The change row first, so it can copy the object as it was before this write.
      const type: ChangeType = w.op === "create" ? "ADDED" : w.op === "update" ? "MODIFIED" : "DELETED";
      if (w.op === "create") {
        stmts.push(w$.logCreate.bind(d1, { ...key, back, type, body }));
        stmts.push(w$.insertObject.bind(d1, { ...key, back, uid: w.object.metadata.uid ?? "", ...indexColumns(w.object) }));
        continue;
      }
      const room = prevBodyRoom(w.resource, key, body);
      const expectedRv = w.expectedRv;
      stmts.push(w$.logChange.bind(d1, { ...key, back, type, body, room, expectedRv }));
      if (w.op === "update") stmts.push(w$.updateObject.bind(d1, { ...key, back, expectedRv, ...indexColumns(w.object) }));
      else stmts.push(w$.deleteObject.bind(d1, { ...key, expectedRv }));
    }

    let results: D1Result<{ rv: number }>[];
    try {
      results = await d1.batch<{ rv: number }>(stmts);
    } catch (e) {
      throw await this.explainFailure(e, ops, namespaces, absent, unchanged);
    }
    const finalRv = results[bump].results[0].rv;
    const firstRv = finalRv - ops.length + 1;
    const stored = ops.map((w, i) => materialise(bodies[i], firstRv + i));
    if (Math.floor(finalRv / this.pruneEvery) !== Math.floor((firstRv - 1) / this.pruneEvery)) await this.prune(finalRv);
    const committed = ops.map((w, i) => ({ type: (w.op === "create" ? "ADDED" : w.op === "update" ? "MODIFIED" : "DELETED") as ChangeType, resource: w.resource, object: stored[i] }));
    for (const l of this.listeners) l(committed);
    return stored;
  }

  private async prune(rv: number): Promise<void> {
    const floor = rv - this.retain;
    if (floor <= 0) return;
    // Never lower the mark: two prunes may commit out of order, or writers may keep
    // different amounts, and a lower mark would let a watch resume over deleted rows.
    await this.db.batch([
      this.db.delete(changes).where(sql`${changes.rv} <= ${floor}`),
      this.db.update(revision).set({ compactedRv: sql`MAX(${revision.compactedRv}, ${floor})` }).where(eq(revision.id, 1)),
    ]);
  }

  /** Turn a failed batch into the API error a client should see. */
  private async explainFailure(e: unknown, ops: WriteOp[], namespaces: string[], absent: { resource: string; namespace: string }[] = [], unchanged: Fingerprint[] = []): Promise<Error> {
    const message = String((e as Error)?.message ?? e) + String((e as { cause?: Error })?.cause?.message ?? "");
    if (message.includes("malformed JSON")) {
      for (const ns of namespaces) {
        const found = await this.get("namespaces", "", ns);
        if (!found) return namespaceNotFound(ns);
        if (found.metadata.deletionTimestamp) return namespaceTerminating((ops.find((o) => o.op === "create" && (o.object.metadata.namespace ?? "") === ns)?.resource ?? "").split(".")[0], ns);
      }
      for (const a of absent) {
        const [first] = (await this.list(a.resource, { namespace: a.namespace, limit: 1 })).items;
        if (first) return conflict(a.resource, first.metadata.name ?? "", `an object of this kind now exists in namespace ${a.namespace}`);
      }
      for (const f of unchanged) {
        const now = f.name === undefined ? (await this.list(f.resource, { namespace: f.namespace })).items : [await this.get(f.resource, f.namespace, f.name)].filter((o) => o !== null);
        const seen = fingerprintOf(f.resource, f.namespace, now, f.name);
        if (seen.count !== f.count || seen.maxRv !== f.maxRv) return conflict(f.resource, f.name ?? "", CHANGED_SINCE_READ);
      }
    }
    if (message.includes("SQLITE_TOOBIG") || message.includes("too big")) {
      const w = ops[0];
      return tooLarge(w.resource, w.object.metadata.name ?? "");
    }
    if (message.includes("UNIQUE constraint failed")) {
      for (const w of ops) {
        if (w.op !== "create") continue;
        const { namespace, name } = keyOf(w.object);
        if (await this.get(w.resource, namespace, name)) return alreadyExists(w.resource, name);
      }
      const w = ops.find((o) => o.op === "create") ?? ops[0];
      return alreadyExists(w.resource, w.object.metadata.name ?? "");
    }
    if (message.includes("malformed JSON")) {
      for (const w of ops) {
        if (w.op === "create") continue;
        const { namespace, name } = keyOf(w.object);
        const current = await this.get(w.resource, namespace, name);
        if (!current) return notFound(w.resource, name);
        if (Number(current.metadata.resourceVersion) !== w.expectedRv) return conflict(w.resource, name);
      }
      const w = ops[0];
      return conflict(w.resource, w.object.metadata.name ?? "");
    }
    return e instanceof Error ? e : new Error(message);
  }
}

/** The object row is the largest a write makes (the change-log row has the same body, fewer columns, and the previous body only where it fits). */
function checkRowSize(w: WriteOp, body: string): void {
  if (w.op === "delete") return;
  const key = keyOf(w.object);
  const cols = indexColumns(w.object);
  const bytes =
    utf8Length(body) +
    utf8Length(cols.labels) +
    utf8Length(w.resource + key.namespace + key.name + (w.object.metadata.uid ?? "") + (cols.nodeName ?? "") + (cols.phase ?? "") + (cols.ownerUid ?? "")) +
    ROW_OVERHEAD_BYTES;
  if (bytes > MAX_ROW_BYTES) throw tooLarge(w.resource, key.name, bytes);
}

/** 413, where the API server passes on etcd's "etcdserver: request is too large" as a 500. */
function tooLarge(resource: string, name: string, bytes?: number): ApiError {
  const size = bytes === undefined ? "is too large to store" : `would be stored as ${bytes} bytes`;
  return new ApiError(413, "RequestEntityTooLarge", `Request entity too large: ${resource} "${name}" ${size}, limit is ${MAX_ROW_BYTES}`, {
    name,
    kind: resource.split(".")[0],
    ...(resource.includes(".") ? { group: resource.slice(resource.indexOf(".") + 1) } : {}),
  });
}

/**
 * The largest previous body an update's or delete's change row may copy: the previous
 * body rides along only while both fit in one D1 row; a watcher with a selector judges
 * a change to a larger object by its new state alone.
 */
function prevBodyRoom(resource: string, key: { namespace: string; name: string }, body: string): number {
  return MAX_ROW_BYTES - ROW_OVERHEAD_BYTES - utf8Length(body) - utf8Length(resource + key.namespace + key.name);
}

/** Commits of at least this many writes go as set statements (set-statements.ts), when they can. */
const SET_MIN_WRITES = 8;
/** A set statement's JSON parameter is kept under this many characters (a D1 value is at most 2 MB). */
const SET_CHUNK_CHARS = 512 * 1024;

/**
 * Set statements apply a kind of write to all its objects at once, so each object
 * may appear once (one write's guard must not see another's write of the same object)
 * and each body must fit a chunk.
 */
function writesAsSets(ops: WriteOp[], bodies: string[]): boolean {
  if (ops.length < SET_MIN_WRITES) return false;
  if (bodies.some((b) => b.length > SET_CHUNK_CHARS / 2)) return false;
  const keys = new Set(ops.map((w) => {
    const { namespace, name } = keyOf(w.object);
    return `${w.resource}\u0000${namespace}\u0000${name}`;
  }));
  return keys.size === ops.length;
}

/** A commit's writes grouped by kind, each kind in as few statements as its rows' size allows. */
function setStatements(d1: D1Database, ops: WriteOp[], bodies: string[]): D1PreparedStatement[] {
  const creates: SetRow[] = [];
  const updates: SetRow[] = [];
  const deletes: SetRow[] = [];
  for (const [i, w] of ops.entries()) {
    const body = bodies[i];
    const row: SetRow = { back: ops.length - 1 - i, resource: w.resource, ...keyOf(w.object), body };
    if (w.op === "create") creates.push({ ...row, uid: w.object.metadata.uid ?? "", ...indexColumns(w.object) });
    else {
      const room = prevBodyRoom(w.resource, row, body);
      const changed = { ...row, expectedRv: w.expectedRv, room, type: w.op === "update" ? ("MODIFIED" as const) : ("DELETED" as const) };
      if (w.op === "update") updates.push({ ...changed, ...indexColumns(w.object) });
      else deletes.push(changed);
    }
  }
  const out: D1PreparedStatement[] = [];
  const each = (list: SetRow[], first: string, second: string) => {
    for (const json of jsonChunks(list, SET_CHUNK_CHARS)) out.push(d1.prepare(first).bind(json), d1.prepare(second).bind(json));
  };
  each(creates, SET_SQL.logCreates, SET_SQL.insertObjects);
  each(updates, SET_SQL.logChanges, SET_SQL.updateObjects);
  each(deletes, SET_SQL.logChanges, SET_SQL.deleteObjects);
  return out;
}

function keyOf(obj: KubeObject): { namespace: string; name: string } {
  return { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
}

function indexColumns(obj: KubeObject) {
  const spec = obj.spec as { nodeName?: string } | undefined;
  const status = obj.status as { phase?: string } | undefined;
  const owner = obj.metadata.ownerReferences?.find((o) => o.controller);
  return {
    nodeName: spec?.nodeName || null,
    phase: status?.phase ?? null,
    ownerUid: owner?.uid ?? null,
    labels: JSON.stringify(obj.metadata.labels ?? {}),
  };
}

/** Stored JSON omits resourceVersion: the column is the single source of truth. */
function serialise(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

function logged(r: ChangeRow): LoggedChange {
  const out: LoggedChange = { rv: r.rv, type: r.type, resource: r.resource, object: materialise(r.body, r.rv) };
  if (r.prev_body) out.prevObject = materialise(r.prev_body, r.rv);
  return out;
}

function materialise(body: string, rv: number): KubeObject {
  const obj = JSON.parse(body) as KubeObject;
  obj.metadata = { ...obj.metadata, resourceVersion: String(rv) };
  return obj;
}

interface ContinueToken {
  rv: number;
  ns: string;
  name: string;
}

function encodeContinue(t: ContinueToken): string {
  return btoa(JSON.stringify({ v: 1, ...t })).replace(/=+$/, "");
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(atob(token)) as ContinueToken & { v: number };
    if (t.v !== 1 || typeof t.rv !== "number" || typeof t.ns !== "string" || typeof t.name !== "string") throw new Error("bad token");
    return t;
  } catch {
    throw new ApiError(400, "BadRequest", "continue key is not valid: illegal base64 data at input byte 0");
  }
}
