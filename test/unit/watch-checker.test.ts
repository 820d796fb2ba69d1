// The watch checker catches each way a watch can go wrong, on small hand-made histories.
import { describe, it, expect } from "vitest";
import { checkWatches, checkExpired, type Write, type WatchEvent, type WatcherLog, type WatchObject } from "../support/watch-checker";

function obj(name: string, rv: number, labels: Record<string, string> = {}, data = ""): WatchObject {
  return { kind: "Lease", metadata: { namespace: "ns", name, uid: `uid-${name}`, resourceVersion: String(rv), labels }, spec: { data } };
}

// a1 created, b1 created, a updated, a relabelled away from app=x, b deleted, c created.
const a1 = obj("a", 11, { app: "x" });
const b1 = obj("b", 12, { app: "x" });
const a2 = obj("a", 13, { app: "x" }, "two");
const a3 = obj("a", 14, { app: "y" }, "two");
const bGone = obj("b", 15, { app: "x" });
const c1 = obj("c", 16, { app: "x" });
const writes: Write[] = [
  { resource: "leases", type: "ADDED", object: a1 },
  { resource: "leases", type: "ADDED", object: b1 },
  { resource: "leases", type: "MODIFIED", object: a2 },
  { resource: "leases", type: "MODIFIED", object: a3 },
  { resource: "leases", type: "DELETED", object: bGone },
  { resource: "leases", type: "ADDED", object: c1 },
];
const final = { leases: [a3, c1] };
const all = () => true;
const appX = (o: WatchObject) => o.metadata.labels?.app === "x";

const ev = (type: string, object: WatchObject): WatchEvent => ({ type, object });
const bookmark = (rv: number): WatchEvent => ({ type: "BOOKMARK", object: { kind: "Lease", metadata: { resourceVersion: String(rv) } } });
const goodAll = [ev("ADDED", a1), ev("ADDED", b1), ev("MODIFIED", a2), ev("MODIFIED", a3), ev("DELETED", bGone), ev("ADDED", c1)];

function check(events: WatchEvent[], extra: Partial<WatcherLog> = {}) {
  const w: WatcherLog = { name: "w", resource: "leases", matches: all, start: { kind: "rv", rv: 10 }, events, ...extra };
  const r = checkWatches(writes, [w], final);
  return { kinds: r.violations.map((v) => v.kind), checked: r.eventsChecked };
}

