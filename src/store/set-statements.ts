// A commit's writes of one kind as one statement each, their rows in one JSON
// parameter read with json_each, instead of two statements per object
// (statements.ts). Each statement costs the database a fixed amount besides its rows
// (locally, Miniflare's D1 object parses, prepares and measures each one): a
// scheduler's commit of 250 binds and their events was 1,000 statements, and the same
// writes as 6 set statements took the database about half the time (0.10 against
// 0.18 ms a bind, timed from a worker against local D1). They do what the per-object
// statements do, row by row: the same revisions (the commit's one bump, less each
// row's `back`), the same guards (an update's or delete's row whose object is not at
// `expectedRv` aborts the batch as "malformed JSON"), the previous body where it fits.
// The SQL is written out: drizzle's builder has no INSERT ... SELECT FROM json_each.
import type { SqlValue } from "./prepared";
import { CONFLICT_GUARD } from "./statements";

/** One write, as a row of a set statement's JSON parameter. */
export interface SetRow {
  back: number;
  resource: string;
  namespace: string;
  name: string;
  /** Creates and updates: the stored text. Deletes: the object as deleted. */
  body: string;
  /** Creates. */
  uid?: string;
  /** Updates and deletes. */
  expectedRv?: number;
  type?: "MODIFIED" | "DELETED";
  /** The largest previous body the change row may copy (store.ts says why). */
  room?: number;
  nodeName?: SqlValue;
  phase?: SqlValue;
  ownerUid?: SqlValue;
  labels?: string;
}

const v = (field: keyof SetRow) => `(j.value ->> '${field}')`;
/** The row's revision: the commit's bumped revision less its `back`. */
const rv = `((SELECT rv FROM revision WHERE id = 1) - ${v("back")})`;
const rows = "json_each(?1) AS j";
const sameKey = (t: string) => `${t}.resource = ${v("resource")} AND ${t}.namespace = ${v("namespace")} AND ${t}.name = ${v("name")}`;

export const SET_SQL = {
  logCreates: `INSERT INTO changes (rv, type, resource, namespace, name, body, prev_body)
    SELECT ${rv}, 'ADDED', ${v("resource")}, ${v("namespace")}, ${v("name")}, ${v("body")}, NULL FROM ${rows}`,
  insertObjects: `INSERT INTO objects (resource, namespace, name, uid, resource_version, node_name, phase, owner_uid, labels, body)
    SELECT ${v("resource")}, ${v("namespace")}, ${v("name")}, ${v("uid")}, ${rv}, ${v("nodeName")}, ${v("phase")}, ${v("ownerUid")}, ${v("labels")},
      (SELECT body FROM changes WHERE changes.rv = ${rv}) FROM ${rows}`,
  /** Updates' and deletes' change rows, each the guard of its write (LEFT JOIN: a missing object fails it too). */
  logChanges: `INSERT INTO changes (rv, type, resource, namespace, name, body, prev_body)
    SELECT ${rv}, CASE WHEN o.resource_version = ${v("expectedRv")} THEN ${v("type")} ELSE json('${CONFLICT_GUARD}') END,
      ${v("resource")}, ${v("namespace")}, ${v("name")}, ${v("body")},
      CASE WHEN length(CAST(o.body AS BLOB)) <= ${v("room")} THEN o.body END
    FROM ${rows} LEFT JOIN objects AS o ON ${sameKey("o")}`,
  updateObjects: `UPDATE objects SET resource_version = ${rv}, node_name = ${v("nodeName")}, phase = ${v("phase")}, owner_uid = ${v("ownerUid")},
      labels = ${v("labels")}, body = (SELECT body FROM changes WHERE changes.rv = ${rv})
    FROM ${rows} WHERE ${sameKey("objects")} AND objects.resource_version = ${v("expectedRv")}`,
  deleteObjects: `DELETE FROM objects WHERE rowid IN (
    SELECT o.rowid FROM ${rows} JOIN objects AS o ON ${sameKey("o")} AND o.resource_version = ${v("expectedRv")})`,
} as const;

/**
 * Rows in JSON arrays of at most `maxChars` characters (a D1 value is at most 2 MB);
 * a row larger than that goes alone.
 */
export function jsonChunks(list: SetRow[], maxChars: number): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let size = 2;
  for (const row of list) {
    const text = JSON.stringify(row);
    if (part.length && size + 1 + text.length > maxChars) {
      out.push(`[${part.join(",")}]`);
      part = [];
      size = 2;
    }
    size += (part.length ? 1 : 0) + text.length;
    part.push(text);
  }
  if (part.length) out.push(`[${part.join(",")}]`);
  return out;
}
