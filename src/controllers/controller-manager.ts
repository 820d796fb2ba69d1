// The kube-controller-manager: one Durable Object hosting the cluster's controllers.
// Pokes name the objects that changed; each reconciler re-reads the store.
import { DurableObject } from "cloudflare:workers";
import type { ControllerKey, ControllerManagerApi } from "../controlplane/stubs";

export class ControllerManager extends DurableObject<Env> implements ControllerManagerApi {
  async poke(_keys: ControllerKey[]): Promise<void> {
    // Reconcilers are registered by the controllers module.
  }

  /**
   * node-ipam: hands each node a distinct pod CIDR index. The Durable Object is
   * single-threaded, so two joining nodes can never get the same range.
   */
  async allocatePodCIDR(nodeName: string): Promise<number> {
    const key = `cidr:${nodeName}`;
    const existing = await this.ctx.storage.get<number>(key);
    if (existing !== undefined) return existing;
    const next = ((await this.ctx.storage.get<number>("cidr-next")) ?? 1);
    await this.ctx.storage.put({ [key]: next, "cidr-next": next + 1 });
    return next;
  }
}
