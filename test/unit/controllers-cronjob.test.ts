// Cron schedules and the CronJob planner as (CronJob, Jobs, now) -> actions, table-driven.
import { describe, it, expect } from "vitest";
import { planCronJob, jobNameFor } from "../../src/controllers/cronjob-plan";
import { nextScheduleAfter, parseSchedule, rfc3339InZone } from "../../src/model/cron-schedule";
import { validateCronJob } from "../../src/model/validate-batch";
import type { CronJob, CronJobSpec, CronJobStatus, Job } from "../../src/model/types";

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const at = (s: string) => Date.parse(s);
const CREATED = at("2026-06-01T12:00:30Z");

function cronJob(spec: Partial<CronJobSpec> = {}, status: CronJobStatus = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "hello", namespace: "default", uid: "cj-uid", creationTimestamp: iso(CREATED) },
    spec: {
      schedule: "* * * * *",
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox" }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, state: "running" | "Complete" | "Failed", started: number): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "5", creationTimestamp: iso(started) },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime: iso(started),
      ...(state === "running" ? { active: 1 } : { conditions: [{ type: state, status: "True" }], ...(state === "Complete" ? { completionTime: iso(started + 5_000) } : {}) }),
    },
  };
}
const ref = (j: Job) => ({ kind: "Job", namespace: "default", name: j.metadata.name, uid: j.metadata.uid, apiVersion: "batch/v1", resourceVersion: "5" });

