// Faults in the delivery of Durable Object alarms, as the platform may produce them:
// an alarm delivered twice (two runs at once, and one more after), or late (the clock
// well past the deadline when it runs). Tests run the same scenario with each and
// compare the end states. Every injected fault is counted, for the record.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
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
