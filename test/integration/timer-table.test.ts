// The timer table and the one-alarm dispatch on a real SQLite-backed Durable Object
// (a node's, not started: only its storage is used). Timers are set an hour ahead and
// the dispatch is called with that time as "now", so the object's own alarm never
// fires during the test.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { SCHEMA_KEY, TimerTable, type Timer } from "../../src/util/timer-table";
import { runDueTimers, type TimerHandler } from "../../src/util/timer-dispatch";

const T = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;

function object(name: string): DurableObjectStub {
  return env.NODE_AGENT.get(env.NODE_AGENT.idFromName(`timer-table-${name}`));
}

/** Run `fn` inside the object with a timer table on its storage. */
function withTable<R>(name: string, fn: (table: TimerTable, storage: DurableObjectStorage) => Promise<R>): Promise<R> {
  return runInDurableObject(object(name), (_inst, state) => fn(new TimerTable(state.storage), state.storage));
}

describe("TimerTable", () => {
  it("sets and moves several timers in one call, the alarm at the earliest", async () => {
    await withTable("set-all", async (table, storage) => {
      await table.set("moved", T + 50, "k", { n: 0 });
      await table.setAll([
        { key: "moved", at: T + 500, kind: "j", payload: { n: 1 } },
        { key: "new", at: T + 200.9, kind: "k", payload: "node-a" },
        { key: "bare", at: T + 300, kind: "k" },
      ]);
      expect(table.list().map((t) => [t.key, t.at, t.kind, t.payload])).toEqual([
        ["new", T + 200, "k", "node-a"],
        ["bare", T + 300, "k", null],
        ["moved", T + 500, "j", { n: 1 }],
      ]);
      expect(await storage.getAlarm()).toBe(T + 200);
      // Nothing to set leaves everything as it was.
      await table.setAll([]);
      expect(await storage.getAlarm()).toBe(T + 200);
      await table.cancel("new");
      await table.cancel("bare");
      await table.cancel("moved");
    });
  });

  it("takes due timers earliest first, by key among equals, and each only once", async () => {
    await withTable("order", async (table) => {
      // Set out of order; two pairs due at the same moment.
      await table.set("c", T + 20, "k", { n: 3 });
      await table.set("later", T + 1_000, "k");
      await table.set("b", T + 10, "k", { n: 2 });
      await table.set("a2", T + 20, "k");
      await table.set("a1", T + 10, "k", { n: 1 });
      const due = table.takeDue(T + 20);
      expect(due.map((t) => [t.key, t.at])).toEqual([
        ["a1", T + 10],
        ["b", T + 10],
        ["a2", T + 20],
        ["c", T + 20],
      ]);
      expect(due[0].payload).toEqual({ n: 1 });
      expect(due[3].payload).toEqual({ n: 3 });
      // Asked again (an alarm that fires twice): nothing is handed out again.
      expect(table.takeDue(T + 20)).toEqual([]);
      expect(table.list().map((t) => t.key)).toEqual(["later"]);
    });
  });

  it("reads when a timer is due without its payload, and sets only earlier ones with setIfEarlier", async () => {
    await withTable("at-of", async (table) => {
      expect(table.atOf("x")).toBeUndefined();
      expect(table.has("x")).toBe(false);
      await table.set("x", T + 100.7, "k", { big: "payload" });
      expect(table.atOf("x")).toBe(T + 100);
      expect(table.has("x")).toBe(true);
      await table.setIfEarlier("x", T + 500, "k", "later");
      expect(table.get("x")).toEqual({ key: "x", at: T + 100, kind: "k", payload: { big: "payload" } });
      await table.setIfEarlier("x", T + 50, "k", "earlier");
      expect(table.get("x")).toEqual({ key: "x", at: T + 50, kind: "k", payload: "earlier" });
    });
  });

  it("points the alarm at the earliest timer as timers are set, moved later and cancelled", async () => {
    await withTable("follow", async (table, storage) => {
      await table.set("a", T + 100, "k");
      await table.set("b", T + 50, "k");
      expect(await storage.getAlarm()).toBe(T + 50);
      // The earliest moved later: the alarm goes to the one now first.
      await table.set("b", T + 500, "k");
      expect(await storage.getAlarm()).toBe(T + 100);
      await table.cancel("a");
      expect(await storage.getAlarm()).toBe(T + 500);
      expect(table.atsOf(["a", "b", "c"])).toEqual(new Map([["b", T + 500]]));
      await table.cancelPrefix("b");
      expect(await storage.getAlarm()).toBeNull();
    });
  });

  it("keeps its schema flag across eviction, and a rebuilt object uses the table as it was", async () => {
    await withTable("evict", async (table, storage) => {
      await table.set("kept", T + 10, "k", "before");
      expect(storage.kv.get(SCHEMA_KEY)).toBe(1);
    });
    await evictDurableObject(object("evict"));
    await withTable("evict", async (table, storage) => {
      expect(storage.kv.get(SCHEMA_KEY)).toBe(1);
      await table.set("new", T + 20, "k", "after");
      expect(await storage.getAlarm()).toBe(T + 10);
      expect(table.takeDue(T + 20).map((t) => [t.key, t.payload])).toEqual([
        ["kept", "before"],
        ["new", "after"],
      ]);
      // Storage wiped (a node stopped): the flag goes with the table, and the next table recreates it.
      await storage.deleteAll();
      expect(storage.kv.get(SCHEMA_KEY)).toBeUndefined();
    });
    await withTable("evict", async (table, storage) => {
      expect(storage.kv.get(SCHEMA_KEY)).toBe(1);
      await table.set("again", T + 30, "k");
      expect(table.list().map((t) => t.key)).toEqual(["again"]);
      await storage.deleteAlarm();
    });
  });
});

