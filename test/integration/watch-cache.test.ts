// The watch cache Durable Object behind every watch: window replay, the change log in
// D1 for older starts, 410 for compacted ones, one log read per change however many
// watch, a lost poke caught up, and a watch that survives the cache's eviction.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { call, callJson } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import type { KubeObject } from "../../src/model/types";
import type { WatchCache } from "../../src/watch/watch-cache-do";

const LEASES = "/apis/coordination.k8s.io/v1";
const KEY = "leases.coordination.k8s.io";

interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

function cacheStub(resource = KEY) {
  return env.WATCH_CACHE.get(env.WATCH_CACHE.idFromName(resource)) as unknown as DurableObjectStub<WatchCache>;
}

async function namespace(name: string): Promise<void> {
  const res = await call("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect([201, 409]).toContain(res.status);
}

async function lease(ns: string, name: string, labels: Record<string, string> = {}): Promise<KubeObject> {
  const res = await callJson<KubeObject>(`${LEASES}/namespaces/${ns}/leases`, {
    method: "POST",
    body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, labels }, spec: { holderIdentity: "test" } },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** A fresh instance of the cache: its window starts empty at the log's head. */
async function evictCache(): Promise<void> {
  try {
    await evictDurableObject(cacheStub());
  } catch (e) {
    if (!String(e).includes("not currently running")) throw e;
  }
}

/**
 * The cache thrown away while watches are open (a restart or a move): eviction waits
 * for open requests to finish, which a watch never does, so the object aborts itself.
 */
async function abortCache(): Promise<void> {
  await runInDurableObject(cacheStub(), (_instance: WatchCache, state: DurableObjectState) => {
    state.abort("restarted by the test");
  }).catch(() => undefined);
}

const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

/** An open watch read line by line; `take(n)` waits (with a deadline) for n more events. */
async function openWatch(path: string) {
  const res = await call(path);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const events: WatchEvent[] = [];
  let taken = 0;
  let ended = false;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const pump = async (until: number): Promise<boolean> => {
    pending ??= reader.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), Math.max(0, until - Date.now()))));
    const got = await Promise.race([pending, timeout]);
    if (timer !== undefined) clearTimeout(timer);
    if (got === "timeout") return false;
    pending = undefined;
    if (got.done) {
      ended = true;
      return false;
    }
    buf += decoder.decode(got.value, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) events.push(JSON.parse(line) as WatchEvent);
    }
    return true;
  };
  return {
    events,
    async take(n: number, timeoutMs = 20_000): Promise<WatchEvent[]> {
      const until = Date.now() + timeoutMs;
      while (events.length - taken < n && !ended && Date.now() < until) await pump(until);
      const out = events.slice(taken, taken + n);
      if (out.length < n) throw new Error(`expected ${n} events, got ${out.length}: ${JSON.stringify(out).slice(0, 500)}`);
      taken += n;
      return out;
    },
    /** Whatever else arrives within `ms` (for asserting nothing more came). */
    async drain(ms: number): Promise<WatchEvent[]> {
      const until = Date.now() + ms;
      while (!ended && Date.now() < until) await pump(until);
      const out = events.slice(taken);
      taken = events.length;
      return out;
    },
    async close() {
      await reader.cancel().catch(() => undefined);
    },
  };
}

