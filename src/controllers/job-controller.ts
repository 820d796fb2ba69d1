// The Job controller: reads a Job and its pods, plans with planJob, and writes pods,
// finalizer removals, status and events. The status that counts finished pods and the
// removal of their tracking finalizers are one atomic group, so a pod is counted once
// whatever happens between syncs. Pods whose Job is gone lose the finalizer here too.
import type { Job, Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { shouldDeleteDuringUpdate } from "../registry/deletion";
import type { ControllerContext } from "./context";
import { COMPLETION_INDEX, TRACKING_FINALIZER, planJob, type JobPlan } from "./job-plan";
import { controllerRef } from "./pod-state";
import { podFromTemplate } from "./pod-from-template";
import { deletionOps } from "./gc-plan";
import { eventOp } from "./events";
import { commitChunked } from "./commit";
import { finalizeOwner } from "./garbage-collector";
import { GC_KEY, workKey } from "./keys";
import { KeyedMutex } from "./mutex";
import { namespaceActive } from "./namespace-active";
import type { ControllerKey } from "../controlplane/stubs";
import { controllerOf, namesOf, type Controller, type NamespacedName, type Result } from "./controller";

const JOBS = "jobs.batch";
/** Counted pods per sync: their group (status and finalizer removals) stays one batch. */
const MAX_UNTRACK = 150;

/** The write that drops the tracking finalizer (a delete when that was all that held a deleted pod). */
export function untrackOp(pod: Pod): WriteOp {
  const next = structuredClone(pod);
  const left = (pod.metadata.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
  if (left.length) next.metadata.finalizers = left;
  else delete next.metadata.finalizers;
  const expectedRv = Number(pod.metadata.resourceVersion);
  if (shouldDeleteDuringUpdate("pods", next, pod)) return { op: "delete", resource: "pods", object: pod, expectedRv };
  return { op: "update", resource: "pods", object: next, expectedRv };
}

export class JobController implements Controller {
  readonly name = "job";
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The Job itself, and the one a pod names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === JOBS) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === "pods" ? controllerOf(ch) : undefined;
    return ref?.kind === "Job" && ref.apiVersion === "batch/v1" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(JOBS)).items);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const job = (await ctx.store.get(JOBS, namespace, name)) as Job | null;
    if (!job) {
      await this.releaseOrphans(namespace, name);
      ctx.enqueue(GC_KEY);
      return;
    }
    const pods = (await ctx.store.list("pods", { namespace, ownerUid: job.metadata.uid })).items as Pod[];
    if (job.metadata.deletionTimestamp) {
      // Going away: nothing is counted any more; its pods must not be held by us.
      await commitChunked(ctx, pods.filter((p) => p.metadata.finalizers?.includes(TRACKING_FINALIZER)).map(untrackOp));
      await finalizeOwner(ctx, JOBS, job, workKey("job", namespace, name));
      return;
    }
    const now = ctx.now();
    const plan = planJob({ job, pods, now, backoff: { baseMs: ctx.config.jobBackoffBaseMs, maxMs: ctx.config.jobBackoffMaxMs } });
    const more = plan.untrack.length > MAX_UNTRACK;
    if (more) {
      // Count a bounded share now (its status and finalizers in one group), the rest next time.
      const share = plan.untrack.slice(0, MAX_UNTRACK);
      const again = planJob({ job, pods: pods.filter((p) => !plan.untrack.includes(p) || share.includes(p)), now, backoff: { baseMs: ctx.config.jobBackoffBaseMs, maxMs: ctx.config.jobBackoffMaxMs } });
      await this.apply(job, { ...again, create: [], remove: [] }, now);
      return { requeueAfterMs: 0 };
    }
    await this.apply(job, plan, now);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  /** Pods whose controller is a Job of this name that no longer exists: drop the finalizer. */
  private async releaseOrphans(namespace: string, name: string): Promise<void> {
    const { items } = await this.ctx.store.list("pods", {
      namespace,
      filter: (p) => {
        const ref = controllerRef(p);
        return ref?.kind === "Job" && ref.name === name && !!p.metadata.finalizers?.includes(TRACKING_FINALIZER);
      },
    });
    await commitChunked(this.ctx, (items as Pod[]).map(untrackOp));
  }

  private async apply(job: Job, plan: JobPlan, now: number): Promise<void> {
    const { ctx } = this;
    const namespace = job.metadata.namespace ?? "";
    const quiet = ctx.terminating.has(namespace);
    // The status, the finalizers of the pods it counts and the events it explains: one group.
    const first: WriteOp[] = plan.untrack.map(untrackOp);
    if (plan.statusChanged) first.push({ op: "update", resource: JOBS, subresource: "status", object: { ...job, status: plan.status }, old: job, expectedRv: Number(job.metadata.resourceVersion) });
    if (!quiet) for (const e of plan.events) first.push(eventOp(job, e.type, e.reason, e.message, "job-controller", now));

    const groups: WriteOp[][] = [];
    if (plan.create.length > 0 && (await namespaceActive(ctx, namespace))) {
      const taken = new Set<string>();
      for (const c of plan.create) {
        const pod = this.newPod(job, c.index, taken);
        groups.push([{ op: "create", resource: "pods", object: pod }, eventOp(job, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, "job-controller", now)]);
      }
    }
    for (const pod of plan.remove) {
      const ops = deletionOps("pods", pod, undefined, now);
      if (ops.length === 0) continue;
      if (!ctx.terminating.has(namespace)) ops.push(eventOp(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, "job-controller", now));
      groups.push(ops);
    }
    // Status first: a pod created before its Job's status moved would be counted as active twice.
    await commitChunked(ctx, [first, ...groups].filter((g) => g.length > 0));
  }

  /** The pod template made into a pod (with its completion index for Indexed Jobs), tracked by the Job's finalizer. */
  private newPod(job: Job, index: number | undefined, taken: Set<string>): Pod {
    const t = job.spec.template;
    const name = job.metadata.name ?? "";
    if (index === undefined) return podFromTemplate(this.ctx, job, t, taken, { finalizers: [TRACKING_FINALIZER] });
    const spec = structuredClone(t.spec);
    const env = { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), structuredClone(env)];
    }
    if (!spec.hostname) spec.hostname = `${name}-${index}`;
    const mark = { [COMPLETION_INDEX]: String(index) };
    return podFromTemplate(this.ctx, job, t, taken, { prefix: `${name}-${index}-`, labels: mark, annotations: mark, finalizers: [TRACKING_FINALIZER], spec });
  }
}
