// The ReplicaSet controller: reads a ReplicaSet and its pods, plans with
// planReplicaSet, and writes pods, events and status in batches. Runs one key at a
// time (the work queue guarantees it) and re-lists before acting, so reconciling twice
// never creates more than spec.replicas pods. One instance runs per kind it keeps
// (ReplicaSets, and ReplicationControllers as upstream's replication manager does).
import type { Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { equalityPushdown, matchesLabels } from "../model/selectors";
import type { ControllerContext } from "./context";
import { planReplicaSet, replicatedSelector, type ReplicaSetPlan, type Replicated } from "./replicaset-plan";
import { controllerRef } from "./pod-state";
import { podFromTemplate } from "./pod-from-template";
import { deletionOps } from "./gc-plan";
import { eventOp } from "./events";
import { commitAdmitted } from "./commit";
import { finalizeOwner } from "./garbage-collector";
import { GC_KEY, workKey, type WorkKind } from "./keys";
import { NamespaceIndex } from "./namespace-index";
import { KeyedMutex } from "./mutex";
import { namespaceActive } from "./namespace-active";
import type { ControllerKey } from "../controlplane/stubs";
import { controllerOf, namesOf, type Controller, type NamespacedName, type Result } from "./controller";

/** Orphan pods are looked for this often per ReplicaSet (and whenever one is seen). */
const ORPHAN_SCAN_MS = 60_000;

/** A kind this controller keeps: where it is stored, its work keys, its events' source. */
export interface ReplicatedKind {
  resource: string;
  kind: Replicated["kind"];
  workKind: WorkKind;
  component: "replicaset-controller" | "replication-controller";
}

export const REPLICA_SETS: ReplicatedKind = { resource: "replicasets.apps", kind: "ReplicaSet", workKind: "rs", component: "replicaset-controller" };
export const REPLICATION_CONTROLLERS: ReplicatedKind = { resource: "replicationcontrollers", kind: "ReplicationController", workKind: "rc", component: "replication-controller" };

export class ReplicaSetController implements Controller {
  readonly name: WorkKind;
  private readonly orphanScanAt = new Map<string, number>();
  private readonly mutex = new KeyedMutex();
  /** Which namespaces hold one of these (so may adopt an orphan pod): kept by this controller's reconciles. */
  readonly index = new NamespaceIndex(async () => (await this.ctx.store.list(this.of.resource)).items);

  constructor(
    private readonly ctx: ControllerContext,
    private readonly of: ReplicatedKind = REPLICA_SETS,
  ) {
    this.name = of.workKind;
  }

  /** The object itself, and the one a pod names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === this.of.resource) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === "pods" ? controllerOf(ch) : undefined;
    return ref?.kind === this.of.kind ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    this.index.forget();
    return namesOf((await this.ctx.store.list(this.of.resource)).items);
  }

  /** A pod without a controller was seen: this ReplicaSet should look for orphans now. */
  wantOrphanScan(namespace: string, name: string): void {
    this.orphanScanAt.delete(`${namespace}/${name}`);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const self = workKey(this.of.workKind, namespace, name);
    const rs = (await ctx.store.get(this.of.resource, namespace, name)) as Replicated | null;
    this.index.observe(namespace, name, rs !== null);
    if (!rs) {
      // Gone: its pods are garbage now (unless adopted elsewhere).
      this.orphanScanAt.delete(`${namespace}/${name}`);
      ctx.enqueue(GC_KEY);
      return;
    }
    if (rs.metadata.deletionTimestamp) {
      // Being deleted: no new pods; the garbage collector's finalizers decide the rest.
      await finalizeOwner(ctx, this.of.resource, rs, self);
      return;
    }

    const now = ctx.now();
    const owned = (await ctx.store.list("pods", { namespace, ownerUid: rs.metadata.uid })).items as Pod[];
    const orphans = await this.orphans(rs, now);
    let plan = planReplicaSet({ rs, owned, orphans, now });
    // Crowded nodes lose pods first: that needs the sibling ReplicaSets' pods.
    if (plan.remove.length && owned.some((p) => p.spec.nodeName)) {
      plan = planReplicaSet({ rs, owned, orphans, siblings: await this.siblingPods(rs), now });
    }
    try {
      await this.apply(rs, plan, now);
    } catch (e) {
      // Some adoptions may not have landed (a pod changed since it was listed). Upstream's
      // sync claims from every pod on each try; here the retry must look for orphans
      // again too, or it would count the ones left as missing and create pods for them.
      if (plan.adopt.length) this.orphanScanAt.delete(`${namespace}/${name}`);
      throw e;
    }
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async orphans(rs: Replicated, now: number): Promise<Pod[] | undefined> {
    const key = `${rs.metadata.namespace}/${rs.metadata.name}`;
    const last = this.orphanScanAt.get(key);
    if (rs.metadata.deletionTimestamp || (last !== undefined && now - last < ORPHAN_SCAN_MS)) return undefined;
    this.orphanScanAt.set(key, now);
    const selector = replicatedSelector(rs);
    const { items } = await this.ctx.store.list("pods", {
      namespace: rs.metadata.namespace,
      labelEquals: equalityPushdown(selector),
      filter: (p) => !controllerRef(p) && matchesLabels(selector, p.metadata.labels),
    });
    return items as Pod[];
  }

  private async siblingPods(rs: Replicated): Promise<Pod[]> {
    const owner = controllerRef(rs);
    if (!owner) return [];
    const { items: siblings } = await this.ctx.store.list(this.of.resource, { namespace: rs.metadata.namespace, ownerUid: owner.uid });
    const pods: Pod[] = [];
    for (const s of siblings) {
      if (s.metadata.uid === rs.metadata.uid) continue;
      pods.push(...((await this.ctx.store.list("pods", { namespace: rs.metadata.namespace, ownerUid: s.metadata.uid })).items as Pod[]));
    }
    return pods;
  }

  private async apply(rs: Replicated, plan: ReplicaSetPlan, now: number): Promise<void> {
    const { ctx } = this;
    const namespace = rs.metadata.namespace ?? "";
    const first: WriteOp[] = [];
    for (const p of [...plan.adopt, ...plan.release]) first.push({ op: "update", resource: "pods", object: p, expectedRv: Number(p.metadata.resourceVersion) });
    if (plan.statusChanged) first.push({ op: "update", resource: this.of.resource, subresource: "status", object: { ...rs, status: plan.status }, old: rs, expectedRv: Number(rs.metadata.resourceVersion) });

    const groups: WriteOp[][] = [];
    if (plan.create > 0 && (await namespaceActive(ctx, namespace))) {
      const taken = new Set<string>();
      for (let i = 0; i < plan.create; i++) {
        const pod = this.newPod(rs, now, taken);
        groups.push([{ op: "create", resource: "pods", object: pod }, eventOp(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, this.of.component, now)]);
      }
    }
    for (const pod of plan.remove) {
      const ops = deletionOps("pods", pod, undefined, now);
      if (ops.length === 0) continue;
      if (!ctx.terminating.has(namespace)) ops.push(eventOp(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, this.of.component, now));
      groups.push(ops);
    }
    // New pods go out in slow-start batches (1, 2, 4...), as upstream's slowStartBatch. A
    // quota with room for some of them: those are made, the rest reported (FailedCreate)
    // and tried again later.
    const refused = await commitAdmitted(ctx, [first, ...groups].filter((g) => g.length > 0), { slowStart: plan.create > 0 });
    if (refused.length) {
      await ctx.registry.commit([eventOp(rs, "Warning", "FailedCreate", `Error creating: ${refused[0].message}`, this.of.component, now)]);
      throw refused[0];
    }
  }

  private newPod(rs: Replicated, now: number, taken: Set<string>): Pod {
    return podFromTemplate(this.ctx, rs, rs.spec.template!, taken);
  }
}
