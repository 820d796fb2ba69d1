// The store's prepared statements must say exactly what drizzle builds for the same
// write per call: same SQL text, same parameters in the same order.
import { describe, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/d1";
import { and, eq, sql } from "drizzle-orm";
import { objects, changes, revision } from "../../src/store/schema";
import { statements } from "../../src/store/statements";

const db = drizzle({} as D1Database);
/** Write i of n takes the commit's one bumped revision less n - 1 - i (here 2). */
const writeRv = sql`((SELECT ${revision.rv} FROM ${revision} WHERE ${revision.id} = 1) - ${2})`;
const key = { resource: "pods", namespace: "default", name: "web-1" };
const index = { nodeName: "node-1", phase: "Running", ownerUid: "u-rs", labels: '{"app":"web"}' };
const byKey = and(eq(objects.resource, key.resource), eq(objects.namespace, key.namespace), eq(objects.name, key.name));
/** The object's body is the one its change row (same revision) was just given. */
const loggedBody = sql`(SELECT ${changes.body} FROM ${changes} WHERE ${changes.rv} = ${writeRv})`;

/** drizzle's parameters as values (an insert wraps each with its column). */
function values(q: { sql: string; params: unknown[] }) {
  return { sql: q.sql, params: q.params.map((p) => (p && typeof p === "object" && "value" in p ? (p as { value: unknown }).value : p)) };
}

describe("the store's prepared statements", () => {
  it("insert an object as drizzle would", () => {
    const s = statements().insertObject;
    const built = db.insert(objects).values({ ...key, uid: "u-1", resourceVersion: writeRv, ...index, body: loggedBody }).toSQL();
    expect({ sql: s.sql, params: s.args({ ...key, back: 2, uid: "u-1", ...index }) }).toEqual(values(built));
  });

  it("update an object conditionally on its resourceVersion as drizzle would", () => {
    const s = statements().updateObject;
    const built = db
      .update(objects)
      .set({ resourceVersion: writeRv, ...index, body: loggedBody })
      .where(and(byKey, eq(objects.resourceVersion, 41)))
      .toSQL();
    expect({ sql: s.sql, params: s.args({ ...key, back: 2, expectedRv: 41, ...index }) }).toEqual(values(built));
  });

  it("log a change with the previous body, on condition of the version the writer read, as drizzle would", () => {
    const s = statements().logChange;
    const prevBody = sql`(SELECT CASE WHEN length(CAST(${objects.body} AS BLOB)) <= ${1000} THEN ${objects.body} END FROM ${objects} WHERE ${byKey})`;
    const type = sql`CASE WHEN (SELECT ${objects.resourceVersion} FROM ${objects} WHERE ${byKey}) = ${41} THEN ${"MODIFIED"} ELSE json(${"edgekube-conflict"}) END`;
    const built = db.insert(changes).values({ rv: writeRv, type, ...key, body: "{}", prevBody }).toSQL();
    expect({ sql: s.sql, params: s.args({ ...key, back: 2, type: "MODIFIED", body: "{}", room: 1000, expectedRv: 41 }) }).toEqual(values(built));
  });

  it("delete and read one object as drizzle would", () => {
    const del = db.delete(objects).where(and(byKey, eq(objects.resourceVersion, 7))).toSQL();
    expect({ sql: statements().deleteObject.sql, params: statements().deleteObject.args({ ...key, expectedRv: 7 }) }).toEqual(values(del));
    const get = db.select({ rv: objects.resourceVersion, body: objects.body }).from(objects).where(byKey).toSQL();
    expect({ sql: statements().getObject.sql, params: statements().getObject.args(key) }).toEqual(values(get));
    const body = sql`CASE WHEN ${objects.resourceVersion} = ${7} THEN NULL ELSE ${objects.body} END`.as("body");
    const unlessHeld = db.select({ rv: objects.resourceVersion, body }).from(objects).where(byKey).toSQL();
    expect({ sql: statements().getObjectUnlessHeld.sql, params: statements().getObjectUnlessHeld.args({ ...key, heldRv: 7 }) }).toEqual(values(unlessHeld));
  });

  it("bump the revision once per commit by its number of writes, answering with the last", () => {
    const built = db
      .update(revision)
      .set({ rv: sql`${revision.rv} + ${5}` })
      .where(eq(revision.id, 1))
      .returning({ rv: revision.rv })
      .toSQL();
    expect({ sql: statements().bumpRevisionBy.sql, params: statements().bumpRevisionBy.args({ writes: 5 }) }).toEqual(values(built));
  });

  it("refuses a missing value rather than binding NULL", () => {
    expect(() => statements().deleteObject.args({ ...key } as never)).toThrow(/no value for placeholder expectedRv/);
  });
});
