// The StatefulSet controller: reads a StatefulSet, its pods, its revisions and the
// claims of its namespace; plans the history (statefulset-history) and the pods
// (statefulset-plan); commits the revision writes, each pod with its missing claims in
// one batch (claims first), the deletes, their events and the status. Pods are named by
// ordinal, so a pod still terminating (its node gone silent) holds its name: no second
// one is created until it is really gone (force-deleted, or removed by pod GC).
import type { ControllerRevision, Pod, StatefulSet } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { findResource } from "../model/resources";
import { planStatefulSet, type StatefulSetPlan } from "./statefulset-plan";
import { planStatefulHistory } from "./statefulset-history";
import { statefulPodLabels, statefulPodSpec } from "./stateful-pods";
import { podFromTemplate } from "./pod-from-template";
import { namespaceActive } from "./namespace-active";
import { deletionOps } from "./gc-plan";
import { eventOp } from "./events";
import { commitChunked } from "./commit";
import { finalizeOwner } from "./garbage-collector";
import { GC_KEY, workKey } from "./keys";
import { KeyedMutex } from "./mutex";
import type { ControllerKey } from "../controlplane/stubs";
import { controllerOf, namesOf, type Controller, type NamespacedName, type Result } from "./controller";

const STS = "statefulsets.apps";
const CR = "controllerrevisions.apps";
const PVC = "persistentvolumeclaims";
const COMPONENT = "statefulset-controller";

export class StatefulSetController implements Controller {
  readonly name = "sts";
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The StatefulSet itself, and the one a pod or a revision names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === STS) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === "pods" || ch.resource === CR ? controllerOf(ch) : undefined;
    return ref?.kind === "StatefulSet" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(STS)).items);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const set = (await ctx.store.get(STS, namespace, name)) as StatefulSet | null;
    if (!set) {
      ctx.enqueue(GC_KEY);
      return;
    }
    if (set.metadata.deletionTimestamp) {
      // Being deleted: nothing new; the garbage collector's finalizers decide the rest.
      await finalizeOwner(ctx, STS, set, workKey("sts", namespace, name));
      return;
    }
    const uid = set.metadata.uid;
    const [pods, revisions, claims] = await Promise.all([
      ctx.store.list("pods", { namespace, ownerUid: uid }).then((l) => l.items as Pod[]),
      ctx.store.list(CR, { namespace, ownerUid: uid }).then((l) => l.items as ControllerRevision[]),
      this.claimNames(set),
    ]);
    const now = ctx.now();
    const history = planStatefulHistory(set, revisions, pods);
    if (history.collision) {
      // Another template holds the name this one hashes to: count it, which changes the hash.
      const next = { ...set, status: { ...set.status!, collisionCount: (set.status?.collisionCount ?? 0) + 1 } };
      await ctx.registry.commit([{ op: "update", resource: STS, subresource: "status", object: next, old: set, expectedRv: Number(set.metadata.resourceVersion) }]);
      return;
    }
    const plan = planStatefulSet({ set, pods, claims, current: history.current, update: history.update, now });

    const first: WriteOp[] = [];
    if (history.create) first.push({ op: "create", resource: CR, object: history.create });
    if (history.bump) first.push({ op: "update", resource: CR, object: history.bump, expectedRv: Number(history.bump.metadata.resourceVersion) });
    for (const r of history.remove) first.push(...deletionOps(CR, r, undefined, now));
    const groups = [first, ...(await this.podOps(set, plan, now))];
    if (plan.statusChanged) groups.push([{ op: "update", resource: STS, subresource: "status", object: { ...set, status: plan.status }, old: set, expectedRv: Number(set.metadata.resourceVersion) }]);
    await commitChunked(ctx, groups.filter((g) => g.length > 0));
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  /** The claim names of the set's namespace (none while claims are not a served resource). */
  private async claimNames(set: StatefulSet): Promise<Set<string>> {
    if (!set.spec.volumeClaimTemplates?.length || !findResource("", "v1", PVC)) return new Set();
    const { items } = await this.ctx.store.list(PVC, { namespace: set.metadata.namespace ?? "" });
    return new Set(items.map((c) => c.metadata.name ?? ""));
  }

  private async podOps(set: StatefulSet, plan: StatefulSetPlan, now: number): Promise<WriteOp[][]> {
    const namespace = set.metadata.namespace ?? "";
    const setName = set.metadata.name ?? "";
    const groups: WriteOp[][] = [];
    if ((plan.create.length || plan.claims.length) && (await namespaceActive(this.ctx, namespace))) {
      const claimsFor = (pod: string) => plan.claims.filter((c) => c.pod === pod);
      const claimOps = (pod: string) =>
        claimsFor(pod).flatMap(({ claim }) => [
          { op: "create", resource: PVC, object: claim } as WriteOp,
          eventOp(set, "Normal", "SuccessfulCreate", `create Claim ${claim.metadata.name} Pod ${pod} in StatefulSet ${setName} success`, COMPONENT, now),
        ]);
      const taken = new Set<string>();
      for (const want of plan.create) {
        const pod = podFromTemplate(this.ctx, set, want.template, taken, {
          name: want.name,
          labels: statefulPodLabels(set, want.ordinal, want.revision),
          spec: statefulPodSpec(set, want.template, want.ordinal),
        });
        groups.push([...claimOps(want.name), { op: "create", resource: "pods", object: pod }, eventOp(set, "Normal", "SuccessfulCreate", `create Pod ${want.name} in StatefulSet ${setName} successful`, COMPONENT, now)]);
      }
      // Claims of pods that exist already (a Pending pod whose claim went missing).
      const created = new Set(plan.create.map((c) => c.name));
      for (const pod of new Set(plan.claims.map((c) => c.pod))) if (!created.has(pod)) groups.push(claimOps(pod));
    }
    for (const pod of plan.remove) {
      const ops = deletionOps("pods", pod, undefined, now);
      if (ops.length === 0) continue;
      if (!this.ctx.terminating.has(namespace)) ops.push(eventOp(set, "Normal", "SuccessfulDelete", `delete Pod ${pod.metadata.name} in StatefulSet ${setName} successful`, COMPONENT, now));
      groups.push(ops);
    }
    return groups;
  }
}
