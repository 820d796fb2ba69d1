// A node of the cluster: its kubelet, its container runtime and its heartbeat, in one
// Durable Object. This file is only the shell: RPC entry points, the one alarm
// (dispatched by timer kind), and fetch() for the pod subresources the API forwards
// (log, exec, proxy). The kubelet lives in kubelet/, the explore handlers in explore/,
// the heartbeat in lifecycle/ (the node lifecycle controller judges it from outside).
import { DurableObject } from "cloudflare:workers";
import type { AdmitResult, NodeConfig, NodeStatsSummary, PokeReason } from "../controlplane/node-api";
import { nodePeer, type NodePeerApi } from "./node-peer";
import type { Node, Pod } from "../model/types";
import { ObjectStore } from "../store/store";
import { Registry } from "../registry/registry";
import { defaultingFrom } from "../registry/defaults";
import { buildNode, internalIP, podCIDRFor } from "./node-object";
import { dispatchChanges } from "../controlplane/dispatch";
import { ApiError } from "../model/errors";
import { controllers, lifecycleShardOf, nodeLifecycle, volumeStore } from "../controlplane/stubs";
import { ClusterNetwork } from "./cluster-network";
import type { HttpOutcome, HttpRequest } from "./images/types";
import { TimerTable } from "../util/timer-table";
import { Kubelet, KUBELET_RESYNC, KUBELET_SYNC } from "./kubelet/kubelet";
import { KUBELET_PROBE } from "./kubelet/prober";
import { runDueTimers, type TimerHandler } from "../util/timer-dispatch";
import { handleExplore } from "./explore";
import { DEFAULT_EXEC_TIMING } from "./explore/exec-channels";
import { Heartbeat, HEARTBEAT } from "./lifecycle/heartbeat";
import { isolateRenewals } from "./lifecycle/renewal-batches";
import { faultOf } from "./lifecycle/fault";
import { readConfig } from "../config";
import { serviceUnavailable } from "../model/errors";
import { ApiServerClient } from "./api-server";
import { nodeToken } from "../controlplane/node-credentials";
import { clusterCA } from "../controlplane/cluster-ca";
import { ClientRateLimiter } from "../util/client-rate-limiter";

export class NodeAgent extends DurableObject<Env> implements NodePeerApi {
  /** The node's clock. Tests replace it to drive back-off and grace periods without waiting. */
  private clock: () => number = () => Date.now();
  private timerTable: TimerTable | undefined;
  private limiterInstance: ClientRateLimiter | undefined;
  private kubeletInstance: Kubelet | undefined;
  private heartbeatInstance: Heartbeat | undefined;
  private storeInstance: ObjectStore | undefined;
  private apiServerInstance: ApiServerClient | undefined;

  /** The node's name once read from its config (start() and stop() are the config's only writers). */
  private nameValue: string | undefined;

  /** The node's name, from its config ("" before start). */
  private get nodeName(): string {
    return (this.nameValue ??= this.ctx.storage.kv.get<NodeConfig>("config")?.name ?? "");
  }

  /** The store, whose commits wake the rest of the cluster (but not this node about its own writes). */
  private store(): ObjectStore {
    const name = this.nodeName;
    if (this.storeInstance && name) return this.storeInstance;
    const store = new ObjectStore(this.env.DB, (changes) => this.ctx.waitUntil(dispatchChanges(this.env, changes, { origin: `node:${name}` })), {
      changeLogRetain: readConfig(this.env).changeLogRetain,
    });
    if (name) this.storeInstance = store;
    return store;
  }

  /** The kubelet's writes of its Node go through the registry, as any client's would. */
  private registry(): Registry {
    return new Registry(this.store(), { now: () => this.clock(), defaults: defaultingFrom(readConfig(this.env)), fieldManager: "kubelet", limiter: this.limiter() });
  }

  /** The kubelet's client-side rate limit (kubeAPIQPS / kubeAPIBurst), one for all its writes. */
  private limiter(): ClientRateLimiter {
    return (this.limiterInstance ??= new ClientRateLimiter(readConfig(this.env).kubeletKubeApi));
  }

  private timers(): TimerTable {
    return (this.timerTable ??= new TimerTable(this.ctx.storage));
  }

  private kubelet(): Kubelet {
    return (this.kubeletInstance ??= new Kubelet({
      storage: this.ctx.storage,
      timers: this.timers(),
      store: () => this.store(),
      now: () => this.clock(),
      limiter: this.limiter(),
      network: this.network().request,
      dns: this.network().dns,
      volumes: (pv) => volumeStore(this.env, pv),
      background: (p) => this.ctx.waitUntil(p),
      tokens: (ask) => this.apiServer().tokens(ask),
    }));
  }

