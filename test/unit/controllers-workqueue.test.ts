import { describe, it, expect } from "vitest";
import { WorkQueue, backoffMs, type QueueEntry, type QueueStorage } from "../../src/controllers/workqueue";

class MapStorage implements QueueStorage {
  readonly m = new Map<string, QueueEntry>();
  get(k: string) {
    return this.m.get(k);
  }
  put(k: string, v: QueueEntry) {
    this.m.set(k, v);
  }
  delete(k: string) {
    return this.m.delete(k);
  }
  *list({ prefix }: { prefix: string }): Iterable<[string, QueueEntry]> {
    for (const e of this.m) if (e[0].startsWith(prefix)) yield e;
  }
}

describe("work queue", () => {
  it("keeps one entry per key, earliest due wins", () => {
    const q = new WorkQueue(new MapStorage());
    q.add("a", 100);
    q.add("a", 50);
    q.add("a", 200);
    expect(q.size).toBe(1);
    expect(q.nextDue()).toBe(50);
    expect(q.take(49, 10)).toEqual([]);
    expect(q.take(50, 10)).toEqual(["a"]);
  });

  it("never hands out a key twice at once; an add while running runs it again after", () => {
    const q = new WorkQueue(new MapStorage());
    q.add("a", 0);
    expect(q.take(0, 10)).toEqual(["a"]);
    q.add("a", 5);
    expect(q.take(10, 10)).toEqual([]);
    q.done("a");
    expect(q.take(10, 10)).toEqual(["a"]);
    q.done("a");
    expect(q.size).toBe(0);
  });

  it("backs off per key, 1 s doubling to 60 s, and resets on success", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 60000, 60000, 60000]);
    const q = new WorkQueue(new MapStorage());
    q.add("a", 0);
    q.take(0, 1);
    expect(q.failed("a", 1000)).toBe(1000);
    q.take(2000, 1);
    expect(q.failed("a", 2000)).toBe(2000);
    expect(q.nextDue()).toBe(4000);
    q.take(4000, 1);
    q.done("a");
    q.add("a", 5000);
    q.take(5000, 1);
    expect(q.failed("a", 5000)).toBe(1000);
  });

  it("survives a restart: entries are persisted", () => {
    const storage = new MapStorage();
    const q = new WorkQueue(storage);
    q.add("rs:default/web", 10);
    q.add("gc:/", 20);
    const again = new WorkQueue(storage);
    expect(again.keys().sort()).toEqual(["gc:/", "rs:default/web"]);
    expect(again.nextDue()).toBe(10);
  });
});
