// A watch-consistency checker, after etcd's robustness tests: given what each watcher
// received and what the writers wrote (each write's object and resourceVersion as the
// API answered it, and a final list), it says where a watch lost, duplicated,
// reordered or invented an event. It knows nothing of the server: tests feed it what
// they read over HTTP, so it judges any watch implementation the same way.
//
// The expected stream is the API server's (the cacher's): for each write after the
// watcher's start, in resourceVersion order, with `pass` the watcher's selector,
//   new state passes, old did not (or there was none)  -> ADDED   (new state)
//   both pass                                          -> MODIFIED (new state)
//   old passed, new does not or the object was deleted  -> DELETED (old state, at the write's rv)
//   neither                                            -> nothing.

/** An object as the API returns it; only metadata matters to the checker's bookkeeping. */
export interface WatchObject {
  kind?: string;
  metadata: { namespace?: string; name?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: string;
  object: WatchObject | { kind?: string; code?: number; reason?: string; message?: string; metadata?: { resourceVersion?: string } };
}

/** A write as its writer saw it answered: for a delete, the object the DELETE returned. */
export interface Write {
  resource: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: WatchObject;
}

export type WatchStart =
  /** A watch from a resourceVersion: every change after it. */
  | { kind: "rv"; rv: number }
  /** A list (items at rv), then a watch from its resourceVersion: a reflector's relist. */
  | { kind: "list"; rv: number; items: WatchObject[] }
  /**
   * A watch without a resourceVersion ("" or "0"): ADDED events for a snapshot of what
   * exists, then the changes after it. `notBeforeRv` is a resourceVersion the client
   * had seen before it asked, which the snapshot cannot be older than.
   */
  | { kind: "initial"; notBeforeRv: number };

export interface WatcherLog {
  name: string;
  /** The resource it watched, as the writes name it ("pods"). */
  resource: string;
  /** Its selectors: namespace, labels, fields. */
  matches: (obj: WatchObject) => boolean;
  start: WatchStart;
  /** Every event it received, in order, over all its reconnections (ERROR excluded). */
  events: WatchEvent[];
  /**
   * For a watch the server ended with 410 Expired (its client then relisted): the last
   * resourceVersion it reached. It owes nothing after that; before it, everything.
   */
  until?: number;
}

export type ViolationKind =
  | "lost"
  | "duplicate"
  | "back-in-time"
  | "unexpected"
  | "wrong-type"
  | "wrong-object"
  | "bookmark-backwards"
  | "bookmark-skips"
  | "initial-not-snapshot"
  | "list-not-snapshot"
  | "final-state"
  | "history";

export interface Violation {
  watcher: string;
  kind: ViolationKind;
  rv?: number;
  detail: string;
}

export interface CheckResult {
  violations: Violation[];
  /** Events compared against the history (bookmarks, and the items of relists, included). */
  eventsChecked: number;
}

const rvOf = (o: { metadata?: { resourceVersion?: string } }): number => Number(o.metadata?.resourceVersion);
const keyOf = (o: WatchObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** JSON with object keys sorted, so two equal objects give the same text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

function withRv(o: WatchObject, rv: number): WatchObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } };
}

interface Step {
  rv: number;
  key: string;
  type: Write["type"];
  /** The state after the write (undefined once deleted). */
  after?: WatchObject;
  /** The state before it. */
  before?: WatchObject;
}

/** The writes of one resource as a history: each step with the state before and after. */
export class History {
  readonly steps: Step[] = [];
  private readonly byRv = new Map<number, Step>();
  readonly problems: string[] = [];

  constructor(writes: Write[], resource: string) {
    const mine = writes.filter((w) => w.resource === resource).sort((a, b) => rvOf(a.object) - rvOf(b.object));
    const state = new Map<string, WatchObject>();
    for (const w of mine) {
      const rv = rvOf(w.object);
      const key = keyOf(w.object);
      if (!Number.isInteger(rv)) this.problems.push(`write of ${key} without a resourceVersion`);
      if (this.byRv.has(rv)) this.problems.push(`two writes at resourceVersion ${rv}`);
      const before = state.get(key);
      if (w.type === "ADDED" && before) this.problems.push(`create of ${key} at ${rv} while it exists`);
      if (w.type !== "ADDED" && !before) this.problems.push(`${w.type} of ${key} at ${rv} that no write created`);
      const step: Step = { rv, key, type: w.type, before, after: w.type === "DELETED" ? undefined : w.object };
      if (w.type === "DELETED") state.delete(key);
      else state.set(key, w.object);
      this.steps.push(step);
      this.byRv.set(rv, step);
    }
  }

  /** What existed at `rv`. */
  stateAt(rv: number): Map<string, WatchObject> {
    const state = new Map<string, WatchObject>();
    for (const s of this.steps) {
      if (s.rv > rv) break;
      if (s.after) state.set(s.key, s.after);
      else state.delete(s.key);
    }
    return state;
  }

