// The cluster's own ingress controller (the part of ingress-nginx that talks to the
// API; the routing itself is the Worker's, src/api/ingress-proxy.ts): for every
// Ingress of a class whose controller is edgekube.dev/ingress it reports where the
// Ingress is reached (status.loadBalancer.ingress, from INGRESS_ADDRESS) and records
// a `Sync` event ("Scheduled for sync") whenever it takes up a new generation of the
// Ingress, as ingress-nginx does on every change it configures.
import type { ControllerKey } from "../controlplane/stubs";
import type { Ingress, IngressClass, IngressLoadBalancerIngress } from "../model/ingress-types";
import { INGRESSES, INGRESS_CLASSES, ingressClassName, ownClasses } from "../model/ingress";
import { parseIP } from "../model/ip-address";
import { ApiError } from "../model/errors";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import type { Controller, NamespacedName } from "./controller";
import { EventCorrelator } from "./event-correlator";
import { workKey } from "./keys";

/** What the Ingress's address is reported as: an IP, or a DNS name. */
export function loadBalancerOf(address: string): IngressLoadBalancerIngress[] {
  return [parseIP(address) ? { ip: address } : { hostname: address }];
}

export class IngressController implements Controller {
  readonly name = "ing";
  private readonly recorder = new EventCorrelator("edgekube-ingress-controller");
  /** The generation of each Ingress (by uid) last taken up: the recorder's memory, as upstream's is. */
  private readonly synced = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(change: ControllerKey): NamespacedName[] {
    if (change.resource !== INGRESSES) return [];
    return [{ namespace: change.namespace, name: change.name }];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    const { items } = await this.ctx.store.list(INGRESSES, {});
    return items.map((i) => ({ namespace: i.metadata.namespace ?? "", name: i.metadata.name ?? "" }));
  }

  async reconcile(key: NamespacedName): Promise<void> {
    const { ctx } = this;
    const ing = (await ctx.store.get(INGRESSES, key.namespace, key.name)) as Ingress | null;
    if (!ing) return;
    if (ing.metadata.deletionTimestamp) {
      this.synced.delete(ing.metadata.uid ?? "");
      this.recorder.forget(ing.metadata.uid);
      return;
    }
    const classes = (await ctx.store.list(INGRESS_CLASSES, {})).items as IngressClass[];
    if (!ownClasses(classes).has(ingressClassName(ing))) return;
    const now = ctx.now();
    const ops: WriteOp[] = [];
    const want = loadBalancerOf(ctx.config.ingressAddress);
    if (JSON.stringify(ing.status?.loadBalancer?.ingress ?? []) !== JSON.stringify(want)) {
      ops.push({ op: "update", resource: INGRESSES, subresource: "status", object: { ...ing, status: { loadBalancer: { ingress: want } } }, old: ing, expectedRv: Number(ing.metadata.resourceVersion) });
    }
    const uid = ing.metadata.uid ?? "";
    const generation = ing.metadata.generation ?? 0;
    const quiet = ctx.terminating.has(key.namespace) || this.synced.get(uid) === generation;
    const events = quiet ? { ops: [], keys: [] } : this.recorder.ops(ing, [{ type: "Normal", reason: "Sync", message: "Scheduled for sync" }], now);
    if (!ops.length && !events.ops.length) return;
    try {
      const stored = await ctx.registry.commit([...ops, ...events.ops]);
      this.recorder.committed(events.keys, stored.slice(ops.length), now);
      this.synced.set(uid, generation);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) this.recorder.forget(uid);
      throw e;
    }
  }
}

/** An IngressClass changed: the Ingresses of that class may have become (or stopped being) ours. */
export function ingressClassWatch(ctx: ControllerContext): Controller {
  return {
    name: "ingclass",
    keysFor: (change) => (change.resource === INGRESS_CLASSES ? [{ namespace: "", name: change.name }] : []),
    async reconcile(key) {
      const { items } = await ctx.store.list(INGRESSES, {});
      for (const ing of items as Ingress[]) {
        if (ingressClassName(ing) === key.name) ctx.enqueue(workKey("ing", ing.metadata.namespace ?? "", ing.metadata.name ?? ""));
      }
    },
  };
}
