// Jobs and CronJobs (k8s.io/kubernetes/pkg/apis/batch/validation): counts, the pod
// template (restartPolicy OnFailure or Never), the generated selector and labels, the
// completion mode, and for CronJobs the schedule, time zone and concurrency policy.
import type { CronJob, Job, JobSpec, LabelSelector, StatusCause } from "./types";
import { GoRepr, child, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { goLabelSelector, goStringMap } from "./go-format";
import { matchesLabels, selectorFromLabelSelector } from "./label-selector";
import { validateAnnotations, validateLabelSelector, validateLabels } from "./validate-meta";
import { jsonEqual, validatePodSpec } from "./validate-pod";
import { knownTimeZone, parseSchedule } from "./cron-schedule";

export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
export const LEGACY_JOB_NAME_LABEL = "job-name";
/** A CronJob's name leaves room for the 11 characters of its Jobs' suffix. */
const MAX_CRONJOB_NAME = 52;

/** validateJobSpec: what a Job and a CronJob's job template share. */
function validateJobSpecCommon(spec: JobSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  errs.push(...nonNegative(spec.parallelism, child(path, "parallelism")));
  errs.push(...nonNegative(spec.completions, child(path, "completions")));
  errs.push(...nonNegative(spec.activeDeadlineSeconds, child(path, "activeDeadlineSeconds")));
  errs.push(...nonNegative(spec.backoffLimit, child(path, "backoffLimit")));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, child(path, "ttlSecondsAfterFinished")));
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null && mode !== "NonIndexed" && mode !== "Indexed") {
    errs.push(notSupported(child(path, "completionMode"), mode, ["NonIndexed", "Indexed"]));
  }
  if (mode === "Indexed" && (spec.completions === undefined || spec.completions === null)) {
    errs.push(required(child(path, "completions"), "when completion mode is Indexed"));
  }
  const template = spec.template;
  const tpath = child(path, "template");
  if (!template) return [...errs, required(tpath)];
  errs.push(...validateLabels(template.metadata?.labels, child(tpath, "metadata", "labels")));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(tpath, "metadata", "annotations")));
  errs.push(...validatePodSpec(template.spec, child(tpath, "spec")));
  const rp = template.spec?.restartPolicy;
  if (rp !== "OnFailure" && rp !== "Never") {
    errs.push(notSupported(child(tpath, "spec", "restartPolicy"), rp ?? "", ["OnFailure", "Never"]));
  }
  return errs;
}

/** ValidateGeneratedSelector: a generated selector must be the one the server made. */
function validateGeneratedSelector(job: Job): StatusCause[] {
  if (job.spec?.manualSelector === true || !job.spec?.selector) return [];
  const errs: StatusCause[] = [];
  const labels = job.spec.template?.metadata?.labels ?? {};
  const lpath = "spec.template.metadata.labels";
  const expect: [string, string][] = [
    [LEGACY_CONTROLLER_UID_LABEL, job.metadata.uid ?? ""],
    [LEGACY_JOB_NAME_LABEL, job.metadata.name ?? ""],
  ];
  for (const [key, value] of expect) {
    if (!(key in labels)) errs.push(required(`${lpath}[${key}]`));
    else if (labels[key] !== value) errs.push(invalidField(`${lpath}[${key}]`, labels[key], `must be '${value}'`));
  }
  try {
    const sel = selectorFromLabelSelector(job.spec.selector);
    const generated = { [CONTROLLER_UID_LABEL]: job.metadata.uid ?? "", [LEGACY_CONTROLLER_UID_LABEL]: job.metadata.uid ?? "", [LEGACY_JOB_NAME_LABEL]: job.metadata.name ?? "" };
    if (!matchesLabels(sel, generated)) errs.push(invalidField("spec.selector", new GoRepr(goLabelSelector(job.spec.selector)), "`selector` not auto-generated"));
  } catch {
    // Reported by the selector's own validation.
  }
  return errs;
}

function validateSelectorMatchesTemplate(selector: LabelSelector | undefined, labels: Record<string, string> | undefined, path: string): StatusCause[] {
  if (!selector) return [required(child(path, "selector"))];
  const errs = validateLabelSelector(selector, child(path, "selector"));
  try {
    const reqs = selectorFromLabelSelector(selector);
    if (!matchesLabels(reqs, labels ?? {})) {
      errs.push(invalidField(child(path, "template", "metadata", "labels"), new GoRepr(goStringMap(labels)), "`selector` does not match template `labels`"));
    }
  } catch {
    // An unparseable selector is reported above.
  }
  return errs;
}