  /** Pod-to-pod and pod-to-Service requests: to this node's pods directly, others' by RPC. */
  private network(): ClusterNetwork {
    return new ClusterNetwork({
      store: () => this.store(),
      deliver: (t, req) => (t.node === this.nodeName ? this.podRequest(t.podIP, t.port, req) : nodePeer(this.env, t.node).podRequest(t.podIP, t.port, req)),
      namespaceOf: (sandboxId) => this.kubelet().state.pods().find((r) => r.sandboxId === sandboxId)?.namespace,
      apiServer: (req) => this.apiServer().request(req),
    });
  }

  /** The API server, reached through this Worker's own entrypoint (node/api-server.ts). */
  private apiServer(): ApiServerClient {
    return (this.apiServerInstance ??= new ApiServerClient({
      fetch: (req) => (this.ctx.exports as unknown as { default: Fetcher }).default.fetch(req),
      credential: () => nodeToken(this.env.API_TOKEN ?? "", this.nodeName),
      caPem: () => clusterCA(this.env.DB, () => this.clock()),
    }));
  }

  private heartbeat(): Heartbeat {
    return (this.heartbeatInstance ??= new Heartbeat({
      kv: this.ctx.storage.kv,
      timers: this.timers(),
      intervalMs: readConfig(this.env).nodeLeaseRenewIntervalMs,
      now: () => this.clock(),
      // The name is read (once) when a renewal goes out: the heartbeat exists before start().
      register: (at) => {
        const name = this.nodeName;
        return nodeLifecycle(this.env, name).renew(name, at);
      },
      renew: (at) => {
        const name = this.nodeName;
        const config = readConfig(this.env);
        const shard = lifecycleShardOf(name, config.nodeLifecycleShards);
        return isolateRenewals.send(shard, { node: name, at }, config.nodeRenewalBatchWindowMs, (batch) => nodeLifecycle(this.env, name).renewAll(batch));
      },
    }));
  }

  /** A crashed or partitioned node's kubelet neither hears from nor writes to the API. */
  private cutOff(): boolean {
    return this.heartbeat().fault !== "none";
  }

  /** Timer kinds and who handles them; other node subsystems add theirs here. */
  private timerHandlers(): ReadonlyMap<string, TimerHandler> {
    return new Map<string, TimerHandler>([
      [KUBELET_SYNC, () => (this.cutOff() ? Promise.resolve() : this.kubelet().resync())],
      [KUBELET_RESYNC, () => (this.cutOff() ? Promise.resolve() : this.kubelet().periodicResync())],
      [KUBELET_PROBE, (due, now) => (this.cutOff() ? Promise.resolve() : this.kubelet().probe(due, now))],
      [HEARTBEAT, (due) => this.heartbeat().beat(due[0]?.at)],
      // Timers a node set before failure detection moved to the lifecycle controller.
      ...["lease-deadline", "evict"].map((kind) => [kind, () => Promise.resolve()] as [string, TimerHandler]),
    ]);
  }

  /** For tests: run the node on another clock. */
  useClock(clock: () => number): void {
    this.clock = clock;
  }

  async start(config: NodeConfig): Promise<void> {
    this.ctx.storage.kv.put("config", config);
    this.nameValue = config.name;
    this.kubeletInstance?.state.configWritten(config);
    const cidrIndex = await controllers(this.env).allocatePodCIDR(config.name);
    this.ctx.storage.kv.put("node/net", { podCIDR: podCIDRFor(cidrIndex), hostIP: internalIP(cidrIndex) });
    const store = this.store();
    const now = this.clock();
    const fresh = buildNode(config, cidrIndex, now, `${config.name}:${now}`);
    const registry = this.registry();
    const existing = (await store.get("nodes", "", config.name)) as Node | null;
    if (!existing) {
      try {
        await registry.create("nodes", fresh);
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
      }
    } else {
      // A Node registered through the API: the kubelet fills in what a kubelet reports,
      // its labels and spec first, then its status (registerNode, then updateNodeStatus).
      await registry.patch("nodes", "", config.name, (cur) => {
        const node = cur as Node;
        node.metadata.labels = { ...fresh.metadata.labels, ...(node.metadata.labels ?? {}) };
        node.metadata.annotations = { ...fresh.metadata.annotations, ...(node.metadata.annotations ?? {}) };
        node.spec = { ...fresh.spec, ...node.spec };
        return node;
      });
      const stored = (await registry.patch(
        "nodes",
        "",
        config.name,
        (cur) => {
          const node = cur as Node;
          node.status = { ...fresh.status, capacity: fresh.status?.capacity, allocatable: node.status?.allocatable ?? fresh.status?.allocatable };
          return node;
        },
        { subresource: "status" },
      )) as Node;
      // A podCIDR given in the manifest wins over the allocated one.
      if (stored.spec.podCIDR) this.ctx.storage.kv.put("node/net", { podCIDR: stored.spec.podCIDR, hostIP: internalIP(cidrIndex) });
    }
    await this.heartbeat().nodeChanged((await store.get("nodes", "", config.name)) as Node);
    await this.heartbeat().start();
    // Pods may already be bound here (a restarted node, or pods created before it joined).
    this.ctx.waitUntil(this.kubelet().poke({ all: true }).catch((e) => console.error(`kubelet ${config.name}: first sync failed:`, e)));
  }

