// Job and CronJob columns as printJob and printCronJob print them (kubectl 1.32).
import type { CronJob, Job, KubeObject } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge, formatLabelSelector, humanDuration, parseTime } from "./common";
import type { Printer } from "./types";

const SELECTOR_COLUMN = col("Selector", "string", "A label query over pods that should match the pod count. Normally, the system sets this field for you.", { priority: 1 });

const JOB_COLUMNS = [
  NAME_COLUMN,
  col("Status", "string", "Status of the job."),
  col("Completions", "string", "The number of pods which reached phase Succeeded."),
  col("Duration", "string", "Time required to complete the job."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SELECTOR_COLUMN,
] as const;

const hasCondition = (job: Job, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");

/** The STATUS cell: the first of these that holds. */
export function jobStatusCell(job: Job): string {
  if (hasCondition(job, "Complete")) return "Complete";
  if (hasCondition(job, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (hasCondition(job, "Suspended")) return "Suspended";
  if (hasCondition(job, "FailureTarget")) return "FailureTarget";
  if (hasCondition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

function completionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const completions = job.spec?.completions;
  if (typeof completions === "number") return `${succeeded}/${completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationCell(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return "";
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

export const jobPrinter: Printer = {
  columns: JOB_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const job = obj as Job;
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [job.metadata.name ?? "", jobStatusCell(job), completionsCell(job), durationCell(job, now), formatAge(job.metadata.creationTimestamp, now), names, images, formatLabelSelector(job.spec?.selector)];
  },
};

const CRONJOB_COLUMNS = [
  NAME_COLUMN,
  col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
  col("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
  col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
  col("Active", "integer", "A list of pointers to currently running jobs."),
  col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SELECTOR_COLUMN,
] as const;

/** printBoolPtr. */
const boolCell = (b: boolean | undefined) => (b === undefined ? "<unset>" : b ? "True" : "False");

export const cronJobPrinter: Printer = {
  columns: CRONJOB_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const cj = obj as CronJob;
    const [names, images] = containerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime ? formatAge(cj.status.lastScheduleTime, now) : "<none>";
    return [
      cj.metadata.name ?? "",
      cj.spec?.schedule ?? "",
      cj.spec?.timeZone ?? "<none>",
      boolCell(cj.spec?.suspend),
      cj.status?.active?.length ?? 0,
      last,
      formatAge(cj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
    ];
  },
};