  /** The event a watcher with selector `matches` should get for each write after `rv`. */
  expectedAfter(rv: number, matches: (o: WatchObject) => boolean): Map<number, WatchEvent> {
    const out = new Map<number, WatchEvent>();
    for (const s of this.steps) {
      if (s.rv <= rv) continue;
      const now = s.after !== undefined && matches(s.after);
      const was = s.before !== undefined && matches(s.before);
      if (now && !was) out.set(s.rv, { type: "ADDED", object: s.after! });
      else if (now && was) out.set(s.rv, { type: "MODIFIED", object: s.after! });
      else if (was) out.set(s.rv, { type: "DELETED", object: withRv(s.before!, s.rv) });
    }
    return out;
  }

  lastRv(): number {
    return this.steps.length ? this.steps[this.steps.length - 1].rv : 0;
  }
}

/** Checks one watcher against the history of its resource. */
export function checkWatcher(history: History, w: WatcherLog): CheckResult {
  const violations: Violation[] = [];
  const v = (kind: ViolationKind, detail: string, rv?: number) => violations.push({ watcher: w.name, kind, rv, detail });
  let events = w.events;
  let start: number;
  let checked = 0;
  // The watcher's own view: what it believes exists, built from what it received.
  const view = new Map<string, WatchObject>();

  if (w.start.kind === "rv") {
    start = w.start.rv;
    for (const [k, o] of history.stateAt(start)) if (w.matches(o)) view.set(k, o);
  } else if (w.start.kind === "list") {
    start = w.start.rv;
    const truth = [...history.stateAt(start)].filter(([, o]) => w.matches(o));
    const got = new Map(w.start.items.map((o) => [keyOf(o), o]));
    const missing = truth.filter(([k]) => !got.has(k)).map(([k]) => k);
    const extra = [...got.keys()].filter((k) => !truth.some(([t]) => t === k));
    const stale = truth.filter(([k, o]) => got.has(k) && canonical(got.get(k)) !== canonical(o)).map(([k]) => k);
    if (missing.length || extra.length || stale.length) {
      v("list-not-snapshot", `list at ${start}: missing ${missing.join(" ")}; extra ${extra.join(" ")}; not as at ${start}: ${stale.join(" ")}`, start);
    }
    for (const o of w.start.items) view.set(keyOf(o), o);
    checked += w.start.items.length;
  } else {
    // The leading ADDED events are the snapshot; find the prefix that is one. Any prefix
    // that is a snapshot gives the same verdict on the rest (a later create would be an
    // ADDED either way).
    let n = 0;
    while (n < events.length && events[n].type === "ADDED") n++;
    let found: number | undefined;
    for (let i = n; i >= 0 && found === undefined; i--) {
      const prefix = events.slice(0, i).map((e) => e.object as WatchObject);
      const at = Math.max(w.start.notBeforeRv, ...prefix.map(rvOf));
      const truth = [...history.stateAt(at)].filter(([, o]) => w.matches(o));
      if (truth.length !== prefix.length) continue;
      const got = new Map(prefix.map((o) => [keyOf(o), o]));
      if (got.size === prefix.length && truth.every(([k, o]) => got.has(k) && canonical(got.get(k)) === canonical(o))) found = i;
    }
    if (found === undefined) {
      v("initial-not-snapshot", `the first ${n} ADDED events are no state the history went through at or after ${w.start.notBeforeRv}`);
      found = n;
    }
    const prefix = events.slice(0, found).map((e) => e.object as WatchObject);
    start = Math.max(w.start.notBeforeRv, ...prefix.map(rvOf));
    for (const o of prefix) view.set(keyOf(o), o);
    checked += found;
    events = events.slice(found);
  }

  const until = w.until ?? Number.MAX_SAFE_INTEGER;
  const expected = new Map([...history.expectedAfter(start, w.matches)].filter(([rv]) => rv <= until));
  const received = new Set<number>();
  let last = start;
  for (const e of events) {
    checked++;
    const rv = rvOf(e.object);
    if (e.type === "BOOKMARK") {
      if (rv < last) v("bookmark-backwards", `bookmark at ${rv} after ${last}`, rv);
      const skipped = [...expected.keys()].filter((r) => r <= rv && !received.has(r));
      if (skipped.length) v("bookmark-skips", `bookmark at ${rv} before the events at ${skipped.slice(0, 5).join(", ")}`, rv);
      last = Math.max(last, rv);
      continue;
    }
    if (e.type === "ERROR") {
      v("unexpected", `ERROR event: ${JSON.stringify(e.object)}`);
      continue;
    }
    const obj = e.object as WatchObject;
    if (received.has(rv)) {
      // The same write again, or an older state of something else replayed.
      if (keyOf(expected.get(rv)!.object as WatchObject) === keyOf(obj)) v("duplicate", `${e.type} ${keyOf(obj)} at ${rv} again`, rv);
      else v("back-in-time", `${e.type} ${keyOf(obj)} at ${rv}, a version already delivered for another object`, rv);
      continue;
    }
    if (rv <= last) v("back-in-time", `${e.type} ${keyOf(obj)} at ${rv} after ${last}`, rv);
    last = Math.max(last, rv);
    const want = expected.get(rv);
    if (!want) {
      v("unexpected", `${e.type} ${keyOf(obj)} at ${rv}: no write of a watched object there`, rv);
      continue;
    }
    received.add(rv);
    if (want.type !== e.type) v("wrong-type", `${keyOf(obj)} at ${rv}: ${e.type}, expected ${want.type}`, rv);
    if (canonical(want.object) !== canonical(obj)) v("wrong-object", `${e.type} ${keyOf(obj)} at ${rv}: ${canonical(obj).slice(0, 300)} expected ${canonical(want.object).slice(0, 300)}`, rv);
    if (e.type === "DELETED") view.delete(keyOf(obj));
    else view.set(keyOf(obj), obj);
  }
  const lost = [...expected.keys()].filter((r) => !received.has(r));
  for (const r of lost) v("lost", `${expected.get(r)!.type} ${keyOf(expected.get(r)!.object as WatchObject)} at ${r}`, r);

  // What the watcher ends up believing is what the history ends in.
  const truth = new Map([...history.stateAt(until)].filter(([, o]) => w.matches(o)));
  const wrong = [...new Set([...truth.keys(), ...view.keys()])].filter((k) => canonical(truth.get(k)) !== canonical(view.get(k)));
  if (wrong.length) v("final-state", `the watcher's view differs from the history at ${until === Number.MAX_SAFE_INTEGER ? "its end" : until} for ${wrong.slice(0, 10).join(" ")}`);
  return { violations, eventsChecked: checked };
}

