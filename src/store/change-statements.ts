// The change log's page queries, built by drizzle once per shape and then only bound
// (prepared.ts says why). Every watch cache and the scheduler read a page after each
// poke, so these run as often as anything the store does. The shapes: how many
// resources a page covers (one per watch cache, a few for the scheduler, none for a
// read of every resource) and whether the previous bodies come along. Only a watch with
// a selector needs a change's previous object (to tell an object that stops matching
// from one that never did); a reader that keeps its own copies, as the scheduler's
// snapshot does, reads half the bytes without them.
import { drizzle } from "drizzle-orm/d1";
import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { changes, revision } from "./schema";
import { lazily, PreparedSql, type SqlValue } from "./prepared";

/** A change-log row as D1 returns it (prev_body only where it was asked for). */
export interface ChangeRow {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: string;
  namespace: string;
  name: string;
  body: string;
  prev_body?: string | null;
}

export interface ChangePageShape {
  /** The resources read; empty reads every resource. */
  resources: number;
  /** Whether each row carries the object before the change. */
  prev: boolean;
}

const p = (name: string) => sql.placeholder(name);

function build(shape: ChangePageShape): PreparedSql<string> {
  const db = drizzle({} as D1Database);
  const where: SQL[] = [gt(changes.rv, p("sinceRv"))];
  if (shape.resources > 0) {
    where.push(
      inArray(
        changes.resource,
        Array.from({ length: shape.resources }, (_, i) => p(`resource${i}`)),
      ),
    );
  }
  const columns = {
    rv: changes.rv,
    type: changes.type,
    resource: changes.resource,
    namespace: changes.namespace,
    name: changes.name,
    body: changes.body,
    ...(shape.prev ? { prev_body: changes.prevBody } : {}),
  };
  const query = db
    .select(columns)
    .from(changes)
    .where(and(...where))
    .orderBy(asc(changes.rv))
    .limit(p("limit"));
  return new PreparedSql<string>(query.toSQL());
}

const byShape = new Map<string, PreparedSql<string>>();

/** The page of changes after `sinceRv` to `resources` (all when empty), at most `limit`, bound to `d1`. */
export function changePageQuery(d1: D1Database, resources: string[], sinceRv: number, limit: number, prev: boolean): D1PreparedStatement {
  const key = `${resources.length}/${prev ? "p" : "-"}`;
  let prepared = byShape.get(key);
  if (!prepared) byShape.set(key, (prepared = build({ resources: resources.length, prev })));
  const values: Record<string, SqlValue> = { sinceRv, limit };
  resources.forEach((r, i) => (values[`resource${i}`] = r));
  return prepared.bind(d1, values);
}

const revisionMarks = lazily(
  () => new PreparedSql(drizzle({} as D1Database).select({ rv: revision.rv, compactedRv: revision.compactedRv }).from(revision).where(eq(revision.id, 1)).toSQL()),
);

/** The cluster's revision and compaction mark, read in the same batch as a page of changes. */
export function readRevisionMarks(d1: D1Database): D1PreparedStatement {
  return revisionMarks().bind(d1, {});
}

/** What readRevisionMarks answered (a missing row reads as an empty log). */
export function revisionMarksOf(results: unknown[]): { rv: number; compactedRv: number } {
  const row = results[0] as { rv?: number; compacted_rv?: number } | undefined;
  return { rv: row?.rv ?? 0, compactedRv: row?.compacted_rv ?? 0 };
}
