// A list's page query, built by drizzle once per shape (which filters it has) with
// placeholders and then only bound (prepared.ts says why). Lists run on every
// controller sync and kubelet relist; the shapes are few (a resource, maybe a
// namespace, a node, an owner, a name, up to MAX_LABEL_PUSHDOWN label equalities, and
// where the page starts), so the cache stays small.
import { drizzle } from "drizzle-orm/d1";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { objects, revision } from "./schema";
import { lazily, PreparedSql, type SqlValue } from "./prepared";

/**
 * Label equalities pushed down to SQL at most (two bound parameters each): D1 allows
 * 100 parameters per statement. Any further ones are checked in memory.
 */
export const MAX_LABEL_PUSHDOWN = 32;

export interface ListFilter {
  resource: string;
  /** Only this namespace (unset or "": every namespace). */
  namespace?: string;
  /** Pods bound to this node ("": not bound to any). */
  nodeName?: string;
  ownerUid?: string;
  name?: string;
  /** Label key -> value, at most MAX_LABEL_PUSHDOWN. */
  labels: [string, string][];
  /** Only objects after this (namespace, name), in key order. */
  after?: { ns: string; name: string };
  /**
   * The reader holds these objects ("namespace/name" -> resourceVersion): a row at that
   * version comes back without its body.
   */
  known?: Map<string, number>;
}

/** A page's row as D1 returns it. */
export interface ListRow {
  namespace: string;
  name: string;
  resource_version: number;
  body: string;
}

/** A page's row of a list against what the reader holds: no body when it holds that version. */
export type HeldListRow = Omit<ListRow, "body"> & { body: string | null };

const p = (name: string) => sql.placeholder(name);

function shapeOf(f: ListFilter): string {
  const node = f.nodeName === undefined ? "-" : f.nodeName === "" ? "0" : "n";
  return [f.namespace ? "ns" : "-", node, f.ownerUid !== undefined ? "o" : "-", f.name !== undefined ? "m" : "-", f.labels.length, f.after ? "a" : "-", f.known ? "k" : "-"].join("/");
}

function build(f: ListFilter): PreparedSql<string> {
  // Only the query builder is used: the text does not depend on the database.
  const db = drizzle({} as D1Database);
  const where: SQL[] = [eq(objects.resource, p("resource"))];
  if (f.namespace) where.push(eq(objects.namespace, p("namespace")));
  if (f.nodeName !== undefined) where.push(f.nodeName === "" ? sql`${objects.nodeName} IS NULL` : eq(objects.nodeName, p("nodeName")));
  if (f.ownerUid !== undefined) where.push(eq(objects.ownerUid, p("ownerUid")));
  if (f.name !== undefined) where.push(eq(objects.name, p("name")));
  f.labels.forEach((_, i) => where.push(sql`json_extract(${objects.labels}, ${p(`labelPath${i}`)}) = ${p(`labelValue${i}`)}`));
  if (f.after) where.push(sql`(${objects.namespace}, ${objects.name}) > (${p("afterNs")}, ${p("afterName")})`);
  // What the reader holds is one JSON object parameter, so the text does not vary with it.
  const body = f.known
    ? sql<string | null>`CASE WHEN EXISTS (SELECT 1 FROM json_each(${p("known")}) WHERE key = ${objects.namespace} || '/' || ${objects.name} AND value = ${objects.resourceVersion}) THEN NULL ELSE ${objects.body} END`.as("body")
    : objects.body;
  const query = db
    .select({ namespace: objects.namespace, name: objects.name, resource_version: objects.resourceVersion, body })
    .from(objects)
    .where(and(...where))
    .orderBy(asc(objects.namespace), asc(objects.name))
    .limit(p("limit"));
  return new PreparedSql<string>(query.toSQL());
}

const byShape = new Map<string, PreparedSql<string>>();

/** The page query for `f`, at most `limit` rows, bound to `d1`. */
export function listPage(d1: D1Database, f: ListFilter, limit: number): D1PreparedStatement {
  const shape = shapeOf(f);
  let prepared = byShape.get(shape);
  if (!prepared) byShape.set(shape, (prepared = build(f)));
  const values: Record<string, SqlValue> = { resource: f.resource, limit };
  if (f.namespace) values.namespace = f.namespace;
  if (f.nodeName) values.nodeName = f.nodeName;
  if (f.ownerUid !== undefined) values.ownerUid = f.ownerUid;
  if (f.name !== undefined) values.name = f.name;
  f.labels.forEach(([k, v], i) => {
    values[`labelPath${i}`] = "$." + JSON.stringify(k);
    values[`labelValue${i}`] = v;
  });
  if (f.after) {
    values.afterNs = f.after.ns;
    values.afterName = f.after.name;
  }
  if (f.known) values.known = JSON.stringify(Object.fromEntries(f.known));
  return prepared.bind(d1, values);
}

const revisionRead = lazily(() => new PreparedSql(drizzle({} as D1Database).select({ rv: revision.rv }).from(revision).where(eq(revision.id, 1)).toSQL()));

/** The cluster's revision (read in the same batch as a list's first page). */
export function readRevision(d1: D1Database): D1PreparedStatement {
  return revisionRead().bind(d1, {});
}