function immutable(next: unknown, old: unknown, path: string, repr: GoRepr | number | string | null): StatusCause[] {
  return jsonEqual(next ?? null, old ?? null) ? [] : [invalidField(path, repr, "field is immutable")];
}

export function validateJob(job: Job, old?: Job): StatusCause[] {
  const spec = job.spec ?? ({} as JobSpec);
  const errs = [...validateGeneratedSelector(job), ...validateJobSpecCommon(spec, "spec")];
  errs.push(...validateSelectorMatchesTemplate(spec.selector, spec.template?.metadata?.labels, "spec"));
  if (old) {
    const o = old.spec ?? ({} as JobSpec);
    errs.push(...immutable(spec.completions, o.completions, "spec.completions", spec.completions ?? null));
    errs.push(...immutable(spec.selector, o.selector, "spec.selector", spec.selector ? new GoRepr(goLabelSelector(spec.selector)) : null));
    errs.push(...immutable(spec.template, o.template, "spec.template", new GoRepr("core.PodTemplateSpec{...}")));
    errs.push(...immutable(spec.completionMode, o.completionMode, "spec.completionMode", spec.completionMode ?? null));
  }
  return errs;
}

/** validateTimeZone. */
function validateTimeZone(zone: string | undefined | null, path: string): StatusCause[] {
  if (zone === undefined || zone === null) return [];
  if (zone === "") return [invalidField(path, zone, "timeZone must be nil or non-empty string")];
  if (zone.toLowerCase() === "local") return [invalidField(path, zone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")];
  const badPart = zone.split("/").some((p) => p === "." || p === ".." || p.startsWith("-") || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(p));
  if (badPart || !knownTimeZone(zone)) return [invalidField(path, zone, `unknown time zone ${zone}`)];
  return [];
}

function validateSchedule(schedule: string | undefined, oldSchedule: string | undefined, path: string): StatusCause[] {
  if (!schedule) return [required(path)];
  const errs: StatusCause[] = [];
  // TZ= and CRON_TZ= prefixes are refused on create; an old object that had one keeps it.
  const tzAllowed = !!oldSchedule?.includes("TZ");
  const spec = tzAllowed ? schedule.replace(/^(CRON_)?TZ=\S+\s+/, "") : schedule;
  if (!/^(CRON_)?TZ=/.test(spec)) {
    const parsed = parseSchedule(spec);
    if (!parsed.ok) errs.push(invalidField(path, schedule, parsed.error));
  }
  if (!tzAllowed && schedule.includes("TZ")) errs.push(invalidField(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  return errs;
}

export function validateCronJob(cj: CronJob, old?: CronJob): StatusCause[] {
  const spec = cj.spec ?? ({} as CronJob["spec"]);
  const errs: StatusCause[] = [];
  const name = cj.metadata?.name ?? "";
  if (name.length > MAX_CRONJOB_NAME) errs.push(invalidField("metadata.name", name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  errs.push(...validateSchedule(spec.schedule, old?.spec?.schedule, "spec.schedule"));
  if (spec.timeZone !== undefined && spec.timeZone !== null && spec.schedule?.includes("TZ")) {
    errs.push(invalidField("spec.schedule", spec.schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  }
  errs.push(...validateTimeZone(spec.timeZone, "spec.timeZone"));
  errs.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  const policy = spec.concurrencyPolicy;
  if ((policy as string) === "") errs.push(required("spec.concurrencyPolicy"));
  else if (policy !== undefined && policy !== "Allow" && policy !== "Forbid" && policy !== "Replace") {
    errs.push(notSupported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]));
  }
  const tpl = spec.jobTemplate;
  if (!tpl?.spec) return [...errs, required("spec.jobTemplate.spec.template")];
  errs.push(...validateLabels(tpl.metadata?.labels, "spec.jobTemplate.metadata.labels"));
  errs.push(...validateAnnotations(tpl.metadata?.annotations, "spec.jobTemplate.metadata.annotations"));
  errs.push(...validateJobSpecCommon(tpl.spec, "spec.jobTemplate.spec"));
  if (tpl.spec.selector) errs.push(invalidField("spec.jobTemplate.spec.selector", new GoRepr(goLabelSelector(tpl.spec.selector)), "`selector` will be auto-generated"));
  if (tpl.spec.manualSelector === true) errs.push(notSupported("spec.jobTemplate.spec.manualSelector", new GoRepr("true"), ["nil", "false"]));
  return errs;
}
