// The TTL-after-finished controller: a Job that finished (Complete or Failed) more
// than spec.ttlSecondsAfterFinished ago is deleted with Foreground propagation, so its
// pods go before it. The expiry rides on the manager's queue (requeueAfterMs), and the
// reconcile re-reads the Job: an early, late or repeated run deletes it once at most.
import type { Job } from "../model/types";
import { ApiError } from "../model/errors";
import type { ControllerContext } from "./context";
import { timeOf } from "./pod-state";
import { namesOf, type Controller, type NamespacedName, type Result } from "./controller";

const JOBS = "jobs.batch";

/** When a finished Job expires, or undefined when it is not finished or has no TTL. */
export function jobExpiresAt(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== "number" || job.metadata.deletionTimestamp) return undefined;
  const done = (job.status?.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  if (!done) return undefined;
  const at = timeOf(done.lastTransitionTime) ?? timeOf(job.status?.completionTime);
  return at === undefined ? undefined : at + ttl * 1000;
}

export class JobTTLController implements Controller {
  readonly name = "jobttl";

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(ch: { resource: string; type: string; namespace: string; name: string }): NamespacedName[] {
    return ch.resource === JOBS && ch.type !== "DELETED" ? [{ namespace: ch.namespace, name: ch.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(JOBS)).items);
  }

  async reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    const job = (await this.ctx.store.get(JOBS, namespace, name)) as Job | null;
    if (!job) return;
    const at = jobExpiresAt(job);
    if (at === undefined) return;
    const left = at - this.ctx.now();
    if (left > 0) return { requeueAfterMs: left };
    try {
      await this.ctx.registry.delete(JOBS, namespace, name, { propagationPolicy: "Foreground", preconditions: { uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion } });
    } catch (e) {
      // Gone or changed meanwhile: the change brings the Job back here if it still expires.
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }
}
