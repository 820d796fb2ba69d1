// Faults in the delivery of Durable Object alarms, as the platform may produce them:
// an alarm delivered twice (two runs at once, and one more after), or late (the clock
// well past the deadline when it runs). Tests run the same scenario with each and
// compare the end states. Every injected fault is counted, for the record.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { FakeClock } from "./node-helpers";

export type Delivery = "once" | "twice" | "late";
export const DELIVERIES: Delivery[] = ["once", "twice", "late"];

/** How late a late alarm runs: minutes past its deadline. */
export const LATE_MS = 5 * 60_000;

export const faults = { doubleRuns: 0, lateRuns: 0, evictions: 0 };

interface Alarmed {
  alarm(): Promise<void>;
}

/**
 * Deliver the alarm of `stub`, due at `at`, as `delivery` says: once at `at`; twice at
 * `at` (two concurrent runs, then one more); or once, LATE_MS after `at`.
 */
export async function deliver(stub: DurableObjectStub, clock: FakeClock, at: number, delivery: Delivery): Promise<void> {
  clock.t = Math.max(clock.t, delivery === "late" ? at + LATE_MS : at);
  if (delivery === "twice") {
    await runInDurableObject(stub, (inst) => {
      const alarmed = inst as unknown as Alarmed;
      return Promise.all([alarmed.alarm(), alarmed.alarm()]);
    });
    await runDurableObjectAlarm(stub);
    faults.doubleRuns += 2;
    return;
  }
  await runDurableObjectAlarm(stub);
  if (delivery === "late") faults.lateRuns++;
}

/** Events about `name` in `namespace`, as reason -> total count (upstream aggregates repeats into count). */
export function eventCounts(events: { reason?: string; count?: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.reason ?? ""] = (out[e.reason ?? ""] ?? 0) + (e.count ?? 1);
  return out;
}

interface Clocked {
  useClock(clock: () => number): void;
}

/**
 * Evict the Durable Object behind `stub` (its memory is gone, its storage stays), and
 * put the test's clock back into the fresh instance, as a restarted process would
 * read the same wall clock.
 */
export async function evict(stub: DurableObjectStub, clock: FakeClock): Promise<void> {
  // Eviction needs a running instance: a call makes sure there is one.
  await runInDurableObject(stub, () => undefined);
  await evictDurableObject(stub);
  await runInDurableObject(stub, (inst) => (inst as unknown as Clocked).useClock(clock.now));
  faults.evictions++;
}

/** The earliest timer in a TimerTable-backed object (node, lifecycle controller). */
async function nextTimerOf(stub: DurableObjectStub): Promise<number | undefined> {
  return runInDurableObject(stub, (_inst, state) => {
    const row = state.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM timers").toArray()[0];
    return row?.at ?? undefined;
  });
}

interface Cluster {
  clock: FakeClock;
  /** Objects whose alarms follow their timer table: stepped to their next timer. */
  timed: DurableObjectStub[];
  /** Objects whose alarm runs on every round (scheduler, controller manager). */
  polled: DurableObjectStub[];
}

/**
 * Run alarms until `done` holds, with a deadline: each round the scheduler's and the
 * controller manager's alarms run, then the clock moves to the earliest timer of the
 * nodes and lifecycle controllers (at most `stepMs` ahead) and their alarms run.
 */
export async function drainUntil<T>(c: Cluster, done: () => Promise<T | undefined | null | false>, what: string, opts: { stepMs?: number; timeoutMs?: number } = {}): Promise<T> {
  const stepMs = opts.stepMs ?? 1_000;
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  for (;;) {
    const result = await done();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out draining alarms until ${what}`);
    for (const stub of c.polled) await runDurableObjectAlarm(stub);
    const next = Math.min(...(await Promise.all(c.timed.map(nextTimerOf))).map((t) => t ?? Infinity));
    c.clock.t = Math.max(c.clock.t, Math.min(next, c.clock.t + stepMs));
    for (const stub of c.timed) await runDurableObjectAlarm(stub);
  }
}
