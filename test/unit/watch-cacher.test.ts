// The watch cache's core over a change log kept in memory (the ChangeLog port it is
// given; the Durable Object gives it D1's): where a watch that starts below the window
// is replayed from, page by page.
import { describe, it, expect } from "vitest";
import { Cacher, DEFAULT_CACHE_OPTIONS, type ChangeLog } from "../../src/watch/cacher";
import type { KubeObject } from "../../src/model/types";
import { parseRelayLine } from "../../src/controlplane/watch-relay-line";

type Row = Awaited<ReturnType<ChangeLog["page"]>>["changes"][number];

/** One resource's change log; the cluster revision moves with other resources' writes too. */
class MemoryLog implements ChangeLog {
  rows: Row[] = [];
  head = 0;
  reads = 0;
  write(name: string): void {
    this.head++;
    const object: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", resourceVersion: String(this.head) } };
    this.rows.push({ rv: this.head, type: "ADDED", object });
  }
  /** A write to another resource: the revision moves, this log gets no row. */
  elsewhere(): void {
    this.head++;
  }
  async page(since: number, limit: number) {
    // A replay that never moves on would read for ever: fail instead.
    if (++this.reads > 1_000) throw new Error(`the log was read ${this.reads} times`);
    return { revision: { rv: this.head, compactedRv: 0 }, changes: this.rows.filter((r) => r.rv > since).slice(0, limit) };
  }
}

function sink() {
  const lines: string[] = [];
  return {
    lines,
    names: () =>
      lines
        .map((l) => JSON.parse(parseRelayLine(l)!.json) as { type: string; object: KubeObject })
        .filter((e) => e.type !== "BOOKMARK")
        .map((e) => `${e.type} ${e.object.metadata.name}`),
    write: async (text: string) => {
      lines.push(...text.split("\n").filter(Boolean));
      return true;
    },
    close: async () => undefined,
  };
}

describe("watch cache replay", () => {
  it("goes on from the window's floor when a whole page of the log lies past it", async () => {
    const log = new MemoryLog();
    log.write("before");
    const start = log.head;
    log.elsewhere();
    log.elsewhere();
    const cacher = new Cacher(log, { ...DEFAULT_CACHE_OPTIONS, pageSize: 5 });
    // The window begins at the head: above `start`, with no change of this resource between.
    await cacher.catchUp();
    expect(cacher.state).toMatchObject({ floor: start + 2, head: start + 2 });
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    for (const n of names) log.write(n);

    const out = sink();
    await cacher.watch({ since: start, filter: () => true, sink: out });
    await new Promise((r) => setTimeout(r, 0));
    expect(out.names()).toEqual(names.map((n) => `ADDED ${n}`));
  });

  it("replays from the log what lies below the floor, then from the window", async () => {
    const log = new MemoryLog();
    log.write("a");
    const start = log.head;
    for (const n of ["b", "c", "d"]) log.write(n);
    const cacher = new Cacher(log, { ...DEFAULT_CACHE_OPTIONS, pageSize: 2 });
    await cacher.catchUp();
    for (const n of ["e", "f", "g"]) log.write(n);
    const out = sink();
    await cacher.watch({ since: start, filter: () => true, sink: out });
    await new Promise((r) => setTimeout(r, 0));
    expect(out.names()).toEqual(["b", "c", "d", "e", "f", "g"].map((n) => `ADDED ${n}`));
  });

  it("hands a watcher that resumes far back in the window all of it, whatever the queue limits", async () => {
    const log = new MemoryLog();
    const cacher = new Cacher(log, { ...DEFAULT_CACHE_OPTIONS, maxQueue: 3 });
    await cacher.catchUp();
    const start = log.head;
    const names = Array.from({ length: 10 }, (_, i) => `w${i}`);
    for (const n of names) log.write(n);
    await cacher.catchUp();

    // Ten events behind, with room for three: the replay is not what closes a watcher.
    const out = sink();
    await cacher.watch({ since: start, filter: () => true, sink: out });
    expect(cacher.watcherCount).toBe(1);
    log.write("later");
    await cacher.catchUp();
    await new Promise((r) => setTimeout(r, 0));
    expect(out.names()).toEqual([...names, "later"].map((n) => `ADDED ${n}`));
    expect(cacher.watcherCount).toBe(1);
  });

  it("still closes a watcher whose reader stops taking live changes", async () => {
    const log = new MemoryLog();
    const cacher = new Cacher(log, { ...DEFAULT_CACHE_OPTIONS, maxQueue: 3 });
    await cacher.catchUp();
    const written: string[] = [];
    // The reader takes the first write and never the next.
    const stuck = { write: (text: string) => (written.push(text), written.length === 1 ? Promise.resolve(true) : new Promise<boolean>(() => undefined)), close: async () => undefined };
    await cacher.watch({ since: log.head, filter: () => true, sink: stuck });
    for (let i = 0; i < 6; i++) {
      log.write(`live${i}`);
      await cacher.catchUp();
    }
    expect(cacher.watcherCount).toBe(0);
  });
});