/** The history's end is what the server lists at the end. */
export function checkFinalList(history: History, items: WatchObject[], matches: (o: WatchObject) => boolean = () => true): Violation[] {
  const truth = new Map([...history.stateAt(Number.MAX_SAFE_INTEGER)].filter(([, o]) => matches(o)));
  const got = new Map(items.filter(matches).map((o) => [keyOf(o), o]));
  const wrong = [...new Set([...truth.keys(), ...got.keys()])].filter((k) => canonical(truth.get(k)) !== canonical(got.get(k)));
  const out: Violation[] = history.problems.map((p) => ({ watcher: "writers", kind: "history" as const, detail: p }));
  if (wrong.length) out.push({ watcher: "final list", kind: "final-state", detail: `the final list differs from the writes for ${wrong.slice(0, 10).join(" ")}` });
  return out;
}

/**
 * A watch from a compacted resourceVersion: one ERROR event carrying a 410 Expired
 * Status, worded as upstream's watch cache words it, then the end of the stream.
 * Not `exact`: the watch had moved on from `startRv` (events the client was not sent
 * move the server's position too) when the log was compacted under it.
 * Returns what is wrong, or nothing.
 */
export function checkExpired(events: WatchEvent[], startRv: number, exact = true): string[] {
  const problems: string[] = [];
  if (events.length !== 1) problems.push(`expected exactly one event, got ${events.length}: ${JSON.stringify(events).slice(0, 300)}`);
  const e = events[0];
  if (!e) return problems;
  const s = e.object as { kind?: string; code?: number; reason?: string; message?: string; status?: string };
  if (e.type !== "ERROR") problems.push(`first event is ${e.type}, not ERROR`);
  if (s.kind !== "Status" || s.status !== "Failure" || s.code !== 410 || s.reason !== "Expired") problems.push(`not a 410 Expired Status: ${JSON.stringify(s)}`);
  const m = /^too old resource version: (\d+) \((\d+)\)$/.exec(s.message ?? "");
  if (!m) problems.push(`message ${JSON.stringify(s.message)} is not "too old resource version: X (Y)"`);
  else if ((exact ? Number(m[1]) !== startRv : Number(m[1]) < startRv) || Number(m[2]) <= Number(m[1])) {
    problems.push(`message ${JSON.stringify(s.message)} does not name ${startRv}${exact ? "" : " or later"} and a later oldest version`);
  }
  return problems;
}

/** Checks every watcher (each against its resource's history) and the final lists. */
export function checkWatches(writes: Write[], watchers: WatcherLog[], finalLists: Record<string, WatchObject[]>): CheckResult {
  const histories = new Map<string, History>();
  const history = (r: string) => histories.get(r) ?? histories.set(r, new History(writes, r)).get(r)!;
  const violations: Violation[] = [];
  let eventsChecked = 0;
  for (const [resource, items] of Object.entries(finalLists)) violations.push(...checkFinalList(history(resource), items));
  for (const w of watchers) {
    const r = checkWatcher(history(w.resource), w);
    violations.push(...r.violations);
    eventsChecked += r.eventsChecked;
  }
  return { violations, eventsChecked };
}