  async poke(what: PokeReason = {}): Promise<void> {
    const name = this.nodeName;
    if (!name) return;
    // Only a change to the Node object itself (fault labels, cordon, external mode) needs
    // it read; a poke about the node's pods goes on the fault last seen, as a kubelet
    // learns of its Node from its own watch, not by reading it on every pod event.
    if (what.node !== false) {
      const node = (await this.store().get("nodes", "", name)) as Node | null;
      const before = this.heartbeat().fault;
      if (node) await this.heartbeat().nodeChanged(node);
      const after = faultOf(node);
      // A crash stops the node's containers; a partition leaves them running.
      if (after === "crash" && before !== "crash") await this.stopAllContainers();
      if (after !== "none") return;
    } else if (this.heartbeat().fault !== "none") return;
    // A change to the Node (a recovery, a cordon) may concern every pod; one about pods, the pods that changed.
    await this.kubelet().poke({ all: what.node !== false });
  }

  async configChanged(refs: string[]): Promise<void> {
    if (!this.nodeName || this.cutOff()) return;
    await this.kubelet().configChanged(refs);
  }

  private async stopAllContainers(): Promise<void> {
    const rt = this.kubelet().runtime();
    if (!rt) return;
    for (const sandbox of await rt.runtime.listPodSandbox()) await rt.runtime.stopPodSandbox(sandbox.id);
  }

  async admit(pod: Pod): Promise<AdmitResult> {
    if (this.cutOff()) return { admitted: false, reason: "NodeUnreachable", message: "the node's kubelet is not reachable" };
    return this.kubelet().admit(pod);
  }

  async admitMany(pods: Pod[]): Promise<AdmitResult[]> {
    if (this.cutOff()) return pods.map(() => ({ admitted: false, reason: "NodeUnreachable", message: "the node's kubelet is not reachable" }));
    return this.kubelet().admitMany(pods);
  }

  async statsSummary(): Promise<NodeStatsSummary | null> {
    // A crashed or partitioned node does not answer a scrape: it has no metrics.
    if (!this.nodeName || this.cutOff()) return null;
    return this.kubelet().statsSummary();
  }

  async podRequest(podIP: string, port: number, req: HttpRequest): Promise<HttpOutcome> {
    // A crashed or partitioned node does not answer: the caller's connection times out.
    if (this.cutOff()) return { kind: "unreachable" };
    const rec = this.kubelet().state.pods().find((r) => r.podIP === podIP && r.sandboxId && !r.terminal);
    const rt = this.kubelet().runtime();
    if (!rec?.sandboxId || !rt) return { kind: "unreachable" };
    const { method, path, headers, body, remoteAddr } = req;
    return rt.runtime.podHttp(rec.sandboxId, port, { method, path, headers, body, remoteAddr });
  }

  async stop(): Promise<void> {
    const name = this.nodeName;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.nameValue = undefined;
    this.timerTable = undefined;
    this.kubeletInstance = undefined;
    this.heartbeatInstance = undefined;
    this.storeInstance = undefined;
    // The node is gone: its lifecycle controller stops expecting heartbeats from it.
    if (name) await nodeLifecycle(this.env, name).forget(name);
  }

  override async alarm(): Promise<void> {
    await runDueTimers(this.timers(), this.clock(), this.timerHandlers());
  }

  override async fetch(request: Request): Promise<Response> {
    if (this.cutOff()) {
      const net = this.ctx.storage.kv.get<{ hostIP: string }>("node/net");
      const err = serviceUnavailable(`error dialing backend: dial tcp ${net?.hostIP ?? "node"}:10250: connect: connection refused`);
      return new Response(JSON.stringify(err.status), { status: err.code, headers: { "content-type": "application/json" } });
    }
    const kubelet = this.kubelet();
    const timing = { ...DEFAULT_EXEC_TIMING, startDelayMs: readConfig(this.env).execStartDelayMs };
    return handleExplore(request, { kubelet, waitUntil: (p) => this.ctx.waitUntil(p), execTiming: timing });
  }
}
