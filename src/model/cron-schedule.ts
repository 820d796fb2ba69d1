// CronJob schedules as the API server and the CronJob controller read them: the
// standard five fields or a predefined descriptor (robfig/cron's ParseStandard), in
// spec.timeZone or UTC. The field arithmetic is croner's (no code generation, so it
// runs in workerd); what is accepted and the error texts follow upstream's parser.
import { Cron } from "croner";

/** robfig/cron's descriptors, as the five fields they stand for. */
const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export type ParsedSchedule = { ok: true; fields: string } | { ok: false; error: string };

/** ParseStandard: five fields or a descriptor; the error is the parser's text. */
export function parseSchedule(schedule: string): ParsedSchedule {
  const spec = schedule.trim();
  if (spec.startsWith("@")) {
    const fields = DESCRIPTORS[spec.toLowerCase()];
    return fields ? { ok: true, fields } : { ok: false, error: `unrecognized descriptor: ${spec}` };
  }
  const fields = spec.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== 5) return { ok: false, error: `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]` };
  try {
    new Cron(fields.join(" "), { mode: "5-part", paused: true });
  } catch (e) {
    return { ok: false, error: (e as Error).message.replace(/^CronPattern: /, "") };
  }
  return { ok: true, fields: fields.join(" ") };
}

/** Whether `zone` is an IANA zone this runtime knows (time.LoadLocation). */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first scheduled time strictly after `afterMs`, in ms (minute precision), or
 * undefined when the schedule is invalid or never fires.
 */
export function nextScheduleAfter(schedule: string, timeZone: string | undefined, afterMs: number): number | undefined {
  const parsed = parseSchedule(schedule);
  if (!parsed.ok) return undefined;
  try {
    const next = new Cron(parsed.fields, { mode: "5-part", paused: true, timezone: timeZone || "UTC" }).nextRun(new Date(afterMs));
    return next ? next.getTime() : undefined;
  } catch {
    return undefined;
  }
}

/** The latest scheduled time at or before `atMs`, or undefined. */
export function lastScheduleAtOrBefore(schedule: string, timeZone: string | undefined, atMs: number): number | undefined {
  const parsed = parseSchedule(schedule);
  if (!parsed.ok) return undefined;
  try {
    const [prev] = new Cron(parsed.fields, { mode: "5-part", paused: true, timezone: timeZone || "UTC" }).previousRuns(1, new Date(atMs + 1));
    return prev ? prev.getTime() : undefined;
  } catch {
    return undefined;
  }
}

/** How many scheduled times fall in (afterMs, atMs], counting no further than `cap`. */
export function countSchedules(schedule: string, timeZone: string | undefined, afterMs: number, atMs: number, cap: number): number {
  let n = 0;
  for (let t = nextScheduleAfter(schedule, timeZone, afterMs); t !== undefined && t <= atMs && n < cap; t = nextScheduleAfter(schedule, timeZone, t)) n++;
  return n;
}

/** RFC 3339 of `ms` in `timeZone` (Go's t.In(loc).Format(time.RFC3339)): "Z" in UTC, else the offset. */
export function rfc3339InZone(ms: number, timeZone: string | undefined): string {
  const t = Math.floor(ms / 1000) * 1000;
  if (!timeZone || timeZone === "UTC") return new Date(t).toISOString().replace(".000Z", "Z");
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((local - t) / 60_000);
  const wall = new Date(local).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
