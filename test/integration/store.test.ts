import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { ObjectStore, type Change } from "../../src/store/store";
import type { KubeObject } from "../../src/model/types";
import { ApiError } from "../../src/model/errors";

function cm(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Lease", metadata: { name, namespace: "default", uid: crypto.randomUUID(), labels }, spec: data };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof ApiError ? `${e.code} ${e.reason}` : `error ${(e as Error).message}`;
  }
}

describe("object store on D1", () => {
  it("assigns increasing resourceVersions and reads back what it stored", async () => {
    const store = new ObjectStore(env.DB);
    const a = await store.create("leases.coordination.k8s.io", cm("a"));
    const b = await store.create("leases.coordination.k8s.io", cm("b"));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const got = await store.get("leases.coordination.k8s.io", "default", "a");
    expect(got?.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });

  it("reads several objects in one batch, in the order asked, null for one that does not exist", async () => {
    const store = new ObjectStore(env.DB);
    const x = await store.create("leases.coordination.k8s.io", cm("many-x"));
    const y = await store.create("leases.coordination.k8s.io", cm("many-y"));
    const got = await store.getMany([
      { resource: "leases.coordination.k8s.io", namespace: "default", name: "many-y" },
      { resource: "leases.coordination.k8s.io", namespace: "default", name: "many-ghost" },
      { resource: "leases.coordination.k8s.io", namespace: "default", name: "many-x" },
    ]);
    expect(got.map((o) => o && [o.metadata.name, o.metadata.resourceVersion])).toEqual([["many-y", y.metadata.resourceVersion], null, ["many-x", x.metadata.resourceVersion]]);
    expect(await store.getMany([])).toEqual([]);
  });

  it("rejects a stale update with 409 Conflict and changes nothing", async () => {
    const store = new ObjectStore(env.DB);
    const created = await store.create("leases.coordination.k8s.io", cm("stale", { holderIdentity: "x" }));
    const first = { ...created, spec: { holderIdentity: "first" } };
    await store.update("leases.coordination.k8s.io", first, Number(created.metadata.resourceVersion));
    const second = { ...created, spec: { holderIdentity: "second" } };
    expect(await reason(store.update("leases.coordination.k8s.io", second, Number(created.metadata.resourceVersion)))).toBe("409 Conflict");
    const now = await store.get("leases.coordination.k8s.io", "default", "stale");
    expect((now?.spec as { holderIdentity: string }).holderIdentity).toBe("first");
  });

  it("lets exactly one of two concurrent creates of a name win", async () => {
    const store = new ObjectStore(env.DB);
    const results = await Promise.all([reason(store.create("leases.coordination.k8s.io", cm("race"))), reason(store.create("leases.coordination.k8s.io", cm("race")))]);
    expect(results.sort()).toEqual(["409 AlreadyExists", "ok"]);
  });

  it("never loses an update among concurrent read-modify-write writers", async () => {
    const store = new ObjectStore(env.DB);
    await store.create("leases.coordination.k8s.io", { ...cm("counter"), spec: { leaseTransitions: 0 } });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.guaranteedUpdate("leases.coordination.k8s.io", "default", "counter", (cur) => {
          const spec = cur.spec as { leaseTransitions: number };
          spec.leaseTransitions += 1;
          return cur;
        }, 50),
      ),
    );
    const final = await store.get("leases.coordination.k8s.io", "default", "counter");
    expect((final?.spec as { leaseTransitions: number }).leaseTransitions).toBe(10);
  });

  it("deletes conditionally and reports 404 for what is gone", async () => {
    const store = new ObjectStore(env.DB);
    const obj = await store.create("leases.coordination.k8s.io", cm("gone"));
    await store.remove("leases.coordination.k8s.io", obj);
    expect(await store.get("leases.coordination.k8s.io", "default", "gone")).toBeNull();
    expect(await reason(store.remove("leases.coordination.k8s.io", obj))).toBe("404 NotFound");
  });

  it("feeds watches from the change log in order, resumable from any kept version", async () => {
    const changes: Change[] = [];
    const store = new ObjectStore(env.DB, (c) => changes.push(...c));
    const start = (await store.revision()).rv;
    const x = await store.create("leases.coordination.k8s.io", cm("w1"));
    const y = await store.update("leases.coordination.k8s.io", { ...x, spec: { holderIdentity: "n" } });
    await store.remove("leases.coordination.k8s.io", y);
    const log = await store.changesSince("leases.coordination.k8s.io", start);
    expect(log.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
    const resumed = await store.changesSince("leases.coordination.k8s.io", Number(x.metadata.resourceVersion));
    expect(resumed.map((c) => c.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(changes.map((c) => c.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
  });

  it("answers 410 Expired for a watch from before the compacted log", async () => {
    const store = new ObjectStore(env.DB);
    await env.DB.prepare("UPDATE revision SET compacted_rv = rv WHERE id = 1").run();
    const { compactedRv } = await store.revision();
    expect(await reason(store.changesSince("leases.coordination.k8s.io", compactedRv - 1))).toBe("410 Expired");
    expect(await reason(store.changesSince("leases.coordination.k8s.io", compactedRv))).toBe("ok");
    // Upstream's words: the second number is the oldest resourceVersion a watch can start from.
    const err = await store.changesSince("leases.coordination.k8s.io", compactedRv - 1).catch((e: ApiError) => e);
    expect((err as ApiError).message).toBe(`too old resource version: ${compactedRv - 1} (${compactedRv})`);
  });

  it("prunes the change log to its retention and never lowers the compaction mark", async () => {
    const short = new ObjectStore(env.DB, undefined, { changeLogRetain: 10 });
    const long = new ObjectStore(env.DB, undefined, { changeLogRetain: 40 });
    const lease = async (s: ObjectStore, name: string) => s.create("leases.coordination.k8s.io", cm(name));
    for (let i = 0; (await short.revision()).compactedRv === 0 || i < 60; i++) await lease(short, `short-${i}`);
    const { rv, compactedRv } = await short.revision();
    expect(compactedRv).toBeGreaterThan(rv - 10 - 2);
    expect((await short.changesSince(undefined, compactedRv)).length).toBe(rv - compactedRv);
    // A writer that keeps more prunes with a lower floor: the mark stays where it was.
    for (let i = 0; i < 10; i++) await lease(long, `long-${i}`);
    expect((await long.revision()).compactedRv).toBeGreaterThanOrEqual(compactedRv);
  });

  it("logs the object before each change, for selectors that stop matching", async () => {
    const store = new ObjectStore(env.DB);
    const start = (await store.revision()).rv;
    const a = await store.create("leases.coordination.k8s.io", cm("prev", {}, { app: "x" }));
    const b = await store.update("leases.coordination.k8s.io", { ...a, metadata: { ...a.metadata, labels: { app: "y" } } });
    await store.remove("leases.coordination.k8s.io", b);
    const log = await store.changesSince("leases.coordination.k8s.io", start);
    expect(log.map((c) => [c.type, c.prevObject?.metadata.labels?.app, c.prevObject?.metadata.resourceVersion])).toEqual([
      ["ADDED", undefined, undefined],
      ["MODIFIED", "x", b.metadata.resourceVersion],
      ["DELETED", "y", String(Number(b.metadata.resourceVersion) + 1)],
    ]);
  });

  it("lists at one resourceVersion: no item is newer than the list, however busy the writers", async () => {
    const store = new ObjectStore(env.DB);
    for (let i = 0; i < 10; i++) await store.create("leases.coordination.k8s.io", cm(`snap-${i}`));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await store.guaranteedUpdate("leases.coordination.k8s.io", "default", `snap-${i % 10}`, (cur) => ({ ...cur, spec: { holderIdentity: String(i) } }));
      }
    })();
    const newer: string[] = [];
    for (let k = 0; k < 40; k++) {
      const listed = await store.list("leases.coordination.k8s.io", { namespace: "default" });
      for (const o of listed.items) if (Number(o.metadata.resourceVersion) > Number(listed.resourceVersion)) newer.push(`${o.metadata.name}@${o.metadata.resourceVersion} > ${listed.resourceVersion}`);
    }
    writing = false;
    await writer;
    expect(newer).toEqual([]);
  });

  it("pages lists with limit/continue and filters labels in SQL", async () => {
    const store = new ObjectStore(env.DB);
    for (let i = 0; i < 5; i++) await store.create("leases.coordination.k8s.io", cm(`page-${i}`, {}, { app: i % 2 ? "odd" : "even" }));
    const first = await store.list("leases.coordination.k8s.io", { namespace: "default", labelEquals: { app: "even" }, limit: 2 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(["page-0", "page-2"]);
    expect(first.continue).toBeTruthy();
    const rest = await store.list("leases.coordination.k8s.io", { namespace: "default", labelEquals: { app: "even" }, limit: 2, continue: first.continue });
    expect(rest.items.map((o) => o.metadata.name)).toEqual(["page-4"]);
    expect(rest.continue).toBeUndefined();
  });

  it("commits several writes atomically: one failure writes none", async () => {
    const store = new ObjectStore(env.DB);
    await store.create("leases.coordination.k8s.io", cm("taken"));
    const before = (await store.revision()).rv;
    expect(await reason(store.commit([
      { op: "create", resource: "leases.coordination.k8s.io", object: cm("fresh") },
      { op: "create", resource: "leases.coordination.k8s.io", object: cm("taken") },
    ]))).toBe("409 AlreadyExists");
    expect(await store.get("leases.coordination.k8s.io", "default", "fresh")).toBeNull();
    expect((await store.revision()).rv).toBe(before);
  });

  it("gives a commit's writes consecutive resourceVersions in order, the log and the rows alike", async () => {
    const store = new ObjectStore(env.DB);
    const old = await store.create("leases.coordination.k8s.io", cm("old"));
    const before = (await store.revision()).rv;
    const stored = await store.commit([
      { op: "create", resource: "leases.coordination.k8s.io", object: cm("c1") },
      { op: "update", resource: "leases.coordination.k8s.io", object: { ...old, spec: { holderIdentity: "x" } }, expectedRv: Number(old.metadata.resourceVersion) },
      { op: "create", resource: "leases.coordination.k8s.io", object: cm("c2") },
    ]);
    expect(stored.map((o) => Number(o.metadata.resourceVersion))).toEqual([before + 1, before + 2, before + 3]);
    expect((await store.revision()).rv).toBe(before + 3);
    const logged = await store.changesSince("leases.coordination.k8s.io", before);
    expect(logged.map((c) => [c.rv, c.type, c.object.metadata.name])).toEqual([
      [before + 1, "ADDED", "c1"],
      [before + 2, "MODIFIED", "old"],
      [before + 3, "ADDED", "c2"],
    ]);
    expect(logged[1].prevObject?.spec).toEqual({});
    for (const name of ["c1", "old", "c2"]) {
      const got = await store.get("leases.coordination.k8s.io", "default", name);
      expect(got?.metadata.resourceVersion).toBe(stored.find((o) => o.metadata.name === name)?.metadata.resourceVersion);
    }
  });
});

describe("a commit of many writes, as set statements", () => {
  const R = "leases.coordination.k8s.io";
  /** Objects to update or delete, stored first. */
  async function existing(store: ObjectStore, prefix: string, n: number): Promise<KubeObject[]> {
    return store.commit(Array.from({ length: n }, (_, i) => ({ op: "create" as const, resource: R, object: cm(`${prefix}-${i}`, {}, { app: "old" }) })));
  }

  it("writes creates, updates and deletes with consecutive resourceVersions in order, the log, previous bodies and rows alike", async () => {
    const store = new ObjectStore(env.DB);
    const [u1, u2, u3, d1, d2] = await existing(store, "mix", 5);
    const before = (await store.revision()).rv;
    const relabel = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, labels: { app: "new" } } });
    const ops = [
      { op: "create" as const, resource: R, object: cm("mix-new-0", {}, { app: "new" }) },
      { op: "update" as const, resource: R, object: relabel(u1), expectedRv: Number(u1.metadata.resourceVersion) },
      { op: "delete" as const, resource: R, object: d1, expectedRv: Number(d1.metadata.resourceVersion) },
      { op: "create" as const, resource: R, object: cm("mix-new-1", {}, { app: "new" }) },
      { op: "update" as const, resource: R, object: relabel(u2), expectedRv: Number(u2.metadata.resourceVersion) },
      { op: "create" as const, resource: R, object: cm("mix-new-2", {}, { app: "new" }) },
      { op: "delete" as const, resource: R, object: d2, expectedRv: Number(d2.metadata.resourceVersion) },
      { op: "update" as const, resource: R, object: relabel(u3), expectedRv: Number(u3.metadata.resourceVersion) },
    ];
    const stored = await store.commit(ops);
    expect(stored.map((o) => Number(o.metadata.resourceVersion))).toEqual(ops.map((_, i) => before + 1 + i));
    expect((await store.revision()).rv).toBe(before + ops.length);
    const logged = await store.changesSince(R, before);
    expect(logged.map((c) => [c.rv, c.type, c.object.metadata.name, c.prevObject?.metadata.labels?.app ?? null])).toEqual([
      [before + 1, "ADDED", "mix-new-0", null],
      [before + 2, "MODIFIED", "mix-0", "old"],
      [before + 3, "DELETED", "mix-3", "old"],
      [before + 4, "ADDED", "mix-new-1", null],
      [before + 5, "MODIFIED", "mix-1", "old"],
      [before + 6, "ADDED", "mix-new-2", null],
      [before + 7, "DELETED", "mix-4", "old"],
      [before + 8, "MODIFIED", "mix-2", "old"],
    ]);
    // The rows: bodies, versions and the label index as written; the deleted are gone.
    const listed = await store.list(R, { namespace: "default", labelEquals: { app: "new" } });
    expect(listed.items.map((o) => [o.metadata.name, Number(o.metadata.resourceVersion)]).sort()).toEqual(
      [["mix-0", before + 2], ["mix-1", before + 5], ["mix-2", before + 8], ["mix-new-0", before + 1], ["mix-new-1", before + 4], ["mix-new-2", before + 6]].sort(),
    );
    expect(await store.get(R, "default", "mix-3")).toBeNull();
    expect(await store.get(R, "default", "mix-4")).toBeNull();
  });

  const failures: [string, (objs: KubeObject[]) => Parameters<ObjectStore["commit"]>[0], string][] = [
    ["an update at a stale resourceVersion", (objs) => objs.map((o, i) => ({ op: "update" as const, resource: R, object: o, expectedRv: Number(o.metadata.resourceVersion) - (i === 6 ? 1 : 0) })), "409 Conflict"],
    ["a delete at a stale resourceVersion", (objs) => objs.map((o, i) => ({ op: "delete" as const, resource: R, object: o, expectedRv: Number(o.metadata.resourceVersion) - (i === 3 ? 1 : 0) })), "409 Conflict"],
    ["an update of an object that is gone", (objs) => objs.map((o, i) => ({ op: "update" as const, resource: R, object: i === 5 ? cm("never-stored") : o, expectedRv: i === 5 ? 1 : Number(o.metadata.resourceVersion) })), "404 NotFound"],
    ["a create of a name that exists", (objs) => [...objs.slice(0, 7).map((o) => ({ op: "update" as const, resource: R, object: o, expectedRv: Number(o.metadata.resourceVersion) })), { op: "create" as const, resource: R, object: { ...objs[7], metadata: { ...objs[7].metadata, uid: crypto.randomUUID() } } }], "409 AlreadyExists"],
  ];
  it.each(failures)("fails as a whole on %s, writing nothing", async (_name, build, want) => {
    const store = new ObjectStore(env.DB);
    const objs = await existing(store, `fail-${crypto.randomUUID().slice(0, 8)}`, 8);
    const before = (await store.revision()).rv;
    expect(await reason(store.commit(build(objs)))).toBe(want);
    expect((await store.revision()).rv).toBe(before);
    for (const o of objs) expect((await store.get(R, "default", o.metadata.name!))?.metadata.resourceVersion).toBe(o.metadata.resourceVersion);
  });
});

