// Pod GC, the orphaned-pods part (upstream podgc gcOrphaned): pods bound to a Node
// that no longer exists can never be stopped by a kubelet, so once the node has been
// missing for the quarantine (40 s, as upstream, so a node that is just registering
// is not mistaken for a gone one) they are deleted at once (grace 0). Their
// ReplicaSets then create replacements elsewhere.
import type { Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { commitChunked } from "./commit";
import type { ControllerKey } from "../controlplane/stubs";
import type { Controller, NamespacedName, Result } from "./controller";

const QUARANTINE_MS = 40_000;

function orphanedPodOps(pods: Pod[]): WriteOp[] {
  return pods.map((p) => ({ op: "delete", resource: "pods", object: p, expectedRv: Number(p.metadata.resourceVersion) }));
}

export class PodGC implements Controller {
  readonly name = "node";
  /** Node name → when it was first seen missing while pods were bound to it. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  /** A deleted Node may leave pods bound to it. */
  keysFor(ch: ControllerKey): NamespacedName[] {
    return ch.resource === "nodes" && ch.type === "DELETED" ? [{ namespace: "", name: ch.name }] : [];
  }

  reconcile({ name }: NamespacedName): Promise<Result | void> {
    return this.reconcileNode(name);
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return (await this.nodesOfPodsWithoutNode()).map((name) => ({ namespace: "", name }));
  }

  async reconcileNode(nodeName: string): Promise<Result | void> {
    const { ctx } = this;
    if (!nodeName || (await ctx.store.get("nodes", "", nodeName))) {
      this.missingSince.delete(nodeName);
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
    await commitChunked(ctx, orphanedPodOps(items as Pod[]));
    this.missingSince.delete(nodeName);
  }

  /** Node names that pods are bound to but no Node object has (one indexed query). */
  async nodesOfPodsWithoutNode(): Promise<string[]> {
    return this.ctx.store.nodesOfPodsWithoutNode(100);
  }
}
