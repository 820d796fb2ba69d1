// A page of the change log, built once per shape and bound per call, must say what
// drizzle builds for the same page with the values inline: same SQL text, same
// parameters in the same order. Without the previous bodies it is the same query less
// that one column.
import { describe, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/d1";
import { and, asc, eq, gt, inArray, type SQL } from "drizzle-orm";
import { changes, revision } from "../../src/store/schema";
import { changePageQuery, readRevisionMarks, revisionMarksOf } from "../../src/store/change-statements";

const db = drizzle({} as D1Database);

/** A D1 binding that hands back what it was asked to run. */
const capture = {
  prepare: (text: string) => ({ bind: (...params: unknown[]) => ({ sql: text, params }) }),
} as unknown as D1Database;

type Captured = { sql: string; params: unknown[] };

/** drizzle's per-call build of the same page. */
function builtPerCall(resources: string[], sinceRv: number, limit: number, prev: boolean): Captured {
  const where: SQL[] = [gt(changes.rv, sinceRv)];
  if (resources.length) where.push(inArray(changes.resource, resources));
  const columns = { rv: changes.rv, type: changes.type, resource: changes.resource, namespace: changes.namespace, name: changes.name, body: changes.body };
  const q = db
    .select(prev ? { ...columns, prev_body: changes.prevBody } : columns)
    .from(changes)
    .where(and(...where))
    .orderBy(asc(changes.rv))
    .limit(limit)
    .toSQL();
  return { sql: q.sql, params: q.params };
}

const cases: [string, string[], boolean][] = [
  ["one resource, as a watch cache reads", ["pods"], true],
  ["several resources without previous bodies, as the scheduler reads", ["pods", "nodes", "persistentvolumeclaims", "poddisruptionbudgets.policy"], false],
  ["several resources with previous bodies", ["pods", "nodes"], true],
  ["every resource", [], true],
];

describe("a page of the change log, prepared", () => {
  it.each(cases)("%s: as drizzle builds it per call", (_, resources, prev) => {
    expect(changePageQuery(capture, resources, 41, 500, prev)).toEqual(builtPerCall(resources, 41, 500, prev));
  });

  it("leaves out only the previous bodies when they are not asked for", () => {
    const withPrev = changePageQuery(capture, ["pods"], 1, 10, true) as unknown as Captured;
    const without = changePageQuery(capture, ["pods"], 1, 10, false) as unknown as Captured;
    expect(withPrev.sql).toContain('"prev_body"');
    expect(without.sql).not.toContain("prev_body");
    expect(without.sql.replace(/\s+/g, " ")).toBe(withPrev.sql.replace(', "prev_body"', "").replace(/\s+/g, " "));
  });

  it("binds each call's own values to the shape's one text", () => {
    const a = changePageQuery(capture, ["pods"], 7, 100, true) as unknown as Captured;
    const b = changePageQuery(capture, ["leases.coordination.k8s.io"], 90, 2_000, true) as unknown as Captured;
    expect(b.sql).toBe(a.sql);
    expect(a.params).toEqual([7, "pods", 100]);
    expect(b.params).toEqual([90, "leases.coordination.k8s.io", 2_000]);
  });

  it("reads the revision and the compaction mark as drizzle would, and an empty log as zeros", () => {
    const q = db.select({ rv: revision.rv, compactedRv: revision.compactedRv }).from(revision).where(eq(revision.id, 1)).toSQL();
    expect(readRevisionMarks(capture)).toEqual({ sql: q.sql, params: q.params });
    expect(revisionMarksOf([{ rv: 12, compacted_rv: 3 }])).toEqual({ rv: 12, compactedRv: 3 });
    expect(revisionMarksOf([])).toEqual({ rv: 0, compactedRv: 0 });
  });
});
