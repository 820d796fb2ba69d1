// Pod GC (upstream podgc), the parts about pods no kubelet will ever stop:
// - gcOrphaned: pods bound to a Node that no longer exists. Once the node has been
//   missing for the quarantine (40 s, as upstream, so a node that is just registering
//   is not mistaken for a gone one) they are deleted at once (grace 0).
// - gcTerminating: pods on a node that is not Ready and carries the
//   node.kubernetes.io/out-of-service taint (an operator saying the node is gone; the
//   NodeOutOfServiceVolumeDetach feature). Terminating pods there are force-deleted. A
//   pod that does not tolerate the taint is evicted by it at once, as the taint
//   manager would (NoExecute, no toleration), and force-deleted in the same step.
// Until then a pod evicted from a silent node stays Terminating: its name is held, so
// a StatefulSet never runs two pods of one identity. Once removed, its controller
// creates the replacement (a ReplicaSet's elsewhere at once, a StatefulSet's with the
// same name and claims).
import type { Node, Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { commitChunked } from "./commit";
import { eventWrite } from "../store/events";
import { tolerationsTolerateTaint } from "../model/tolerations";
import type { ControllerKey } from "../controlplane/stubs";
import type { Controller, NamespacedName, Result } from "./controller";

const QUARANTINE_MS = 40_000;

/** v1.TaintNodeOutOfService. */
export const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

function forceDeleteOps(pods: Pod[]): WriteOp[] {
  return pods.map((p) => ({ op: "delete", resource: "pods", object: p, expectedRv: Number(p.metadata.resourceVersion) }));
}

const isReady = (node: Node) => node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

/**
 * gcTerminating for one node: nothing unless it is not Ready and out of service; then
 * its terminating pods, and those the out-of-service NoExecute taint evicts, are
 * force-deleted (each eviction with the taint manager's event).
 */
export function outOfServiceOps(node: Node, pods: Pod[], now: number): WriteOp[] {
  const taint = (node.spec.taints ?? []).find((t) => t.key === OUT_OF_SERVICE_TAINT);
  if (!taint || isReady(node)) return [];
  const ops: WriteOp[] = [];
  for (const pod of pods) {
    const evicted = taint.effect === "NoExecute" && !tolerationsTolerateTaint(pod.spec.tolerations, taint);
    if (!pod.metadata.deletionTimestamp && !evicted) continue;
    ops.push(...forceDeleteOps([pod]));
    if (!pod.metadata.deletionTimestamp) {
      const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
      ops.push(eventWrite(pod, { type: "Normal", reason: "TaintManagerEviction", message: `Marking for deletion Pod ${ref}`, source: { component: "taint-eviction-controller" } }, now));
    }
  }
  return ops;
}

export class PodGC implements Controller {
  readonly name = "node";
  /** A node's status changes now and then: it is looked at at most once a second. */
  readonly minIntervalMs = 1_000;
  /** Node name → when it was first seen missing while pods were bound to it. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  /** A deleted Node may leave pods bound to it; a changed one may be out of service. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    return ch.resource === "nodes" ? [{ namespace: "", name: ch.name }] : [];
  }

  reconcile({ name }: NamespacedName): Promise<Result | void> {
    return this.reconcileNode(name);
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return (await this.nodesOfPodsWithoutNode()).map((name) => ({ namespace: "", name }));
  }

  async reconcileNode(nodeName: string): Promise<Result | void> {
    const { ctx } = this;
    if (!nodeName) return;

    const node = (await ctx.store.get("nodes", "", nodeName)) as Node | null;
    if (node) {
      this.missingSince.delete(nodeName);
      // Only a node marked out of service costs a read of its pods.
      if (!node.spec.taints?.some((t) => t.key === OUT_OF_SERVICE_TAINT) || isReady(node)) return;
      const { items } = await ctx.store.list("pods", { nodeName });
      await commitChunked(ctx, outOfServiceOps(node, items as Pod[], ctx.now()));
      return;
    }
    const { items } = await ctx.store.list("pods", { nodeName });
    if (items.length === 0) {
      this.missingSince.delete(nodeName);
      return;
    }
    const now = ctx.now();
    const since = this.missingSince.get(nodeName) ?? now;
    this.missingSince.set(nodeName, since);
    if (now - since < QUARANTINE_MS) return { requeueAfterMs: since + QUARANTINE_MS - now };
    await commitChunked(ctx, forceDeleteOps(items as Pod[]));
    this.missingSince.delete(nodeName);
  }

  /** Node names that pods are bound to but no Node object has (one indexed query). */
  async nodesOfPodsWithoutNode(): Promise<string[]> {
    return this.ctx.store.nodesOfPodsWithoutNode(100);
  }
}