async function waitForWatchers(n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await cacheStub().status()).watchers !== n) {
    if (Date.now() > deadline) throw new Error(`the cache has ${(await cacheStub().status()).watchers} watchers, not ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The watchers earlier tests closed leave the cache asynchronously: wait until they have
 * gone, so a count taken now is this test's alone.
 */
async function noWatchers(): Promise<number> {
  await waitForWatchers(0);
  return 0;
}

const names = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata.name}`);

describe("watch cache", () => {
  it("replays a start inside its window from memory, even what the change log no longer has", async () => {
    await namespace("wc-window");
    const first = await lease("wc-window", "w0");
    // A watcher keeps the cache following the log.
    const follower = await openWatch(`${LEASES}/namespaces/wc-window/leases?watch=1&resourceVersion=${rvOf(first)}&timeoutSeconds=30`);
    const a = await lease("wc-window", "w1");
    await lease("wc-window", "w2");
    await lease("wc-window", "w3");
    expect(names(await follower.take(3))).toEqual(["ADDED w1", "ADDED w2", "ADDED w3"]);
    // Gone from D1: only the cache's window can still serve it.
    await env.DB.prepare("DELETE FROM changes WHERE rv > ?").bind(rvOf(a)).run();
    const late = await openWatch(`${LEASES}/namespaces/wc-window/leases?watch=1&resourceVersion=${rvOf(a)}&timeoutSeconds=30`);
    expect(names(await late.take(2))).toEqual(["ADDED w2", "ADDED w3"]);
    await follower.close();
    await late.close();
  });

  it("reads a start older than its window from the change log in D1", async () => {
    await namespace("wc-older");
    const a = await lease("wc-older", "o1");
    await lease("wc-older", "o2");
    const b = await lease("wc-older", "o3");
    await evictCache();
    const stub = cacheStub();
    const w = await openWatch(`${LEASES}/namespaces/wc-older/leases?watch=1&resourceVersion=${rvOf(a)}&timeoutSeconds=30`);
    expect(names(await w.take(2))).toEqual(["ADDED o2", "ADDED o3"]);
    const st = await stub.status();
    expect(st.window!.floor).toBeGreaterThanOrEqual(rvOf(b));
    await lease("wc-older", "o4");
    expect(names(await w.take(1))).toEqual(["ADDED o4"]);
    await w.close();
  });

  it("answers a start the log has compacted away with 410 Expired, as the API server words it", async () => {
    await namespace("wc-gone");
    const a = await lease("wc-gone", "g1");
    await lease("wc-gone", "g2");
    await evictCache();
    const { rv } = (await env.DB.prepare("SELECT rv FROM revision WHERE id = 1").first<{ rv: number }>())!;
    await env.DB.prepare("UPDATE revision SET compacted_rv = ? WHERE id = 1").bind(rv).run();
    try {
      const w = await openWatch(`${LEASES}/namespaces/wc-gone/leases?watch=1&resourceVersion=${rvOf(a)}&timeoutSeconds=30`);
      const [ev] = await w.take(1);
      expect(ev.type).toBe("ERROR");
      expect(ev.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired", message: `too old resource version: ${rvOf(a)} (${rv})` });
      expect(await w.drain(200)).toEqual([]);
    } finally {
      await env.DB.prepare("UPDATE revision SET compacted_rv = 0 WHERE id = 1").run();
    }
  });

  it("pushes each change to many watchers with different filters, reading the log once", async () => {
    await namespace("wc-fan-a");
    await namespace("wc-fan-b");
    const start = await lease("wc-fan-a", "seed");
    const rv = rvOf(start);
    const filters = [
      ["all in a", `${LEASES}/namespaces/wc-fan-a/leases`, ""],
      ["tier=web in a", `${LEASES}/namespaces/wc-fan-a/leases`, "&labelSelector=tier%3Dweb"],
      ["tier!=web in a", `${LEASES}/namespaces/wc-fan-a/leases`, "&labelSelector=tier%21%3Dweb"],
      ["name x2 anywhere", `${LEASES}/leases`, "&fieldSelector=metadata.name%3Dx2"],
      ["namespace b by field", `${LEASES}/leases`, "&fieldSelector=metadata.namespace%3Dwc-fan-b"],
      ["one named object", `${LEASES}/namespaces/wc-fan-b/leases/x3`, ""],
    ] as const;
    const base = await noWatchers();
    const watches = [];
    for (let i = 0; i < 24; i++) {
      const [label, path, extra] = filters[i % filters.length];
      watches.push({ label, w: await openWatch(`${path}?watch=1&resourceVersion=${rv}&timeoutSeconds=30${extra}`) });
    }
    // Each new watcher makes the cache catch up once: count from when all are in.
    await waitForWatchers(base + 24);
    const before = (await cacheStub().status()).logReads;
    const from = Date.now();
    await lease("wc-fan-a", "x1", { tier: "web" });
    await lease("wc-fan-a", "x2", { tier: "db" });
    await lease("wc-fan-b", "x3", { tier: "web" });
    await lease("wc-fan-b", "x2");
    const expected: Record<string, string[]> = {
      "all in a": ["ADDED x1", "ADDED x2"],
      "tier=web in a": ["ADDED x1"],
      "tier!=web in a": ["ADDED x2"],
      "name x2 anywhere": ["ADDED x2", "ADDED x2"],
      "namespace b by field": ["ADDED x3", "ADDED x2"],
      "one named object": ["ADDED x3"],
    };
    for (const { label, w } of watches) {
      const got = await w.take(expected[label].length);
      expect({ label, got: names(got) }).toEqual({ label, got: expected[label] });
    }
    for (const { label, w } of watches) expect({ label, more: names(await w.drain(50)) }).toEqual({ label, more: [] });
    // 24 watchers, 4 changes: the log is read per batch of changes, never per watcher
    // (the periodic catch-up, every 5 s while watchers are open, may add a read per
    // period, more of them on a slow machine).
    const reads = (await cacheStub().status()).logReads - before;
    const catchUps = Math.ceil((Date.now() - from) / 5_000) + 1;
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(4 + catchUps);
    expect(reads).toBeLessThan(24);
    for (const { w } of watches) await w.close();
  });

  it("catches up a change whose poke was lost", async () => {
    await namespace("wc-lost");
    const start = await lease("wc-lost", "l0");
    const base = await noWatchers();
    const w = await openWatch(`${LEASES}/namespaces/wc-lost/leases?watch=1&resourceVersion=${rvOf(start)}&timeoutSeconds=30`);
    // The watcher is in (its own catch-up is done), so only the periodic one can find it.
    await waitForWatchers(base + 1);
    // Written without a change listener: nothing pokes the cache.
    const store = new ObjectStore(env.DB);
    await store.create(KEY, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "unannounced", namespace: "wc-lost", uid: crypto.randomUUID() }, spec: {} });
    expect(names(await w.take(1))).toEqual(["ADDED unannounced"]);
    await w.close();
  });

  it("keeps a watch going across restarts of the cache, with nothing lost or repeated", async () => {
    await namespace("wc-evict");
    const start = await lease("wc-evict", "e0");
    const w = await openWatch(`${LEASES}/namespaces/wc-evict/leases?watch=1&resourceVersion=${rvOf(start)}&timeoutSeconds=40`);
    await lease("wc-evict", "e1");
    expect(names(await w.take(1))).toEqual(["ADDED e1"]);
    const before = (await cacheStub().status()).logReads;
    await abortCache();
    // A new instance: its counters start again.
    expect((await cacheStub().status()).logReads).toBeLessThan(before);
    await lease("wc-evict", "e2");
    await lease("wc-evict", "e3");
    expect(names(await w.take(2))).toEqual(["ADDED e2", "ADDED e3"]);
    await abortCache();
    await lease("wc-evict", "e4");
    expect(names(await w.take(1))).toEqual(["ADDED e4"]);
    expect(await w.drain(300)).toEqual([]);
    await w.close();
  });

  it("drops a watcher whose client went away", async () => {
    await namespace("wc-bye");
    const start = await lease("wc-bye", "b0");
    const stub = cacheStub();
    const before = await noWatchers();
    const w = await openWatch(`${LEASES}/namespaces/wc-bye/leases?watch=1&resourceVersion=${rvOf(start)}&timeoutSeconds=30`);
    await lease("wc-bye", "b1");
    await w.take(1);
    expect((await stub.status()).watchers).toBe(before + 1);
    await w.close();
    await lease("wc-bye", "b2");
    await waitForWatchers(before);
  });

  it("ends a watch at timeoutSeconds and lets the cache drop its watcher", async () => {
    await namespace("wc-timeout");
    const start = await lease("wc-timeout", "t0");
    const before = await noWatchers();
    const res = await call(`${LEASES}/namespaces/wc-timeout/leases?watch=1&resourceVersion=${rvOf(start)}&timeoutSeconds=1`);
    // The body ends by itself: text() resolves.
    expect((await res.text()).trim()).toBe("");
    await waitForWatchers(before);
  });

  it("tells a selector's watchers when an object enters or leaves it, live and from the log", async () => {
    await namespace("wc-select");
    const a = await lease("wc-select", "s1", { tier: "web" });
    const path = `${LEASES}/namespaces/wc-select/leases?watch=1&labelSelector=tier%3Dweb&timeoutSeconds=30&resourceVersion=`;
    const live = await openWatch(path + rvOf(a));
    const relabel = (tier: string) =>
      call(`${LEASES}/namespaces/wc-select/leases/s1`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { tier } } } });
    expect((await relabel("db")).status).toBe(200);
    expect((await relabel("web")).status).toBe(200);
    const seen = await live.take(2);
    expect(seen.map((e) => [e.type, e.object.metadata.labels?.tier])).toEqual([
      ["DELETED", "web"],
      ["ADDED", "web"],
    ]);
    // The same from the change log in D1, for a fresh instance.
    await live.close();
    await waitForWatchers(0).catch(() => undefined);
    await evictCache();
    const replay = await openWatch(path + rvOf(a));
    expect(names(await replay.take(2))).toEqual(["DELETED s1", "ADDED s1"]);
    await replay.close();
  });
});
