// The CronJob reconciler as a pure function (upstream cronjob_controllerv2.go
// syncCronJob, mostRecentScheduleTime, cleanupFinishedJobs): from the CronJob, the Jobs
// it owns and the time, which Job to start (named NAME-<minutes since the epoch of its
// scheduled time>), which Jobs to delete (Replace, history limits), the status, the
// events, and when the next scheduled time falls (the manager's alarm holds it).
import type { CronJob, CronJobStatus, Job, ObjectReference } from "../model/types";
import { isoSeconds } from "../config";
import { countSchedules, knownTimeZone, lastScheduleAtOrBefore, nextScheduleAfter, parseSchedule } from "../model/cron-schedule";
import { jobFinished, type JobEvent } from "./job-plan";
import { timeOf } from "./pod-state";
import { canonicalJson } from "./hash";

/** Upstream gives up counting missed times past this many. */
const TOO_MANY_MISSED = 100;

export interface CronJobObservation {
  cj: CronJob;
  /** Jobs carrying this CronJob's controller reference. */
  jobs: Job[];
  now: number;
}

export interface CronJobPlan {
  /** A Job to start for this scheduled time. */
  start?: { name: string; scheduledTime: number };
  /** Jobs to delete (Background): replaced, or past the history limits. */
  remove: Job[];
  status: CronJobStatus;
  statusChanged: boolean;
  events: JobEvent[];
  requeueAfterMs?: number;
}

/** getJobName: the scheduled time in minutes since the epoch. */
export function jobNameFor(cj: CronJob, scheduledTime: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;
}

function finishedAs(job: Job): "Complete" | "Failed" | undefined {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True");
  return c?.type as "Complete" | "Failed" | undefined;
}

export function jobRef(job: Job): ObjectReference {
  return { kind: "Job", namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: "batch/v1", resourceVersion: job.metadata.resourceVersion };
}

/** RFC1123Z in UTC, as the MissSchedule event prints the time. */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

const startOf = (j: Job) => timeOf(j.status?.startTime) ?? timeOf(j.metadata.creationTimestamp) ?? 0;

export function planCronJob(obs: CronJobObservation): CronJobPlan {
  const { cj, jobs, now } = obs;
  const spec = cj.spec;
  const old = cj.status ?? {};
  const plan: CronJobPlan = { remove: [], status: old, statusChanged: false, events: [] };

  // Which of its Jobs still run, which finished since last time.
  const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
  let active: ObjectReference[] = [];
  let lastSuccessful = timeOf(old.lastSuccessfulTime);
  for (const ref of old.active ?? []) {
    const j = byUid.get(ref.uid);
    if (!j) continue; // gone: no longer active
    const done = finishedAs(j);
    if (!done) active.push(ref);
    else {
      plan.events.push({ type: "Normal", reason: "SawCompletedJob", message: `Saw completed job: ${j.metadata.name}, condition: ${done}` });
      const at = timeOf(j.status?.completionTime);
      if (done === "Complete" && at !== undefined && (lastSuccessful === undefined || at > lastSuccessful)) lastSuccessful = at;
    }
  }
  for (const j of jobs) {
    if (!jobFinished(j) && !j.metadata.deletionTimestamp && !active.some((r) => r.uid === j.metadata.uid)) active.push(jobRef(j));
  }

  // History: finished Jobs beyond the limits go, oldest first.
  const finished = jobs.filter((j) => !j.metadata.deletionTimestamp && finishedAs(j));
  for (const [kind, limit] of [["Complete", spec.successfulJobsHistoryLimit ?? 3], ["Failed", spec.failedJobsHistoryLimit ?? 1]] as const) {
    const these = finished.filter((j) => finishedAs(j) === kind).sort((a, b) => startOf(a) - startOf(b));
    if (these.length > limit) plan.remove.push(...these.slice(0, these.length - limit));
  }

  let lastSchedule = timeOf(old.lastScheduleTime);
  const zone = spec.timeZone ?? undefined;
  const schedulable = !cj.metadata.deletionTimestamp && !spec.suspend;
  if (schedulable) {
    const parsed = parseSchedule(spec.schedule ?? "");
    if (zone !== undefined && !knownTimeZone(zone)) {
      plan.events.push({ type: "Warning", reason: "UnknownTimeZone", message: `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}` });
    } else if (!parsed.ok) {
      plan.events.push({ type: "Warning", reason: "UnparseableSchedule", message: `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${parsed.error}` });
    } else {
      const deadline = spec.startingDeadlineSeconds;
      let earliest = lastSchedule ?? timeOf(cj.metadata.creationTimestamp) ?? now;
      if (typeof deadline === "number") earliest = Math.max(earliest, now - deadline * 1000);
      const scheduled = lastScheduleAtOrBefore(parsed.fields, zone, now);
      if (scheduled !== undefined && scheduled > earliest) {
        if (countSchedules(parsed.fields, zone, earliest, now, TOO_MANY_MISSED + 1) > TOO_MANY_MISSED) {
          plan.events.push({ type: "Warning", reason: "TooManyMissedTimes", message: `too many missed start times: ${TOO_MANY_MISSED + 1}. Set or decrease .spec.startingDeadlineSeconds or check clock skew` });
        }
        const name = jobNameFor(cj, scheduled);
        const tooLate = typeof deadline === "number" && scheduled + deadline * 1000 < now;
        if (tooLate) {
          plan.events.push({ type: "Warning", reason: "MissSchedule", message: `Missed scheduled time to start a job: ${rfc1123z(scheduled)}` });
        } else if (active.some((r) => r.name === name) || jobs.some((j) => j.metadata.name === name)) {
          // Already started (a repeated or late alarm): nothing to do for this time.
        } else if (spec.concurrencyPolicy === "Forbid" && active.length > 0) {
          plan.events.push({ type: "Normal", reason: "JobAlreadyActive", message: "Not starting job because prior execution is running and concurrency policy is Forbid" });
        } else {
          if (spec.concurrencyPolicy === "Replace") {
            for (const ref of active) {
              const j = byUid.get(ref.uid);
              if (j && !plan.remove.includes(j)) plan.remove.push(j);
            }
            active = [];
          }
          plan.start = { name, scheduledTime: scheduled };
          lastSchedule = scheduled;
        }
      }
      const next = nextScheduleAfter(parsed.fields, zone, now);
      // A little past the minute, so the run finds its time already due.
      if (next !== undefined) plan.requeueAfterMs = next - now + 100;
    }
  }

  const status: CronJobStatus = {};
  if (active.length) status.active = active;
  if (lastSchedule !== undefined) status.lastScheduleTime = isoSeconds(lastSchedule);
  if (lastSuccessful !== undefined) status.lastSuccessfulTime = isoSeconds(lastSuccessful);
  plan.status = status;
  // The started Job's reference joins `active` once it exists (the controller adds it).
  plan.statusChanged = !!plan.start || canonicalJson(status) !== canonicalJson(old);
  for (const j of plan.remove) plan.events.push({ type: "Normal", reason: "SuccessfulDelete", message: `Deleted job ${j.metadata.name}` });
  return plan;
}