describe("watch checker", () => {
  it("accepts a correct stream, and counts what it checked", () => {
    expect(check(goodAll)).toEqual({ kinds: [], checked: 6 });
  });

  it("catches a lost event", () => {
    expect(check(goodAll.filter((_, i) => i !== 2)).kinds).toEqual(["lost"]);
  });

  it("catches a lost event at the end (the view ends wrong too)", () => {
    expect(check(goodAll.slice(0, 5)).kinds).toEqual(["lost", "final-state"]);
  });

  it("catches a duplicated event", () => {
    expect(check([...goodAll.slice(0, 3), goodAll[2], ...goodAll.slice(3)]).kinds).toEqual(["duplicate"]);
  });

  it("catches reordered events", () => {
    const swapped = [goodAll[0], goodAll[2], goodAll[1], ...goodAll.slice(3)];
    expect(check(swapped).kinds).toEqual(["back-in-time"]);
  });

  it("catches a stream that goes back in time to replay an older state", () => {
    const replay = [...goodAll.slice(0, 4), ev("MODIFIED", obj("a", 13, { app: "x" }, "two")), ...goodAll.slice(4)];
    expect(check(replay).kinds).toEqual(["duplicate"]);
    const older = [...goodAll.slice(0, 3), ev("MODIFIED", obj("a", 12, { app: "x" }, "two")), ...goodAll.slice(3)];
    expect(check(older).kinds).toContain("back-in-time");
  });

  it("catches an event for nothing that was written, and a wrong object or type", () => {
    expect(check([...goodAll, ev("MODIFIED", obj("c", 17, { app: "x" }))]).kinds).toEqual(["unexpected"]);
    const changed = goodAll.map((e, i) => (i === 2 ? ev("MODIFIED", obj("a", 13, { app: "x" }, "other")) : e));
    expect(check(changed).kinds).toEqual(["wrong-object"]);
    expect(check(goodAll.map((e, i) => (i === 5 ? ev("MODIFIED", c1) : e))).kinds).toEqual(["wrong-type"]);
  });

  it("wants DELETED to carry the last state", () => {
    const bare = goodAll.map((e, i) => (i === 4 ? ev("DELETED", { kind: "Lease", metadata: { namespace: "ns", name: "b", uid: "uid-b", resourceVersion: "15" } }) : e));
    expect(check(bare).kinds).toEqual(["wrong-object"]);
  });

  it("wants a selector's watcher to see an object leave as DELETED (its old state) and arrive as ADDED", () => {
    const good = [ev("ADDED", a1), ev("ADDED", b1), ev("MODIFIED", a2), ev("DELETED", obj("a", 14, { app: "x" }, "two")), ev("DELETED", bGone), ev("ADDED", c1)];
    expect(check(good, { matches: appX })).toEqual({ kinds: [], checked: 6 });
    // The server's filter alone (no transition): the relabel never reaches the watcher.
    const filtered = [ev("ADDED", a1), ev("ADDED", b1), ev("MODIFIED", a2), ev("DELETED", bGone), ev("ADDED", c1)];
    expect(check(filtered, { matches: appX }).kinds).toEqual(["lost", "final-state"]);
  });

  it("checks bookmarks: never backwards, never past an event not yet sent", () => {
    expect(check([...goodAll.slice(0, 2), bookmark(12), ...goodAll.slice(2), bookmark(20)]).kinds).toEqual([]);
    expect(check([...goodAll.slice(0, 3), bookmark(11), ...goodAll.slice(3)]).kinds).toEqual(["bookmark-backwards"]);
    expect(check([...goodAll.slice(0, 2), bookmark(14), ...goodAll.slice(2)]).kinds).toEqual(["bookmark-skips", "back-in-time", "back-in-time"]);
  });

  it("finds the snapshot of a watch without a resourceVersion", () => {
    const initial = [ev("ADDED", a2), ev("ADDED", b1), ev("MODIFIED", a3), ev("DELETED", bGone), ev("ADDED", c1)];
    expect(check(initial, { start: { kind: "initial", notBeforeRv: 10 } })).toEqual({ kinds: [], checked: 5 });
    // a existed whenever b did: a list without it is no state of the history.
    const torn = [ev("ADDED", b1), ev("ADDED", c1)];
    expect(check(torn, { start: { kind: "initial", notBeforeRv: 11 } }).kinds).toContain("initial-not-snapshot");
  });

  it("checks a relist against the history at its resourceVersion", () => {
    const after = [ev("MODIFIED", a3), ev("DELETED", bGone), ev("ADDED", c1)];
    expect(check(after, { start: { kind: "list", rv: 13, items: [a2, b1] } }).kinds).toEqual([]);
    expect(check(after, { start: { kind: "list", rv: 13, items: [a1, b1] } }).kinds).toEqual(["list-not-snapshot"]);
  });

  it("checks the final list against the writes", () => {
    expect(checkWatches(writes, [], { leases: [a3] }).violations.map((v) => v.kind)).toEqual(["final-state"]);
  });

  it("recognises upstream's 410 for a compacted resourceVersion, and nothing else", () => {
    const status = (message: string, code = 410, reason = "Expired") => ({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message } });
    expect(checkExpired([status("too old resource version: 5 (40)")], 5)).toEqual([]);
    expect(checkExpired([status("too old resource version: 5 (40)", 500, "InternalError")], 5)).toHaveLength(1);
    expect(checkExpired([status("gone")], 5)).toHaveLength(1);
    expect(checkExpired([status("too old resource version: 5 (40)"), ev("ADDED", a1)], 5)).toHaveLength(1);
    expect(checkExpired([ev("ADDED", a1)], 5).length).toBeGreaterThan(0);
  });
});
