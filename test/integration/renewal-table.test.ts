// The lifecycle controller's renewal table on a real SQLite-backed Durable Object
// (a node's, not started: only its storage is used): a batch of renewals is one
// statement, the Leases as written are a second table, and the old one-table layout
// is dropped so its nodes count as new.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { RenewalTable } from "../../src/controllers/node-lifecycle/renewals";
import type { Lease } from "../../src/model/types";

function withTable<R>(name: string, fn: (table: RenewalTable, sql: SqlStorage) => R | Promise<R>): Promise<R> {
  const stub = env.NODE_AGENT.get(env.NODE_AGENT.idFromName(`renewal-table-${name}`));
  return runInDurableObject(stub, (_inst, state) => fn(new RenewalTable(state.storage.sql), state.storage.sql));
}

const lease = (node: string, rv: string, renewTime: string): Lease => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: node, namespace: "kube-node-lease", resourceVersion: rv },
  spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime },
});

describe("RenewalTable", () => {
  it("records a batch at once: new nodes, the later of two renewals, never back in time", async () => {
    await withTable("batch", (table) => {
      const first = table.renewAll([
        { node: "n-1", at: 1_000.7 },
        { node: "n-2", at: 2_000 },
        { node: "n-1", at: 1_500 },
      ]);
      expect([...first.keys()].sort()).toEqual(["n-1", "n-2"]);
      expect(first.get("n-1")).toEqual({ renewed: 1_500, leased: false, marked: false, added: true });
      expect(first.get("n-2")).toEqual({ renewed: 2_000, leased: false, marked: false, added: true });
      // A late renewal (older than the one recorded) leaves the later one.
      const late = table.renewAll([{ node: "n-2", at: 1_200 }]);
      expect(late.get("n-2")?.renewed).toBe(2_000);
      expect(table.get("n-2")).toEqual({ node: "n-2", renewed: 2_000, written: 0, lease: undefined, marked: false });
      // An empty batch changes nothing.
      expect(table.renewAll([]).size).toBe(0);
    });
  });

  it("keeps the Leases as written apart: leased, stale and forgotten", async () => {
    await withTable("leases", (table) => {
      table.renewAll(["a", "b", "c"].map((node) => ({ node, at: 10_000 })));
      expect(table.stale().map((r) => r.node)).toEqual(["a", "b", "c"]);
      const written = ["a", "b"].map((node) => ({ node, lease: lease(node, "7", "1970-01-01T00:00:10.000000Z"), renewTime: 10_000 }));
      table.writtenAll(written);
      // Written up to their renewal: only c is stale, and a and b are leased, not new.
      expect(table.stale().map((r) => r.node)).toEqual(["c"]);
      expect(table.get("a")).toEqual({ node: "a", renewed: 10_000, written: 10_000, lease: written[0].lease, marked: false });
      const next = table.renewAll(["a", "c"].map((node) => ({ node, at: 20_000 })));
      expect(next.get("a")).toEqual({ renewed: 20_000, leased: true, marked: false, added: false });
      expect(next.get("c")).toEqual({ renewed: 20_000, leased: false, marked: false, added: true });
      expect(table.stale().map((r) => [r.node, r.lease?.metadata.resourceVersion])).toEqual([
        ["a", "7"],
        ["c", undefined],
      ]);
      // A Lease forgotten (it changed under the writer) is read afresh: not leased, yet not new.
      table.forgetLease("a");
      expect(table.renewAll([{ node: "a", at: 30_000 }]).get("a")).toEqual({ renewed: 30_000, leased: false, marked: false, added: false });
      table.mark("b", true);
      expect(table.renewAll([{ node: "b", at: 30_000 }]).get("b")?.marked).toBe(true);
      table.delete("b");
      expect(table.get("b")).toBeUndefined();
      // A Lease written for a node forgotten meanwhile (the flush raced its removal) is not kept.
      table.writtenAll([{ node: "b", lease: lease("b", "9", "1970-01-01T00:00:30.000000Z"), renewTime: 30_000 }]);
      expect(table.renewAll([{ node: "b", at: 40_000 }]).get("b")).toEqual({ renewed: 40_000, leased: false, marked: false, added: true });
    });
  });

  it("records hundreds of Leases as written in chunks", async () => {
    await withTable("many", (table) => {
      const nodes = Array.from({ length: 450 }, (_, i) => `m-${String(i).padStart(3, "0")}`);
      table.renewAll(nodes.map((node) => ({ node, at: 5_000 })));
      table.writtenAll(nodes.map((node) => ({ node, lease: lease(node, "1", "1970-01-01T00:00:05.000000Z"), renewTime: 5_000 })));
      expect(table.stale()).toEqual([]);
      expect(table.get("m-449")?.lease?.metadata.name).toBe("m-449");
    });
  });

  it("drops the one-table layout of earlier versions, whose nodes then count as new", async () => {
    await withTable("legacy", (_table, sql) => {
      sql.exec("CREATE TABLE renewals (node TEXT PRIMARY KEY, renewed INTEGER NOT NULL, written INTEGER NOT NULL DEFAULT 0, lease TEXT, marked INTEGER NOT NULL DEFAULT 0)");
      sql.exec("INSERT INTO renewals (node, renewed, written, lease, marked) VALUES ('old', 1, 1, '{}', 1)");
      const table = new RenewalTable(sql);
      expect(sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'renewals'").one().n).toBe(0);
      expect(table.renewAll([{ node: "old", at: 2 }]).get("old")).toEqual({ renewed: 2, leased: false, marked: false, added: true });
    });
  });
});
