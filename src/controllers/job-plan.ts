// The Job reconciler as a pure function (upstream job_controller.go syncJob,
// manageJob, trackJobStatusAndRemoveFinalizers): from the Job and its pods, which pods
// to create and delete, which finished pods to count (their tracking finalizer goes in
// the same batch as the status that counts them, so none is counted twice or lost),
// the status and conditions, the events, and when to look again (back-off, deadline).
import type { Condition, Job, JobStatus, Pod } from "../model/types";
import { isoSeconds } from "../config";
import { isPodActive, isPodReady, timeOf } from "./pod-state";
import { canonicalJson } from "./hash";

export const TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

export const BACKOFF_LIMIT_EXCEEDED = { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
export const DEADLINE_EXCEEDED = { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
export const COMPLETIONS_REACHED = { reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };

export interface JobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface JobObservation {
  job: Job;
  /** Pods carrying this Job's controller reference, in any state. */
  pods: Pod[];
  now: number;
  backoff: { baseMs: number; maxMs: number };
}

export interface JobPlan {
  /** New pods: one entry each, with its completion index for Indexed Jobs. */
  create: { index?: number }[];
  /** Active pods to delete. */
  remove: Pod[];
  /** Finished (or deleted) pods whose tracking finalizer goes: counted by `status`. */
  untrack: Pod[];
  status: JobStatus;
  statusChanged: boolean;
  events: JobEvent[];
  requeueAfterMs?: number;
}

const isTrue = (conds: Condition[], type: string) => conds.some((c) => c.type === type && c.status === "True");

export function jobFinished(job: Job): boolean {
  const conds = job.status?.conditions ?? [];
  return isTrue(conds, "Complete") || isTrue(conds, "Failed");
}

const tracked = (p: Pod) => (p.metadata.finalizers ?? []).includes(TRACKING_FINALIZER);
const succeededPod = (p: Pod) => p.status?.phase === "Succeeded";
/** isPodFailed: Failed, or deleted before it succeeded (an orphan never reaches Failed). */
const failedPod = (p: Pod) => p.status?.phase === "Failed" || (!!p.metadata.deletionTimestamp && !succeededPod(p));

/** The completion index a pod carries, or undefined when it has none or a bad one. */
export function podIndex(p: Pod, completions: number): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** "1,3-5,7" <-> sorted indexes (status.completedIndexes). */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    if (!part) continue;
    const [a, b] = part.split("-").map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** When a finished pod finished: its last container's end, else its deletion or creation. */
function finishTime(p: Pod): number {
  let t: number | undefined;
  for (const s of p.status?.containerStatuses ?? []) {
    const f = timeOf(s.state?.terminated?.finishedAt);
    if (f !== undefined) t = Math.max(t ?? 0, f);
  }
  return t ?? timeOf(p.metadata.deletionTimestamp) ?? timeOf(p.metadata.creationTimestamp) ?? 0;
}

/** How long new pods must still wait after the failures since the last success. */
function backoffRemaining(pods: Pod[], obs: JobObservation): number {
  const finished = pods.filter((p) => succeededPod(p) || failedPod(p)).map((p) => ({ at: finishTime(p), failed: !succeededPod(p) }));
  finished.sort((a, b) => a.at - b.at);
  let failures = 0;
  let last = 0;
  for (const f of finished) {
    if (f.failed) {
      failures++;
      last = f.at;
    } else failures = 0;
  }
  if (failures === 0) return 0;
  const delay = Math.min(obs.backoff.baseMs * 2 ** (failures - 1), obs.backoff.maxMs);
  return Math.max(0, last + delay - obs.now);
}

/** pastBackoffLimitOnFailure: with OnFailure, restarts of the active pods count as failures. */
function pastBackoffLimitOnFailure(job: Job, active: Pod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== "OnFailure") return false;
  let restarts = 0;
  for (const p of active) {
    for (const s of [...(p.status?.containerStatuses ?? []), ...((p.status?.initContainerStatuses as { restartCount?: number }[] | undefined) ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function setCondition(conds: Condition[], type: string, status: "True" | "False", why: { reason: string; message: string }, now: number): Condition[] {
  const at = isoSeconds(now);
  const old = conds.find((c) => c.type === type);
  const next: Condition = { type, status, lastProbeTime: at, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : at, reason: why.reason, message: why.message };
  return old ? conds.map((c) => (c === old ? next : c)) : [...conds, next];
}

/** Active pods to give up first: not ready before ready, newest before oldest. */
function worstFirst(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || (timeOf(b.metadata.creationTimestamp) ?? 0) - (timeOf(a.metadata.creationTimestamp) ?? 0));
}

export function planJob(obs: JobObservation): JobPlan {
  const { job, now } = obs;
  const spec = job.spec;
  const old = job.status ?? {};
  const plan: JobPlan = { create: [], remove: [], untrack: [], status: old, statusChanged: false, events: [] };
  const pods = obs.pods;

  if (jobFinished(job)) {
    // Done: no counting any more, only letting go of what is left.
    plan.untrack = pods.filter(tracked);
    plan.remove = pods.filter(isPodActive);
    return plan;
  }

  const indexed = spec.completionMode === "Indexed";
  const completions = spec.completions ?? null;
  const parallelism = spec.parallelism ?? 1;

  // Count what finished since the last sync: exactly the finished pods still tracked.
  const newlyDone = pods.filter((p) => tracked(p) && (succeededPod(p) || failedPod(p)));
  plan.untrack = newlyDone;
  const newSucceeded = newlyDone.filter(succeededPod);
  const newFailed = newlyDone.filter((p) => !succeededPod(p));
  let completedIndexes: Set<number> | undefined;
  let succeeded = (old.succeeded ?? 0) + newSucceeded.length;
  if (indexed) {
    completedIndexes = parseIndexes(old.completedIndexes);
    for (const p of newSucceeded) {
      const i = podIndex(p, completions ?? 0);
      if (i !== undefined) completedIndexes.add(i);
    }
    succeeded = completedIndexes.size;
  }
  const failed = (old.failed ?? 0) + newFailed.length;

  let active = pods.filter(isPodActive);
  let conditions = [...(old.conditions ?? [])];
  let startTime = old.startTime;
  let completionTime = old.completionTime;
  const suspended = spec.suspend === true;

  // Suspension: no pods; resuming starts the clock again.
  if (suspended && !isTrue(conditions, "Suspended")) {
    conditions = setCondition(conditions, "Suspended", "True", { reason: "JobSuspended", message: "Job suspended" }, now);
    plan.events.push({ type: "Normal", reason: "Suspended", message: "Job suspended" });
  } else if (!suspended && isTrue(conditions, "Suspended")) {
    conditions = setCondition(conditions, "Suspended", "False", { reason: "JobResumed", message: "Job resumed" }, now);
    plan.events.push({ type: "Normal", reason: "Resumed", message: "Job resumed" });
    startTime = isoSeconds(now);
  }
  // Suspending resets startTime (and with it the active deadline's clock).
  if (suspended) startTime = undefined;
  else if (!startTime) startTime = isoSeconds(now);

  // Has it come to an end? First the interim condition (FailureTarget, SuccessCriteriaMet).
  let requeue: number | undefined;
  const ending = conditions.find((c) => (c.type === "FailureTarget" || c.type === "SuccessCriteriaMet") && c.status === "True");
  let ended = ending;
  if (!ended) {
    const start = timeOf(startTime);
    const ads = spec.activeDeadlineSeconds;
    let failure: { reason: string; message: string } | undefined;
    if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, active)) failure = BACKOFF_LIMIT_EXCEEDED;
    else if (!suspended && typeof ads === "number" && start !== undefined) {
      const left = start + ads * 1000 - now;
      if (left <= 0) failure = DEADLINE_EXCEEDED;
      else requeue = left;
    }
    const complete = completions === null ? succeeded > 0 && active.length === 0 : succeeded >= completions && active.length === 0;
    if (failure) {
      conditions = setCondition(conditions, "FailureTarget", "True", failure, now);
      ended = conditions.at(-1);
    } else if (complete) {
      conditions = setCondition(conditions, "SuccessCriteriaMet", "True", COMPLETIONS_REACHED, now);
      ended = conditions.at(-1);
    }
  }

  if (ended) {
    // Ending: the pods still running go; the final condition waits until none is left.
    plan.remove = active;
    active = [];
    requeue = undefined;
    const terminating = pods.some((p) => p.metadata.deletionTimestamp && !succeededPod(p) && p.status?.phase !== "Failed");
    if (plan.remove.length === 0 && !terminating) {
      const why = { reason: ended.reason ?? "", message: ended.message ?? "" };
      if (ended.type === "FailureTarget") {
        conditions = setCondition(conditions, "Failed", "True", why, now);
        plan.events.push({ type: "Warning", reason: why.reason, message: why.message });
      } else {
        conditions = setCondition(conditions, "Complete", "True", why, now);
        completionTime = isoSeconds(now);
        plan.events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
      }
    }
  } else if (suspended) {
    plan.remove = active;
    active = [];
  } else {
    if (indexed) manageIndexed(plan, active, completedIndexes!, completions ?? 0, parallelism);
    else {
      // Without completions, the first success means no new pods; the others finish on their own.
      const want = completions === null ? (succeeded > 0 ? active.length : parallelism) : Math.min(parallelism, Math.max(0, completions - succeeded));
      if (active.length > want) plan.remove = worstFirst(active).slice(0, active.length - want);
      else plan.create = Array.from({ length: want - active.length }, () => ({}));
    }
    // After failures, replacements wait out the back-off.
    const wait = plan.create.length ? backoffRemaining(pods, obs) : 0;
    if (wait > 0) {
      plan.create = [];
      requeue = requeue === undefined ? wait : Math.min(requeue, wait);
    }
  }

  const removed = new Set(plan.remove);
  const stillActive = active.filter((p) => !removed.has(p));
  const status: JobStatus = {};
  if (conditions.length) status.conditions = conditions;
  if (startTime) status.startTime = startTime;
  if (completionTime) status.completionTime = completionTime;
  const activeCount = stillActive.length + plan.create.length;
  if (activeCount) status.active = activeCount;
  if (succeeded) status.succeeded = succeeded;
  if (failed) status.failed = failed;
  status.terminating = pods.filter((p) => p.metadata.deletionTimestamp && !succeededPod(p) && p.status?.phase !== "Failed").length + plan.remove.length;
  status.ready = stillActive.filter(isPodReady).length;
  if (completedIndexes?.size) status.completedIndexes = formatIndexes(completedIndexes);
  status.uncountedTerminatedPods = {};
  if (isTrue(conditions, "Complete") || isTrue(conditions, "Failed")) {
    status.terminating = 0;
    delete status.active;
  }
  plan.status = status;
  plan.statusChanged = canonicalJson(status) !== canonicalJson(old);
  if (requeue !== undefined) plan.requeueAfterMs = requeue + 100;
  return plan;
}

/** Indexed Jobs: one active pod per index not yet completed, lowest first, parallelism at a time. */
function manageIndexed(plan: JobPlan, active: Pod[], completed: Set<number>, completions: number, parallelism: number): void {
  const seen = new Set<number>();
  const keep: Pod[] = [];
  for (const p of [...active].sort((a, b) => (timeOf(a.metadata.creationTimestamp) ?? 0) - (timeOf(b.metadata.creationTimestamp) ?? 0))) {
    const i = podIndex(p, completions);
    // A pod without a valid index, a second pod of an index, or one whose index is done goes.
    if (i === undefined || seen.has(i) || completed.has(i)) plan.remove.push(p);
    else {
      seen.add(i);
      keep.push(p);
    }
  }
  if (keep.length > parallelism) plan.remove.push(...worstFirst(keep).slice(0, keep.length - parallelism));
  let room = parallelism - keep.length;
  for (let i = 0; i < completions && room > 0; i++) {
    if (completed.has(i) || seen.has(i)) continue;
    plan.create.push({ index: i });
    room--;
  }
}
