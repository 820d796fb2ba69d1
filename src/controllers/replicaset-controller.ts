// The ReplicaSet controller: reads a ReplicaSet and its pods, plans with
// planReplicaSet, and writes pods, events and status in batches. Runs one key at a
// time (the work queue guarantees it) and re-lists before acting, so reconciling twice
// never creates more than spec.replicas pods.
import type { Pod, ReplicaSet } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { equalityPushdown, matchesLabels, selectorFromLabelSelector } from "../model/selectors";
import type { ControllerContext } from "./context";
import { planReplicaSet, type ReplicaSetPlan } from "./replicaset-plan";
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

const RS = "replicasets.apps";
/** Orphan pods are looked for this often per ReplicaSet (and whenever one is seen). */
const ORPHAN_SCAN_MS = 60_000;

export class ReplicaSetController implements Controller {
  readonly name = "rs";
  private readonly orphanScanAt = new Map<string, number>();
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The ReplicaSet itself, and the one a pod names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === RS) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === "pods" ? controllerOf(ch) : undefined;
    return ref?.kind === "ReplicaSet" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(RS)).items);
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
    const self = workKey("rs", namespace, name);
    const rs = (await ctx.store.get(RS, namespace, name)) as ReplicaSet | null;
    if (!rs) {
      // Gone: its pods are garbage now (unless adopted elsewhere).
      this.orphanScanAt.delete(`${namespace}/${name}`);
      ctx.enqueue(GC_KEY);
      return;
    }
    if (rs.metadata.deletionTimestamp) {
      // Being deleted: no new pods; the garbage collector's finalizers decide the rest.
      await finalizeOwner(ctx, RS, rs, self);
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
    await this.apply(rs, plan, now);
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async orphans(rs: ReplicaSet, now: number): Promise<Pod[] | undefined> {
    const key = `${rs.metadata.namespace}/${rs.metadata.name}`;
    const last = this.orphanScanAt.get(key);
    if (rs.metadata.deletionTimestamp || (last !== undefined && now - last < ORPHAN_SCAN_MS)) return undefined;
    this.orphanScanAt.set(key, now);
    const selector = selectorFromLabelSelector(rs.spec.selector);
    const { items } = await this.ctx.store.list("pods", {
      namespace: rs.metadata.namespace,
      labelEquals: equalityPushdown(selector),
      filter: (p) => !controllerRef(p) && matchesLabels(selector, p.metadata.labels),
    });
    return items as Pod[];
  }

  private async siblingPods(rs: ReplicaSet): Promise<Pod[]> {
    const owner = controllerRef(rs);
    if (!owner) return [];
    const { items: siblings } = await this.ctx.store.list(RS, { namespace: rs.metadata.namespace, ownerUid: owner.uid });
    const pods: Pod[] = [];
    for (const s of siblings) {
      if (s.metadata.uid === rs.metadata.uid) continue;
      pods.push(...((await this.ctx.store.list("pods", { namespace: rs.metadata.namespace, ownerUid: s.metadata.uid })).items as Pod[]));
    }
    return pods;
  }

  private async apply(rs: ReplicaSet, plan: ReplicaSetPlan, now: number): Promise<void> {
    const { ctx } = this;
    const namespace = rs.metadata.namespace ?? "";
    const first: WriteOp[] = [];
    for (const p of [...plan.adopt, ...plan.release]) first.push({ op: "update", resource: "pods", object: p, expectedRv: Number(p.metadata.resourceVersion) });
    if (plan.statusChanged) first.push({ op: "update", resource: RS, subresource: "status", object: { ...rs, status: plan.status }, old: rs, expectedRv: Number(rs.metadata.resourceVersion) });

    const groups: WriteOp[][] = [];
    if (plan.create > 0 && (await namespaceActive(ctx, namespace))) {
      const taken = new Set<string>();
      for (let i = 0; i < plan.create; i++) {
        const pod = this.newPod(rs, now, taken);
        groups.push([{ op: "create", resource: "pods", object: pod }, eventOp(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, "replicaset-controller", now)]);
      }
    }
    for (const pod of plan.remove) {
      const ops = deletionOps("pods", pod, undefined, now);
      if (ops.length === 0) continue;
      if (!ctx.terminating.has(namespace)) ops.push(eventOp(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, "replicaset-controller", now));
      groups.push(ops);
    }
    await commitChunked(ctx, [first, ...groups].filter((g) => g.length > 0));
  }

  private newPod(rs: ReplicaSet, now: number, taken: Set<string>): Pod {
    return podFromTemplate(this.ctx, rs, rs.spec.template, taken);
  }
}
