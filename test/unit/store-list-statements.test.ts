// A list's page query, built once per shape and bound per call, must say what drizzle
// builds for the same filter with the values inline: same SQL text, same parameters in
// the same order.
import { describe, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/d1";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { objects } from "../../src/store/schema";
import { listPage, type ListFilter } from "../../src/store/list-statements";

const db = drizzle({} as D1Database);

/** A D1 binding that hands back what it was asked to run. */
const capture = {
  prepare: (text: string) => ({ bind: (...params: unknown[]) => ({ sql: text, params }) }),
} as unknown as D1Database;

/** drizzle's per-call build of the same page. */
function builtPerCall(f: ListFilter, limit: number) {
  const where: SQL[] = [eq(objects.resource, f.resource)];
  if (f.namespace) where.push(eq(objects.namespace, f.namespace));
  if (f.nodeName !== undefined) where.push(f.nodeName === "" ? sql`${objects.nodeName} IS NULL` : eq(objects.nodeName, f.nodeName));
  if (f.ownerUid !== undefined) where.push(eq(objects.ownerUid, f.ownerUid));
  if (f.name !== undefined) where.push(eq(objects.name, f.name));
  for (const [k, v] of f.labels) where.push(sql`json_extract(${objects.labels}, ${"$." + JSON.stringify(k)}) = ${v}`);
  if (f.after) where.push(sql`(${objects.namespace}, ${objects.name}) > (${f.after.ns}, ${f.after.name})`);
  const q = db
    .select({ namespace: objects.namespace, name: objects.name, resource_version: objects.resourceVersion, body: objects.body })
    .from(objects)
    .where(and(...where))
    .orderBy(asc(objects.namespace), asc(objects.name))
    .limit(limit)
    .toSQL();
  return { sql: q.sql, params: q.params };
}

const cases: [string, ListFilter][] = [
  ["every namespace", { resource: "nodes", labels: [] }],
  ["one namespace", { resource: "pods", namespace: "default", labels: [] }],
  ["a node's pods", { resource: "pods", nodeName: "node-7", labels: [] }],
  ["pods bound to no node", { resource: "pods", namespace: "web", nodeName: "", labels: [] }],
  ["an owner's objects", { resource: "pods", namespace: "web", ownerUid: "u-rs", labels: [] }],
  ["a name", { resource: "pods", name: "web-1", labels: [] }],
  ["label equalities, one with a dot and a slash", { resource: "pods", namespace: "web", labels: [["app", "web"], ["app.kubernetes.io/name", "x"]] }],
  ["after a key", { resource: "pods", labels: [["tier", "db"]], after: { ns: "default", name: "web-9" } }],
];

describe("a list's prepared page query", () => {
  it.each(cases)("%s: as drizzle builds it per call", (_, f) => {
    expect(listPage(capture, f, 501)).toEqual(builtPerCall(f, 501));
  });

  it("binds each call's own values to the shape's one text", () => {
    const a = listPage(capture, { resource: "pods", namespace: "a", labels: [["app", "x"]] }, 200) as unknown as { sql: string; params: unknown[] };
    const b = listPage(capture, { resource: "configmaps", namespace: "b", labels: [["tier", "y"]] }, 2_000) as unknown as { sql: string; params: unknown[] };
    expect(b.sql).toBe(a.sql);
    expect(a.params).toEqual(["pods", "a", '$."app"', "x", 200]);
    expect(b.params).toEqual(["configmaps", "b", '$."tier"', "y", 2_000]);
  });
});