describe("runDueTimers", () => {
  it("points the alarm at a timer a handler set before the handler goes on (its writes commit together)", async () => {
    await withTable("handler-sets", async (table, storage) => {
      await table.set("due", T, "work");
      await table.set("far", T + 60_000, "work");
      let seenDuring: number | null = null;
      const handlers = new Map<string, TimerHandler>([
        [
          "work",
          async () => {
            await table.set("follow-up", T + 100, "work");
            // The heartbeat's renewal call would go out here: the alarm is already set.
            seenDuring = await storage.getAlarm();
          },
        ],
      ]);
      await runDueTimers(table, T, handlers);
      expect(seenDuring).toBe(T + 100);
      expect(await storage.getAlarm()).toBe(T + 100);
      await storage.deleteAlarm();
    });
  });

  it("moves the alarm for timers a handler cancelled once the dispatch ends", async () => {
    await withTable("handler-cancels", async (table, storage) => {
      await table.set("due", T, "work");
      await table.set("soon", T + 100, "other");
      await table.set("far", T + 60_000, "other");
      let seenDuring: number | null = null;
      const handlers = new Map<string, TimerHandler>([
        [
          "work",
          async () => {
            await table.cancel("soon");
            seenDuring = await storage.getAlarm();
          },
        ],
      ]);
      await runDueTimers(table, T, handlers);
      // Left where it was while the handler ran, then moved to the earliest timer left.
      expect(seenDuring).toBe(T);
      expect(await storage.getAlarm()).toBe(T + 60_000);
      await storage.deleteAlarm();
    });
  });

  it("re-points a spent alarm that found nothing due", async () => {
    await withTable("nothing-due", async (table, storage) => {
      await table.set("later", T + 500, "work");
      // The alarm came early (or a second time): nothing is due, and it is re-set.
      await storage.setAlarm(T);
      await runDueTimers(table, T, new Map());
      expect(await storage.getAlarm()).toBe(T + 500);
      await storage.deleteAlarm();
    });
  });

  it("arms after the dispatch at the earliest timer left when a handler moves or cancels timers", async () => {
    await withTable("handler-moves", async (table, storage) => {
      await table.set("due", T, "work");
      await table.set("soon", T + 100, "other");
      await table.set("later", T + 200, "other");
      const handlers = new Map<string, TimerHandler>([
        [
          "work",
          async () => {
            await table.set("soon", T + 1_000, "other");
            await table.set("new", T + 300, "other");
            await table.cancel("later");
          },
        ],
      ]);
      await runDueTimers(table, T, handlers);
      expect(await storage.getAlarm()).toBe(T + 300);
      await storage.deleteAlarm();
    });
  });

  it("still arms the alarm at the earliest timer when a handler throws", async () => {
    await withTable("handler-throws", async (table, storage) => {
      await table.set("boom", T, "fails");
      await table.set("ok", T, "works");
      await table.set("far", T + 60_000, "works");
      const handled: string[] = [];
      const handlers = new Map<string, TimerHandler>([
        [
          "fails",
          async () => {
            await table.set("set-before-throwing", T + 7_000, "works");
            throw new Error("handler failed");
          },
        ],
        ["works", async (due: Timer[]) => void handled.push(...due.map((t) => t.key))],
      ]);
      await runDueTimers(table, T, handlers);
      expect(handled).toEqual(["ok"]);
      // The failed timer is back a little later, and the alarm points at it.
      expect(table.atOf("boom")).toBe(T + 5_000);
      expect(await storage.getAlarm()).toBe(T + 5_000);

      // A dispatch that itself throws re-arms on its way out too.
      await expect(
        table.dispatch(async () => {
          await table.cancel("boom");
          await table.set("early", T + 1_000, "works");
          throw new Error("dispatch failed");
        }),
      ).rejects.toThrow("dispatch failed");
      expect(await storage.getAlarm()).toBe(T + 1_000);
      await expect(
        table.dispatch(async () => {
          await table.cancel("early");
          throw new Error("dispatch failed");
        }),
      ).rejects.toThrow("dispatch failed");
      expect(await storage.getAlarm()).toBe(T + 7_000);
      await storage.deleteAlarm();
    });
  });

  it("hands each due timer to one of two overlapping dispatches, and arms after the last", async () => {
    await withTable("twice", async (table, storage) => {
      for (let i = 0; i < 5; i++) await table.set(`t${i}`, T + i, "work");
      await table.set("next", T + 60_000, "work");
      const seen: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const handlers = new Map<string, TimerHandler>([
        [
          "work",
          async (due: Timer[]) => {
            seen.push(...due.map((t) => t.key));
            await gate;
          },
        ],
      ]);
      const first = runDueTimers(table, T + 10, handlers);
      const second = runDueTimers(table, T + 10, handlers);
      release();
      await Promise.all([first, second]);
      expect(seen).toEqual(["t0", "t1", "t2", "t3", "t4"]);
      expect(await storage.getAlarm()).toBe(T + 60_000);
      await storage.deleteAlarm();
    });
  });
});