describe("cron schedules", () => {
  it.each([
    ["* * * * *", "2026-06-01T12:00:30Z", "2026-06-01T12:01:00Z", undefined],
    ["*/5 * * * *", "2026-06-01T12:00:00Z", "2026-06-01T12:05:00Z", undefined],
    ["@hourly", "2026-06-01T12:00:00Z", "2026-06-01T13:00:00Z", undefined],
    ["@daily", "2026-06-01T12:00:00Z", "2026-06-02T00:00:00Z", undefined],
    ["0 9 * * 1-5", "2026-06-05T10:00:00Z", "2026-06-08T09:00:00Z", undefined],
    ["0 9 * * *", "2026-06-01T12:00:00Z", "2026-06-02T07:00:00Z", "Europe/Berlin"],
    ["30 2 * * *", "2026-01-10T00:00:00Z", "2026-01-10T07:30:00Z", "America/New_York"],
  ])("%s after %s is %s (%s)", (schedule, after, next, zone) => {
    expect(iso(nextScheduleAfter(schedule, zone, at(after))!)).toBe(next);
  });

  it.each([
    ["foo", "expected exactly 5 fields, found 1: [foo]"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
  ])("refuses %j: %s", (schedule, error) => {
    expect(parseSchedule(schedule)).toEqual({ ok: false, error });
  });

  it("prints a scheduled time in its zone as RFC 3339", () => {
    expect(rfc3339InZone(at("2026-06-01T07:00:00Z"), "Europe/Berlin")).toBe("2026-06-01T09:00:00+02:00");
    expect(rfc3339InZone(at("2026-01-10T07:30:00Z"), "America/New_York")).toBe("2026-01-10T02:30:00-05:00");
    expect(rfc3339InZone(at("2026-06-01T07:00:00Z"), undefined)).toBe("2026-06-01T07:00:00Z");
  });

  it.each([
    [{ schedule: "TZ=UTC * * * * *" }, "spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
    [{ schedule: "CRON_TZ=UTC 0 * * * *" }, "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
    [{ schedule: "61 * * * *" }, "spec.schedule: Invalid value: \"61 * * * *\": Invalid value for minute: 61"],
    [{ timeZone: "Mars/Olympus" }, "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"],
    [{ timeZone: "Local" }, "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"],
    [{ concurrencyPolicy: "Sometimes" as never }, "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""],
    [{ timeZone: "Asia/Tokyo" }, undefined],
  ])("validates %j", (spec, message) => {
    const causes = validateCronJob(cronJob(spec));
    expect(causes.map((c) => `${c.field}: ${c.message}`)[0]).toBe(message);
  });
});

interface Case {
  name: string;
  cj: CronJob;
  jobs?: Job[];
  now: string;
  expect: { start?: string; remove?: string[]; events?: string[]; active?: string[]; lastScheduleTime?: string; lastSuccessfulTime?: string; requeueAt?: string };
}

const T = "2026-06-01T12:05:10Z";
const running = job("hello-29671924", "running", at("2026-06-01T12:04:00Z"));

const CASES: Case[] = [
  { name: "before its first time: nothing, look again at the next minute", cj: cronJob(), now: "2026-06-01T12:00:50Z", expect: { events: [], requeueAt: "2026-06-01T12:01:00Z" } },
  {
    name: "a due time starts NAME-<minutes since the epoch>",
    cj: cronJob(),
    now: "2026-06-01T12:01:00Z",
    expect: { start: "hello-29671921", lastScheduleTime: "2026-06-01T12:01:00Z", requeueAt: "2026-06-01T12:02:00Z" },
  },
  {
    name: "missed times start only the most recent",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:01:00Z" }),
    now: T,
    expect: { start: "hello-29671925", lastScheduleTime: "2026-06-01T12:05:00Z" },
  },
  {
    name: "a time already started is not started again (an alarm twice)",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:05:00Z" }),
    now: T,
    expect: { start: undefined, events: [] },
  },
  {
    name: "a Job of that name already there is not started again",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:04:00Z" }),
    jobs: [job("hello-29671925", "running", at("2026-06-01T12:05:00Z"))],
    now: T,
    expect: { start: undefined, active: ["hello-29671925"] },
  },
  {
    name: "Forbid with a Job running: skipped with JobAlreadyActive",
    cj: cronJob({ concurrencyPolicy: "Forbid" }, { lastScheduleTime: "2026-06-01T12:04:00Z", active: [ref(running)] }),
    jobs: [running],
    now: T,
    expect: { start: undefined, events: ["JobAlreadyActive"], active: ["hello-29671924"], lastScheduleTime: "2026-06-01T12:04:00Z" },
  },
  {
    name: "Replace with a Job running: it is deleted and the new one started",
    cj: cronJob({ concurrencyPolicy: "Replace" }, { lastScheduleTime: "2026-06-01T12:04:00Z", active: [ref(running)] }),
    jobs: [running],
    now: T,
    expect: { start: "hello-29671925", remove: ["hello-29671924"], events: ["SuccessfulDelete"], active: [] },
  },
  {
    name: "Allow with a Job running: both run",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:04:00Z", active: [ref(running)] }),
    jobs: [running],
    now: T,
    expect: { start: "hello-29671925", active: ["hello-29671924"] },
  },
  {
    name: "past startingDeadlineSeconds: MissSchedule, nothing started",
    cj: cronJob({ startingDeadlineSeconds: 5 }, { lastScheduleTime: "2026-06-01T12:04:00Z" }),
    now: T,
    expect: { start: undefined, events: [] },
  },
  {
    name: "within startingDeadlineSeconds: started",
    cj: cronJob({ startingDeadlineSeconds: 30 }, { lastScheduleTime: "2026-06-01T12:04:00Z" }),
    now: T,
    expect: { start: "hello-29671925" },
  },
  { name: "suspended: nothing started, no wake-up", cj: cronJob({ suspend: true }), now: T, expect: { start: undefined, requeueAt: undefined } },
  {
    name: "a finished Job leaves active, SawCompletedJob, lastSuccessfulTime",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:05:00Z", active: [ref(running)] }),
    jobs: [job("hello-29671924", "Complete", at("2026-06-01T12:04:00Z"))],
    now: T,
    expect: { events: ["SawCompletedJob"], active: [], lastSuccessfulTime: "2026-06-01T12:04:05Z" },
  },
  {
    name: "history: 3 successful and 1 failed kept, the oldest others deleted",
    cj: cronJob({}, { lastScheduleTime: "2026-06-01T12:05:00Z" }),
    jobs: [
      job("hello-1", "Complete", at("2026-06-01T11:01:00Z")),
      job("hello-2", "Complete", at("2026-06-01T11:02:00Z")),
      job("hello-3", "Complete", at("2026-06-01T11:03:00Z")),
      job("hello-4", "Complete", at("2026-06-01T11:04:00Z")),
      job("hello-5", "Failed", at("2026-06-01T11:05:00Z")),
      job("hello-6", "Failed", at("2026-06-01T11:06:00Z")),
    ],
    now: T,
    expect: { remove: ["hello-1", "hello-5"], events: ["SuccessfulDelete", "SuccessfulDelete"] },
  },
  {
    name: "an unknown time zone: UnknownTimeZone, nothing started",
    cj: cronJob({ timeZone: "Mars/Olympus" }),
    now: T,
    expect: { start: undefined, events: ["UnknownTimeZone"], requeueAt: undefined },
  },
  {
    name: "a time zone moves the schedule: 9:00 in Tokyo is 0:00 UTC",
    cj: cronJob({ schedule: "0 9 * * *", timeZone: "Asia/Tokyo" }, { lastScheduleTime: "2026-05-31T00:00:00Z" }),
    now: "2026-06-01T00:00:05Z",
    expect: { start: "hello-29671200", lastScheduleTime: "2026-06-01T00:00:00Z", requeueAt: "2026-06-02T00:00:00Z" },
  },
];

describe("planCronJob", () => {
  it.each(CASES)("$name", (c) => {
    const now = at(c.now);
    const plan = planCronJob({ cj: c.cj, jobs: c.jobs ?? [], now });
    const e = c.expect;
    if ("start" in e) expect(plan.start?.name).toBe(e.start);
    if (e.remove) expect(plan.remove.map((j) => j.metadata.name).sort()).toEqual(e.remove);
    if (e.events) expect(plan.events.map((x) => x.reason)).toEqual(e.events);
    if (e.active) expect((plan.status.active ?? []).map((r) => r.name)).toEqual(e.active);
    if (e.lastScheduleTime) expect(plan.status.lastScheduleTime).toBe(e.lastScheduleTime);
    if (e.lastSuccessfulTime) expect(plan.status.lastSuccessfulTime).toBe(e.lastSuccessfulTime);
    if ("requeueAt" in e) expect(plan.requeueAfterMs === undefined ? undefined : iso(now + plan.requeueAfterMs - 100)).toBe(e.requeueAt);
  });

  it("names Jobs after the scheduled minute", () => {
    expect(jobNameFor(cronJob(), at("2026-06-01T12:01:00Z"))).toBe("hello-29671921");
  });
});
