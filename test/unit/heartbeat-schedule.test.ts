// A node's heartbeats keep their own phase: a late one does not move the next.
import { describe, expect, it } from "vitest";
import { Heartbeat, nextBeat } from "../../src/node/lifecycle/heartbeat";
import type { TimerTable } from "../../src/util/timer-table";

describe("nextBeat", () => {
  it.each([
    { why: "on time", dueAt: 100_000, now: 100_000, next: 110_000 },
    { why: "late by 3 s", dueAt: 100_000, now: 103_000, next: 110_000 },
    { why: "late by just under an interval", dueAt: 100_000, now: 109_999, next: 110_000 },
    { why: "late by exactly an interval", dueAt: 100_000, now: 110_000, next: 120_000 },
    { why: "late by 25 s: two slots missed", dueAt: 100_000, now: 125_000, next: 130_000 },
    { why: "early (an alarm never fires early, but a clock may step back)", dueAt: 100_000, now: 99_000, next: 110_000 },
  ])("$why", ({ dueAt, now, next }) => {
    expect(nextBeat(dueAt, now, 10_000)).toBe(next);
  });
});

describe("a heartbeat that fires late", () => {
  it("renews at the time it ran and sets the next one on its grid", async () => {
    let now = 0;
    const set: [string, number][] = [];
    const renewals: number[] = [];
    const kv = new Map<string, unknown>();
    const hb = new Heartbeat({
      kv: { get: (k: string) => kv.get(k), put: (k: string, v: unknown) => void kv.set(k, v) } as unknown as SyncKvStorage,
      timers: { set: async (key: string, at: number) => void set.push([key, at]) } as unknown as TimerTable,
      intervalMs: 10_000,
      now: () => now,
      register: async () => {},
      renew: async (at) => void renewals.push(at),
    });
    now = 51_700;
    await hb.beat(50_000);
    now = 60_000;
    await hb.beat(60_000);
    expect(renewals).toEqual([51_700, 60_000]);
    expect(set.map(([, at]) => at)).toEqual([60_000, 70_000]);
  });
});
