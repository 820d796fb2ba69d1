// The Deployment controller: reads a Deployment and the ReplicaSets of its namespace,
// plans with planDeployment, and commits ReplicaSet creates/updates/deletes, the
// deployment's status and its events in one batch.
import type { Deployment, Pod, ReplicaSet } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { planDeployment } from "./deployment-plan";
import { controllerRef } from "./pod-state";
import { deletionOps } from "./gc-plan";
import { eventOp } from "./events";
import { finalizeOwner } from "./garbage-collector";
import { GC_KEY, workKey } from "./keys";
import { KeyedMutex } from "./mutex";
import type { ControllerKey } from "../controlplane/stubs";
import { controllerOf, namesOf, type Controller, type NamespacedName, type Result } from "./controller";

const DEPLOY = "deployments.apps";
const RS = "replicasets.apps";

export class DeploymentController implements Controller {
  readonly name = "deploy";
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The Deployment itself, and the one a ReplicaSet names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === DEPLOY) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === RS ? controllerOf(ch) : undefined;
    return ref?.kind === "Deployment" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(DEPLOY)).items);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const self = workKey("deploy", namespace, name);
    const d = (await ctx.store.get(DEPLOY, namespace, name)) as Deployment | null;
    if (!d) {
      ctx.enqueue(GC_KEY);
      return;
    }
    if (d.metadata.deletionTimestamp) {
      await finalizeOwner(ctx, DEPLOY, d, self);
      return;
    }
    const { items } = await ctx.store.list(RS, { namespace });
    const replicaSets = items as ReplicaSet[];
    const podsByReplicaSet = d.spec.strategy?.type === "Recreate" ? await this.podsOf(d, replicaSets) : undefined;
    const now = ctx.now();
    const plan = planDeployment({ deployment: d, replicaSets, podsByReplicaSet, now });

    // Nothing new is made in a namespace that is going away.
    if (plan.create.length && !(await this.namespaceActive(namespace))) return;

    const ops: WriteOp[] = [];
    for (const rs of plan.create) ops.push({ op: "create", resource: RS, object: rs });
    // Each update carries the ReplicaSet as read, so the registry's strategy can keep
    // its status and move its generation without reading it again.
    const read = new Map(replicaSets.map((rs) => [rs.metadata.name, rs]));
    for (const rs of plan.update) ops.push({ op: "update", resource: RS, object: rs, old: read.get(rs.metadata.name), expectedRv: Number(rs.metadata.resourceVersion) });
    for (const rs of plan.remove) ops.push(...deletionOps(RS, rs, undefined, now));
    // Annotations and status: what the status subresource lets a writer change.
    if (plan.deployment) ops.push({ op: "update", resource: DEPLOY, subresource: "status", object: plan.deployment, old: d, expectedRv: Number(d.metadata.resourceVersion) });
    if (!ctx.terminating.has(namespace)) {
      for (const e of plan.events) ops.push(eventOp(d, e.type, e.reason, e.message, "deployment-controller", now));
    }
    if (ops.length) await ctx.registry.commit(ops);
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  /** Recreate waits for the old pods to be gone, terminating ones included. */
  private async podsOf(d: Deployment, replicaSets: ReplicaSet[]): Promise<Map<string, Pod[]>> {
    const out = new Map<string, Pod[]>();
    for (const rs of replicaSets) {
      if (controllerRef(rs)?.uid !== d.metadata.uid) continue;
      const { items } = await this.ctx.store.list("pods", { namespace: d.metadata.namespace, ownerUid: rs.metadata.uid });
      out.set(rs.metadata.uid ?? "", items as Pod[]);
    }
    return out;
  }

  private async namespaceActive(namespace: string): Promise<boolean> {
    if (this.ctx.terminating.has(namespace)) return false;
    const ns = await this.ctx.store.get("namespaces", "", namespace);
    return !!ns && !ns.metadata.deletionTimestamp;
  }
}
