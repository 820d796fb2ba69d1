// A node of the cluster: its kubelet, its container runtime and its lease, in one
// Durable Object.
import { DurableObject } from "cloudflare:workers";
import type { AdmitResult, NodeAgentApi, NodeConfig } from "./agent-api";
import type { Node, Pod } from "../model/types";
import { ObjectStore } from "../store/store";
import { buildNode } from "./node-object";
import { dispatchChanges } from "../controlplane/dispatch";
import { ApiError } from "../model/errors";
import type { ControllerManager } from "../controllers/controller-manager";

export class NodeAgent extends DurableObject<Env> implements NodeAgentApi {
  private store(): ObjectStore {
    const name = this.ctx.storage.kv.get<NodeConfig>("config")?.name ?? "";
    return new ObjectStore(this.env.DB, (changes) => this.ctx.waitUntil(dispatchChanges(this.env, changes, { origin: `node:${name}` })));
  }

  async start(config: NodeConfig): Promise<void> {
    this.ctx.storage.kv.put("config", config);
    const cm = this.env.CONTROLLERS.get(this.env.CONTROLLERS.idFromName("kube-controller-manager")) as unknown as DurableObjectStub<ControllerManager>;
    const cidrIndex = await cm.allocatePodCIDR(config.name);
    const store = this.store();
    const now = Date.now();
    const fresh = buildNode(config, cidrIndex, now, `${config.name}:${now}`);
    const existing = (await store.get("nodes", "", config.name)) as Node | null;
    if (!existing) {
      try {
        fresh.metadata.uid = crypto.randomUUID();
        fresh.metadata.creationTimestamp = fresh.status?.conditions?.[0]?.lastTransitionTime;
        await store.create("nodes", fresh);
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
      }
      return;
    }
    // A Node registered through the API: the kubelet fills in what a kubelet reports.
    await store.guaranteedUpdate("nodes", "", config.name, (cur) => {
      const node = cur as Node;
      node.metadata.labels = { ...fresh.metadata.labels, ...(node.metadata.labels ?? {}) };
      node.metadata.annotations = { ...fresh.metadata.annotations, ...(node.metadata.annotations ?? {}) };
      node.spec = { ...fresh.spec, ...node.spec };
      node.status = { ...fresh.status, capacity: fresh.status?.capacity, allocatable: node.status?.allocatable ?? fresh.status?.allocatable };
      return node;
    });
  }

  async poke(): Promise<void> {}

  async admit(_pod: Pod): Promise<AdmitResult> {
    return { admitted: true };
  }

  async stop(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
