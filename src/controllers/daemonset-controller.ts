// The DaemonSet controller: reads a DaemonSet, the nodes, its pods and its revisions;
// plans the history (daemonset-history) and the pods (daemonset-plan); commits the
// revision writes, pod creates and deletes, their events and the status. Pods are
// created unbound with a node affinity naming their node, as upstream: the scheduler
// places them. A change to any node wakes every DaemonSet (dsnode rows).
import type { ControllerRevision, DaemonSet, Node, Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { planDaemonSet, type DaemonSetPlan } from "./daemonset-plan";
import { planHistory } from "./daemonset-history";
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL, daemonPodSpec, pinToNode } from "./daemon-pods";
import { TEMPLATE_GENERATION_ANNOTATION } from "../registry/strategies/daemonsets";
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

const DS = "daemonsets.apps";
const CR = "controllerrevisions.apps";
const COMPONENT = "daemonset-controller";

export class DaemonSetController implements Controller {
  readonly name = "ds";
  private readonly mutex = new KeyedMutex();

  constructor(private readonly ctx: ControllerContext) {}

  /** The DaemonSet itself, and the one a pod or a revision names as its controller. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    if (ch.resource === DS) return [{ namespace: ch.namespace, name: ch.name }];
    const ref = ch.resource === "pods" || ch.resource === CR ? controllerOf(ch) : undefined;
    return ref?.kind === "DaemonSet" ? [{ namespace: ch.namespace, name: ref.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(DS)).items);
  }

  reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    return this.mutex.run(`${namespace}/${name}`, () => this.sync(namespace, name));
  }

  private async sync(namespace: string, name: string): Promise<Result | void> {
    const { ctx } = this;
    const ds = (await ctx.store.get(DS, namespace, name)) as DaemonSet | null;
    if (!ds) {
      ctx.enqueue(GC_KEY);
      return;
    }
    if (ds.metadata.deletionTimestamp) {
      // Being deleted: nothing new; the garbage collector's finalizers decide the rest.
      await finalizeOwner(ctx, DS, ds, workKey("ds", namespace, name));
      return;
    }
    const uid = ds.metadata.uid;
    const [nodes, pods, revisions] = await Promise.all([
      ctx.store.list("nodes").then((l) => l.items as Node[]),
      ctx.store.list("pods", { namespace, ownerUid: uid }).then((l) => l.items as Pod[]),
      ctx.store.list(CR, { namespace, ownerUid: uid }).then((l) => l.items as ControllerRevision[]),
    ]);
    const now = ctx.now();
    const history = planHistory(ds, revisions, pods);
    if (history.collision) {
      // Another template holds the name this one hashes to: count it, which changes the hash.
      const next = { ...ds, status: { ...ds.status!, collisionCount: (ds.status?.collisionCount ?? 0) + 1 } };
      await ctx.registry.commit([{ op: "update", resource: DS, subresource: "status", object: next, old: ds, expectedRv: Number(ds.metadata.resourceVersion) }]);
      return;
    }
    const plan = planDaemonSet({ ds, nodes, pods, hash: history.hash, now });

    const first: WriteOp[] = [];
    if (history.create) first.push({ op: "create", resource: CR, object: history.create });
    for (const r of history.update) first.push({ op: "update", resource: CR, object: r, expectedRv: Number(r.metadata.resourceVersion) });
    for (const r of history.remove) first.push(...deletionOps(CR, r, undefined, now));
    if (plan.statusChanged) first.push({ op: "update", resource: DS, subresource: "status", object: { ...ds, status: plan.status }, old: ds, expectedRv: Number(ds.metadata.resourceVersion) });
    const groups = await this.podOps(ds, plan, history.hash, now);
    await commitChunked(ctx, [first, ...groups].filter((g) => g.length > 0));
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async podOps(ds: DaemonSet, plan: DaemonSetPlan, hash: string, now: number): Promise<WriteOp[][]> {
    const namespace = ds.metadata.namespace ?? "";
    const quiet = this.ctx.terminating.has(namespace);
    const groups: WriteOp[][] = [];
    if (plan.create.length && (await namespaceActive(this.ctx, namespace))) {
      const taken = new Set<string>();
      for (const node of plan.create) {
        const pod = this.newPod(ds, node, hash, taken);
        groups.push([{ op: "create", resource: "pods", object: pod }, eventOp(ds, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, COMPONENT, now)]);
      }
    }
    for (const { pod, event } of plan.remove) {
      const ops = deletionOps("pods", pod, undefined, now);
      if (ops.length === 0) continue;
      if (!quiet) {
        if (event) ops.push(eventOp(ds, event.type, event.reason, event.message, COMPONENT, now));
        ops.push(eventOp(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, COMPONENT, now));
      }
      groups.push(ops);
    }
    return groups;
  }

  /** Pods are created only in a namespace that exists and is not being deleted. */
  /** CreatePodTemplate + the node's affinity, the revision hash and the template generation. */
  private newPod(ds: DaemonSet, node: string, hash: string, taken: Set<string>): Pod {
    const spec = daemonPodSpec(ds);
    spec.affinity = pinToNode(spec.affinity, node);
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    const labels = { [REVISION_HASH_LABEL]: hash, ...(generation ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}) };
    return podFromTemplate(this.ctx, ds, ds.spec.template, taken, { labels, spec });
  }
}

/** dsnode's row: a node joined, changed or left, so every DaemonSet looks at the nodes again. */
export function daemonSetNodeWatch(ctx: ControllerContext): Controller {
  return {
    name: "dsnode",
    // A node's heartbeats change it often: each node wakes the DaemonSets at most once a second.
    minIntervalMs: 1_000,
    keysFor: (ch) => (ch.resource === "nodes" ? [{ namespace: "", name: ch.name }] : []),
    reconcile: async () => {
      for (const ds of (await ctx.store.list(DS)).items) ctx.enqueue(workKey("ds", ds.metadata.namespace ?? "", ds.metadata.name ?? ""));
    },
  };
}
