// The CronJob controller: reads a CronJob and the Jobs it owns, plans with
// planCronJob, and writes the new Job, the status that records it and the event in one
// batch (so a run is never started twice for the same time, however often the alarm
// fires). The next scheduled time comes back as requeueAfterMs: the controller
// manager's persistent queue holds it on the Durable Object's alarm, no polling.
import type { CronJob, Job } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { rfc3339InZone } from "../model/cron-schedule";
import type { ControllerContext } from "./context";
import { planCronJob, jobRef, type CronJobPlan } from "./cronjob-plan";
import { newControllerRef } from "./pod-state";
import { deletionOps } from "./gc-plan";
import { eventOp } from "./events";
import { commitChunked } from "./commit";
import { finalizeOwner } from "./garbage-collector";
import { GC_KEY, workKey } from "./keys";
import { KeyedMutex } from "./mutex";
import { namespaceActive } from "./namespace-active";
import type { ControllerKey } from "../controlplane/stubs";
import { controllerOf, namesOf, type Controller, type NamespacedName, type Result } from "./controller";

const CRONJOBS = "cronjobs.batch";
const JOBS = "jobs.batch";
export const SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";

export class CronJobController implements Controller {
  readonly name = "cronjob";
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The CronJob itself, and the one a Job names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === CRONJOBS) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === JOBS ? controllerOf(ch) : undefined;
    return ref?.kind === "CronJob" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(CRONJOBS)).items);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const cj = (await ctx.store.get(CRONJOBS, namespace, name)) as CronJob | null;
    if (!cj) {
      ctx.enqueue(GC_KEY);
      return;
    }
    if (cj.metadata.deletionTimestamp) {
      await finalizeOwner(ctx, CRONJOBS, cj, workKey("cronjob", namespace, name));
      return;
    }
    const jobs = (await ctx.store.list(JOBS, { namespace, ownerUid: cj.metadata.uid })).items as Job[];
    const now = ctx.now();
    const plan = planCronJob({ cj, jobs, now });
    await this.apply(cj, plan, now);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  private async apply(cj: CronJob, plan: CronJobPlan, now: number): Promise<void> {
    const { ctx } = this;
    const namespace = cj.metadata.namespace ?? "";
    const quiet = ctx.terminating.has(namespace);
    const first: WriteOp[] = [];
    const status = structuredClone(plan.status);
    if (plan.start && (await namespaceActive(ctx, namespace))) {
      const existing = await ctx.store.get(JOBS, namespace, plan.start.name);
      if (!existing) {
        const job = this.newJob(cj, plan.start.name, plan.start.scheduledTime);
        ctx.registry.prepareCreate(JOBS, job);
        first.push({ op: "create", resource: JOBS, object: job });
        // The reference carries no resourceVersion yet: the store assigns it in this batch.
        const ref = jobRef(job);
        delete ref.resourceVersion;
        status.active = [...(status.active ?? []), ref];
        if (!quiet) first.push(eventOp(cj, "Normal", "SuccessfulCreate", `Created job ${job.metadata.name}`, "cronjob-controller", now));
      }
    }
    if (plan.statusChanged) first.push({ op: "update", resource: CRONJOBS, subresource: "status", object: { ...cj, status }, old: cj, expectedRv: Number(cj.metadata.resourceVersion) });
    if (!quiet) for (const e of plan.events) first.push(eventOp(cj, e.type, e.reason, e.message, "cronjob-controller", now));
    const groups: WriteOp[][] = [first];
    for (const job of plan.remove) groups.push(deletionOps(JOBS, job, "Background", now));
    await commitChunked(ctx, groups.filter((g) => g.length > 0));
  }

  /** getJobFromTemplate2: the job template, named for its scheduled time, owned by the CronJob. */
  private newJob(cj: CronJob, name: string, scheduledTime: number): Job {
    const t = cj.spec.jobTemplate;
    return {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}) },
        annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduledTime, cj.spec.timeZone) },
        ownerReferences: [newControllerRef(cj)],
      },
      spec: structuredClone(t.spec),
    };
  }
}
