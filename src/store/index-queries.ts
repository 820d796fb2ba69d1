// Queries over the object table's indexed columns that no list answers: which uids
// exist, which (resource, namespace) groups hold an owner's dependents, which owners
// are gone, which nodes pods are bound to without a Node. One SQL statement each
// (chunked only where SQLite limits bound parameters), so the garbage collector and
// pod GC cost the same whatever they find.
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { objects } from "./schema";

/** D1 allows 100 bound parameters per statement. */
const UIDS_PER_QUERY = 90;

export interface ResourceGroup {
  resource: string;
  namespace: string;
}

export async function existingUids(db: DrizzleD1Database, uids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < uids.length; i += UIDS_PER_QUERY) {
    const rows = await db.select({ uid: objects.uid }).from(objects).where(inArray(objects.uid, uids.slice(i, i + UIDS_PER_QUERY))).all();
    for (const r of rows) out.add(r.uid);
  }
  return out;
}

export function groupsOwnedBy(db: DrizzleD1Database, ownerUid: string): Promise<ResourceGroup[]> {
  return db.selectDistinct({ resource: objects.resource, namespace: objects.namespace }).from(objects).where(eq(objects.ownerUid, ownerUid)).all();
}

export async function groupsWithMissingOwner(db: DrizzleD1Database, limit: number): Promise<(ResourceGroup & { ownerUid: string })[]> {
  const rows = await db
    .selectDistinct({ resource: objects.resource, namespace: objects.namespace, ownerUid: objects.ownerUid })
    .from(objects)
    // `> ''` rather than IS NOT NULL: SQLite's planner (without ANALYZE statistics, as
    // D1 keeps them) walks the whole key index for IS NOT NULL, reading every object's
    // row; a range on the owner index visits only objects that have an owner.
    .where(and(sql`${objects.ownerUid} > ''`, sql`NOT EXISTS (SELECT 1 FROM ${objects} AS owner WHERE owner.uid = ${objects.ownerUid})`))
    .limit(limit)
    .all();
  return rows.map((r) => ({ resource: r.resource, namespace: r.namespace, ownerUid: r.ownerUid ?? "" }));
}

export async function nodesOfPodsWithoutNode(db: DrizzleD1Database, limit: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ node: objects.nodeName })
    .from(objects)
    .where(
      and(
        eq(objects.resource, "pods"),
        isNotNull(objects.nodeName),
        sql`NOT EXISTS (SELECT 1 FROM ${objects} AS node WHERE node.resource = 'nodes' AND node.namespace = '' AND node.name = ${objects.nodeName})`,
      ),
    )
    .limit(limit)
    .all();
  return rows.map((r) => r.node ?? "").filter(Boolean);
}

/**
 * Up to `limit` Events last seen before `cutoff` (RFC 3339, second precision), oldest
 * first. Events carry no indexed time column: their rows are scanned within the events
 * range of the key index, which a sweep every half minute can afford.
 */
export async function eventsLastSeenBefore(db: DrizzleD1Database, cutoff: string, limit: number): Promise<{ rv: number; body: string }[]> {
  const lastSeen = sql`COALESCE(json_extract(${objects.body}, '$.lastTimestamp'), json_extract(${objects.body}, '$.metadata.creationTimestamp'))`;
  return db
    .select({ rv: objects.resourceVersion, body: objects.body })
    .from(objects)
    .where(and(eq(objects.resource, "events"), sql`${lastSeen} < ${cutoff}`))
    .orderBy(asc(objects.resourceVersion))
    .limit(limit)
    .all();
}
