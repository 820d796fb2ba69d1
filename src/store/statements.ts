// The store's hot statements (a commit's, and reading one object), built once by
// drizzle from the schema with placeholders and bound per call (prepared.ts says why).
// What each one does, and why a commit is shaped this way, is in store.ts; the guards
// (and an update's or delete's change row, when the object moved on) abort a batch by
// handing SQLite's json() something that is not JSON, which D1 reports as "malformed JSON".
import { drizzle } from "drizzle-orm/d1";
import { and, eq, sql } from "drizzle-orm";
import { objects, changes, revision } from "./schema";
import { lazily, PreparedSql } from "./prepared";

export const CONFLICT_GUARD = "edgekube-conflict";

const p = <N extends string>(name: N) => sql.placeholder(name);

/**
 * A write's resourceVersion. A commit bumps the cluster-wide revision once, by its
 * number of writes, before any of them (bumpRevisionBy); write i of n then takes
 * that revision less `back` = n - 1 - i, so the writes still get consecutive versions
 * in order, as one bump per write gave them, for one statement instead of n.
 */
const writeRv = sql`((SELECT ${revision.rv} FROM ${revision} WHERE ${revision.id} = 1) - ${p("back")})`;
/** The body of the change row this write just logged (same revision). */
const loggedBody = sql`(SELECT ${changes.body} FROM ${changes} WHERE ${changes.rv} = ${writeRv})`;
const abortUnless = (condition: ReturnType<typeof sql>) => sql`json(CASE WHEN ${condition} THEN '1' ELSE ${CONFLICT_GUARD} END)`;
const objectKey = and(eq(objects.resource, p("resource")), eq(objects.namespace, p("namespace")), eq(objects.name, p("name")));

type Key = "resource" | "namespace" | "name";
type IndexColumns = "nodeName" | "phase" | "ownerUid" | "labels";

export const statements = lazily(() => {
  // Only the query builder is used: the text does not depend on the database.
  const db = drizzle({} as D1Database);
  const index = { nodeName: p("nodeName"), phase: p("phase"), ownerUid: p("ownerUid"), labels: p("labels") };
  const revisionRow = eq(revision.id, 1);
  return {
    /** A commit's one bump, by its number of writes; it answers with the last write's revision (no read of it afterwards). */
    bumpRevisionBy: new PreparedSql<"writes">(db.update(revision).set({ rv: sql`${revision.rv} + ${p("writes")}` }).where(revisionRow).returning({ rv: revision.rv }).toSQL()),
    /** A create's change row: no previous body. */
    logCreate: new PreparedSql<Key | "back" | "type" | "body">(
      db.insert(changes).values({ rv: writeRv, type: p("type"), resource: p("resource"), namespace: p("namespace"), name: p("name"), body: p("body"), prevBody: null }).toSQL(),
    ),
    /**
     * An update's or delete's change row, copying the object as it was while it fits in
     * `room` bytes. It is also the write's precondition: unless the object is stored at
     * `expectedRv` its type is not JSON and the batch fails (no separate guard statement).
     */
    logChange: new PreparedSql<Key | "back" | "type" | "body" | "room" | "expectedRv">(
      db
        .insert(changes)
        .values({
          rv: writeRv,
          type: sql`CASE WHEN (SELECT ${objects.resourceVersion} FROM ${objects} WHERE ${objectKey}) = ${p("expectedRv")} THEN ${p("type")} ELSE json(${CONFLICT_GUARD}) END`,
          resource: p("resource"),
          namespace: p("namespace"),
          name: p("name"),
          body: p("body"),
          prevBody: sql`(SELECT CASE WHEN length(CAST(${objects.body} AS BLOB)) <= ${p("room")} THEN ${objects.body} END FROM ${objects} WHERE ${objectKey})`,
        })
        .toSQL(),
    ),
    /** The object's body is its change row's, so a commit sends each body once. */
    insertObject: new PreparedSql<Key | "back" | "uid" | IndexColumns>(
      db.insert(objects).values({ resource: p("resource"), namespace: p("namespace"), name: p("name"), uid: p("uid"), resourceVersion: writeRv, ...index, body: loggedBody }).toSQL(),
    ),
    /** Conditional on the resourceVersion the writer read (logChange has checked it already); the body is the change row's. */
    updateObject: new PreparedSql<Key | "back" | "expectedRv" | IndexColumns>(
      db
        .update(objects)
        .set({ resourceVersion: writeRv, ...Object.fromEntries(Object.entries(index).map(([k, v]) => [k, sql`${v}`])), body: loggedBody })
        .where(and(objectKey, eq(objects.resourceVersion, p("expectedRv"))))
        .toSQL(),
    ),
    deleteObject: new PreparedSql<Key | "expectedRv">(db.delete(objects).where(and(objectKey, eq(objects.resourceVersion, p("expectedRv")))).toSQL()),
    /** Aborts the batch unless the namespace exists and is not being deleted. */
    namespaceActive: new PreparedSql<"namespace">(
      db
        .select({
          ok: abortUnless(
            sql`EXISTS (SELECT 1 FROM ${objects} WHERE ${objects.resource} = 'namespaces' AND ${objects.namespace} = '' AND ${objects.name} = ${p("namespace")} AND json_extract(${objects.body}, '$.metadata.deletionTimestamp') IS NULL)`,
          ),
        })
        .from(revision)
        .where(revisionRow)
        .toSQL(),
    ),
    /** Aborts the batch if any object of the resource exists in the namespace. */
    absent: new PreparedSql<"resource" | "namespace">(
      db
        .select({ ok: abortUnless(sql`NOT EXISTS (SELECT 1 FROM ${objects} WHERE ${objects.resource} = ${p("resource")} AND ${objects.namespace} = ${p("namespace")})`) })
        .from(revision)
        .where(revisionRow)
        .toSQL(),
    ),
    /** Aborts the batch unless the resource's objects in a namespace still number `count` with the highest version `maxRv`. */
    unchangedSet: new PreparedSql<"resource" | "namespace" | "count" | "maxRv">(
      db
        .select({
          ok: abortUnless(
            sql`(SELECT count(*) = ${p("count")} AND coalesce(max(${objects.resourceVersion}), 0) = ${p("maxRv")} FROM ${objects} WHERE ${and(eq(objects.resource, p("resource")), eq(objects.namespace, p("namespace")))})`,
          ),
        })
        .from(revision)
        .where(revisionRow)
        .toSQL(),
    ),
    /** The same for one named object (count 0 or 1). */
    unchangedObject: new PreparedSql<Key | "count" | "maxRv">(
      db
        .select({ ok: abortUnless(sql`(SELECT count(*) = ${p("count")} AND coalesce(max(${objects.resourceVersion}), 0) = ${p("maxRv")} FROM ${objects} WHERE ${objectKey})`) })
        .from(revision)
        .where(revisionRow)
        .toSQL(),
    ),
    /** One object's stored version and body. */
    getObject: new PreparedSql<Key>(db.select({ rv: objects.resourceVersion, body: objects.body }).from(objects).where(objectKey).toSQL()),
    /** The same for a reader that holds the object at `heldRv`: the body only when the object moved on. */
    getObjectUnlessHeld: new PreparedSql<Key | "heldRv">(
      db
        .select({ rv: objects.resourceVersion, body: sql<string | null>`CASE WHEN ${objects.resourceVersion} = ${p("heldRv")} THEN NULL ELSE ${objects.body} END`.as("body") })
        .from(objects)
        .where(objectKey)
        .toSQL(),
    ),
  };
});
