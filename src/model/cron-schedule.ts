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
