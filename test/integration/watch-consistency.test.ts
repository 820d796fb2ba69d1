// Watches stay exact under churn and across change-log compactions: several watchers
// (from no resourceVersion, an old one, the current one; all namespaces, one namespace,
// a label selector, a single name; reconnecting with bookmarks) while writers create,
// update, patch and delete pods and leases. The checker (test/support/watch-checker.ts)
// compares every event with what the writers wrote; it speaks HTTP only.
import { describe, it, expect } from "vitest";
import { env, exports } from "cloudflare:workers";
import { BASE, TOKEN, callJson } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import { checkWatches, checkExpired, History, type WatchObject, type WatcherLog } from "../support/watch-checker";
import { Reflector, type ListResult } from "../support/watch-client";
import { Churn } from "../support/churn";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const LEASES = "/apis/coordination.k8s.io/v1";
const NAMESPACES = ["churn-a", "churn-b"];

const churn = new Churn(async (path, method, body, contentType) => callJson(path, { method, body, contentType }), NAMESPACES, 4);
const writes = churn.writes;
const write = churn.write.bind(churn);
const churnAll = (opsEach: number, round: number) => churn.round(opsEach, round);

const open = (path: string) => (rv: string, signal: AbortSignal) =>
  worker.fetch(new Request(`${BASE}${path}${path.includes("?") ? "&" : "?"}watch=1&resourceVersion=${rv}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal }));

const lister = (path: string) => async (): Promise<ListResult> => {
  const res = await callJson<{ metadata: { resourceVersion: string }; items: WatchObject[] }>(path);
  const kind = path.includes("leases") ? "Lease" : "Pod";
  // A list's items carry no kind; the watch's objects do.
  return { rv: Number(res.body.metadata.resourceVersion), items: res.body.items.map((o) => ({ ...o, kind, apiVersion: kind === "Lease" ? "coordination.k8s.io/v1" : "v1" })) };
};

const currentRv = async () => (await new ObjectStore(env.DB).revision()).rv;

interface Spec {
  name: string;
  resource: string;
  path: string;
  matches: (o: WatchObject) => boolean;
}
const inNs = (ns: string) => (o: WatchObject) => o.metadata.namespace === ns;
const specs: Record<string, Spec> = {
  all: { name: "all namespaces, no resourceVersion", resource: "pods", path: "/api/v1/pods", matches: () => true },
  old: { name: "churn-a from an old resourceVersion", resource: "pods", path: "/api/v1/namespaces/churn-a/pods", matches: inNs("churn-a") },
  now: { name: "churn-b from the current resourceVersion", resource: "pods", path: "/api/v1/namespaces/churn-b/pods", matches: inNs("churn-b") },
  label: { name: "label app=x, all namespaces", resource: "pods", path: "/api/v1/pods?labelSelector=app%3Dx", matches: (o) => o.metadata.labels?.app === "x" },
  single: { name: "one name", resource: "pods", path: "/api/v1/namespaces/churn-a/pods?fieldSelector=metadata.name%3Dw0-p1", matches: (o) => o.metadata.namespace === "churn-a" && o.metadata.name === "w0-p1" },
  leases: { name: "leases with bookmarks, reconnecting", resource: "leases", path: `${LEASES}/namespaces/churn-a/leases?allowWatchBookmarks=true&timeoutSeconds=3`, matches: inNs("churn-a") },
  reconnecting: { name: "churn-b, label app=y, reconnecting", resource: "pods", path: "/api/v1/namespaces/churn-b/pods?labelSelector=app%3Dy&allowWatchBookmarks=true&timeoutSeconds=4", matches: (o) => o.metadata.namespace === "churn-b" && o.metadata.labels?.app === "y" },
};
const listPath = (s: Spec) => s.path.replace(/[?&](allowWatchBookmarks|timeoutSeconds)=[^&]*/g, "").replace(/^([^?]*)&/, "$1?");

describe("watch consistency under churn and compaction", () => {
  it("delivers every change exactly once, in order, to every watcher", async () => {
    for (const ns of [...NAMESPACES, "churn-c"]) await write("ADDED", "namespaces", "/api/v1/namespaces", "POST", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    const start = await currentRv();
    await churnAll(15, 0);
    const afterWarmup = await currentRv();

    const reflectors = new Map<string, Reflector>();
    const add = (key: string, startRv: number | "initial") =>
      reflectors.set(key, new Reflector(specs[key].name, open(specs[key].path), lister(listPath(specs[key])), startRv === "initial" ? { kind: "initial", notBeforeRv: afterWarmup } : { kind: "rv", rv: startRv }));
    add("old", start);
    add("now", afterWarmup);
    add("label", afterWarmup);
    add("single", start);
    add("leases", start);
    add("reconnecting", afterWarmup);

    // Each watcher has everything the history owes it so far.
    const lagging = () => {
      const histories = { pods: new History(writes, "pods"), leases: new History(writes, "leases") };
      const behind: string[] = [];
      for (const [key, r] of reflectors) {
        const s = specs[key];
        const seg = r.segments[r.segments.length - 1];
        // A watch without a resourceVersion owes what follows its snapshot.
        const from = seg.start.kind === "initial" ? Math.max(afterWarmup, ...seg.client.events.filter((e) => e.type === "ADDED").map((e) => Number(e.object.metadata?.resourceVersion))) : seg.start.rv;
        const owed = [...histories[s.resource as "pods" | "leases"].expectedAfter(from, s.matches).keys()];
        const seen = new Set(seg.client.events.map((e) => Number(e.object.metadata?.resourceVersion)));
        if (!owed.every((rv) => seen.has(rv))) behind.push(key);
      }
      return behind;
    };
    // A watcher that never catches up has lost something: the checker says what.
    const waitCaughtUp = async () => {
      const deadline = Date.now() + 20_000;
      while (lagging().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (lagging().length) console.log(`still behind: ${lagging().join(", ")}`);
      return lagging();
    };

    // A store that keeps a short log: its writes prune everyone's change log.
    const compactor = new ObjectStore(env.DB, undefined, { changeLogRetain: 400 });
    let compactions = 0;
    const compact = async () => {
      const before = (await compactor.revision()).compactedRv;
      // It prunes when one of its commits lands on a multiple of a tenth of its retention.
      // It must also prune past where the watchers started (the cluster's own bootstrap
      // writes come before that), so theirs is a real compaction to live through.
      for (let i = 0; (await compactor.revision()).compactedRv <= Math.max(before, start); i++) {
        if (i > 1000) throw new Error("the log was not compacted");
        const [obj] = await compactor.commit([{ op: "create", resource: "leases.coordination.k8s.io", object: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: `compact-${compactions}-${i}`, namespace: "churn-c", uid: crypto.randomUUID(), creationTimestamp: new Date().toISOString() }, spec: {} } }]);
        writes.push({ resource: "leases", type: "ADDED", object: obj });
      }
      expect((await compactor.revision()).compactedRv).toBeGreaterThan(start);
      compactions++;
    };

    // The watch without a resourceVersion starts while the writers write: its initial
    // ADDED events must still be one state of the history.
    churn.afterWrite = () => {
      if (writes.length < 150) return;
      churn.afterWrite = undefined;
      add("all", "initial");
    };
    await churnAll(50, 1);
    expect(await waitCaughtUp()).toEqual([]);
    await compact();
    // Writers keep going across the compaction, and watchers keep up.
    await Promise.all([churnAll(50, 2), (async () => {
      // A watch from before the compaction: 410 Expired, then a relist recovers.
      const late = new Reflector("late, from a compacted resourceVersion", open(specs.old.path), lister(listPath(specs.old)), { kind: "rv", rv: start });
      reflectors.set("late", late);
      specs.late = { ...specs.old, name: "late" };
    })()]);
    // Every watcher was past the first compaction's mark: it went on without a relist.
    const crossedInStream = [...reflectors].filter(([k, r]) => k !== "late" && r.expired.length === 0).length;
    expect(crossedInStream).toBe(reflectors.size - 1);
    // The second compaction comes while the writers write: a watcher that falls more than
    // the retention behind (its polls starved by the writers here) gets 410 Expired and
    // relists; its list is checked as a snapshot, and its watch after it.
    await Promise.all([churnAll(25, 3), compact()]);
    await churnAll(25, 4);
    // The watchers with a timeout see it out (a bookmark comes first), reconnect from
    // the last resourceVersion they saw, and the writers go on.
    const reconnecting = [reflectors.get("leases")!, reflectors.get("reconnecting")!];
    const deadline = Date.now() + 30_000;
    while (reconnecting.some((r) => r.current.streamsEnded < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await churnAll(25, 5);
    const behind = await waitCaughtUp();

    for (const r of reflectors.values()) await r.stop();
    const finalPods = await lister("/api/v1/pods")();
    // The nodes' Leases (kube-node-lease) are not the writers'.
    const finalLeases = (await lister(`${LEASES}/leases`)()).items.filter((o) => o.metadata.namespace?.startsWith("churn-"));
    const logs: WatcherLog[] = [...reflectors].flatMap(([key, r]) => r.logs(specs[key].resource, specs[key].matches));
    const result = checkWatches(writes.filter((w) => w.resource !== "namespaces"), logs, { pods: finalPods.items, leases: finalLeases });

    const late = reflectors.get("late")!;
    const expiredProblems = [...reflectors.values()].flatMap((r) => r.expired.flatMap((x) => checkExpired(x.events, x.rv, false)));

    const bookmarks = [...reflectors.values()].flatMap((r) => r.segments.flatMap((s) => s.client.events.filter((e) => e.type === "BOOKMARK"))).length;
    const reconnects = [...reflectors.values()].reduce((n, r) => n + r.segments.reduce((m, s) => m + s.client.streamsEnded, 0), 0);
    const relists = [...reflectors.values()].reduce((n, r) => n + r.expired.length, 0);
    for (const [k, r] of reflectors) if (r.expired.length) console.log(`relists of ${k}: ${r.expired.map((x) => `${x.rv} ${(x.events[0].object as { message?: string }).message}`).join("; ")}`);
    console.log(
      `watch consistency: ${reflectors.size} watchers, ${writes.length} writes, ${result.eventsChecked} events checked (${bookmarks} bookmarks), ` +
        `${compactions} compactions (the first crossed in-stream by ${crossedInStream}), ${reconnects} reconnections, ${relists} relists after 410, ${result.violations.length} violations`,
    );
    expect(result.violations.slice(0, 20)).toEqual([]);
    expect(late.expired.length).toBeGreaterThan(0);
    expect(checkExpired(late.expired[0].events, start)).toEqual([]);
    expect(expiredProblems).toEqual([]);
    expect(behind).toEqual([]);
    expect(result.eventsChecked).toBeGreaterThan(writes.length / 2);
    expect(bookmarks).toBeGreaterThan(0);
    expect(reconnects).toBeGreaterThan(0);
  }, 240_000);
});