describe("a list against what the reader holds", () => {
  const cmIn = (namespace: string, name: string) => ({ ...cm(name), metadata: { ...cm(name).metadata, namespace } });

  it("sends the objects the reader does not hold at their current version, and names the others", async () => {
    const store = new ObjectStore(env.DB);
    const RES = "leases.coordination.k8s.io";
    const ns = "held";
    const mk = (name: string) => cmIn(ns, name);
    const a = await store.create(RES, mk("a"));
    const b = await store.create(RES, mk("b"));
    const c = await store.create(RES, mk("c"));
    const b2 = await store.update(RES, { ...b, spec: { holderIdentity: "moved on" } });
    const known = new Map([
      [`${ns}/a`, Number(a.metadata.resourceVersion)],
      [`${ns}/b`, Number(b.metadata.resourceVersion)],
      [`${ns}/gone`, 1],
    ]);
    const got = await store.listAgainst(RES, { namespace: ns }, known);
    expect(got.unchanged).toEqual([`${ns}/a`]);
    expect(got.items).toEqual([b2, c]);
    // Holding nothing is a plain list.
    expect((await store.listAgainst(RES, { namespace: ns }, new Map())).items).toEqual((await store.list(RES, { namespace: ns })).items);
  });

  it("answers for other objects the reader holds, in order: unchanged, moved on (the new one), gone", async () => {
    const store = new ObjectStore(env.DB);
    const R = "configmaps";
    const ns = "held-others";
    const mk = (name: string) => cmIn(ns, name);
    const kept = await store.create(R, mk("kept"));
    const moved = await store.create(R, mk("moved"));
    const moved2 = await store.update(R, { ...moved, spec: { k: "new" } });
    const gone = await store.create(R, mk("gone"));
    await store.remove(R, gone);
    const held = [kept, moved, gone].map((o) => ({ resource: R, namespace: ns, name: o.metadata.name!, heldRv: Number(o.metadata.resourceVersion) }));
    const got = await store.listAgainst("leases.coordination.k8s.io", { namespace: ns }, new Map(), held);
    expect(got.items).toEqual([]);
    expect(got.held).toEqual(["unchanged", moved2, null]);
    expect((await store.listAgainst("leases.coordination.k8s.io", { namespace: ns }, new Map())).held).toEqual([]);
  });
});
