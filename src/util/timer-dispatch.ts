// A Durable Object's ONE alarm, dispatched by timer kind. Every subsystem of the object
// (a node's pod syncs and heartbeats; the lifecycle controller's deadlines, evictions
// and lease writes) puts its timers in the same TimerTable and registers a handler for
// its kind; the alarm takes what is due (each timer once, even if the alarm fires
// twice) and hands it over. A timer a handler sets points the alarm at once; what was
// taken or cancelled moves it at the end, after every handler ran (or threw).
import type { Timer, TimerTable } from "./timer-table";

export type TimerHandler = (due: Timer[], now: number) => Promise<void>;

/** A handler that failed gets its timers back this much later. */
const RETRY_FAILED_MS = 5_000;

export async function runDueTimers(table: TimerTable, now: number, handlers: ReadonlyMap<string, TimerHandler>): Promise<void> {
  await table.dispatch(async () => {
    const byKind = new Map<string, Timer[]>();
    for (const t of table.takeDue(now)) {
      const list = byKind.get(t.kind);
      if (list) list.push(t);
      else byKind.set(t.kind, [t]);
    }
    for (const [kind, due] of byKind) {
      const handler = handlers.get(kind);
      if (!handler) {
        console.warn(`alarm: no handler for timer kind "${kind}" (${due.map((t) => t.key).join(", ")})`);
        continue;
      }
      try {
        await handler(due, now);
      } catch (e) {
        console.error(`alarm: ${kind} handler failed:`, e);
        for (const t of due) await table.setIfEarlier(t.key, now + RETRY_FAILED_MS, t.kind, t.payload);
      }
    }
  });
}
