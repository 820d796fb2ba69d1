// Typed stubs of the control plane's Durable Objects. Wrangler's generated Env types
// the namespaces without their class, so the casts live here, once.
import type { NodeAgentApi } from "./node-api";
import type { VolumeStoreApi } from "./volume-api";
import type { AllocationRequest, AllocationResult, Owner } from "./service-allocation";
import type { OwnerReference } from "../model/types";
import type { ChangeType } from "../store/store";
import { readConfig } from "../config";

export interface SchedulerApi {
  /** A pod needs a node, or the cluster changed in a way that may let one fit. */
  poke(): Promise<void>;
  /** Why a pod went where it did: per-node filter verdicts and per-plugin scores. */
  explain(namespace: string, name: string, mode?: "auto" | "dry-run"): Promise<unknown>;
}

/** One changed object, with what the controllers need to find its owner without reading it back. */
export interface ControllerKey {
  type: ChangeType;
  resource: string;
  namespace: string;
  name: string;
  /** Its controller among these is the object to reconcile (a pod's ReplicaSet, a ReplicaSet's Deployment). */
  ownerReferences?: OwnerReference[];
  /** Set while it is being deleted. */
  deletionTimestamp?: string;
  /** A pod's persistentVolumeClaim volumes (claim names), so the claims hear of their users. */
  claimNames?: string[];
  /** A pod's phase: one that has finished no longer counts against compute quotas. */
  phase?: string;
  /**
   * Set on a pod's MODIFIED change whose writer never changes labels or owner references
   * (the scheduler's binds and status writes, a kubelet's status writes): an orphan
   * pod then has no new adopter to look for, as upstream's updatePod looks only when
   * the labels or the controller reference changed.
   */
  labelsUnchanged?: true;
}

export interface ControllerManagerApi {
  /** These objects changed: reconcile whatever controllers care about them. */
  poke(keys: ControllerKey[]): Promise<void>;
  /** node-ipam: the pod CIDR index of a node (stable, distinct per node). */
  allocatePodCIDR(nodeName: string): Promise<number>;
  /** A Service's cluster IP and node ports: claimed or picked, unique cluster-wide. */
  allocateService(req: AllocationRequest): Promise<AllocationResult>;
  /** A Service was deleted: what it held is free again. */
  releaseService(owner: Owner): Promise<number>;
}

/** A kubelet's lease renewal: the node and when it renewed (ms, the kubelet's clock). */
export interface NodeRenewal {
  node: string;
  at: number;
}

/** The node lifecycle controller (pkg/controller/nodelifecycle), one shard of it. */
export interface NodeLifecycleApi {
  /** A node's kubelet renewed its lease at `at` (the kubelet's clock, as renewTime upstream). */
  renew(nodeName: string, at: number): Promise<void>;
  /** Several nodes' renewals in one call (src/node/lifecycle/renewal-batches.ts). */
  renewAll(renewals: NodeRenewal[]): Promise<void>;
  /** The node is gone: stop watching it. */
  forget(nodeName: string): Promise<void>;
}

/**
 * The watch cache of one resource. Besides these calls it serves watches over fetch:
 * `GET /watch?resource=&since=&namespace=&name=&labelSelector=&fieldSelector=` streams
 * watch event lines (see src/watch/watch-cache-do.ts).
 */
export interface WatchCacheApi {
  /** Changes of `resource` were committed, the last at `rv`. */
  poke(resource: string, rv: number): Promise<void>;
}

type Stub<T> = DurableObjectStub & T;

/**
 * Ids by name, per namespace binding. Deriving an id hashes the name (a measurable
 * share of the thread when every commit pokes a few objects and every heartbeat
 * reaches a lifecycle shard); an id is a plain value, valid in any request, so the
 * isolate keeps them. Stubs are made afresh per call: a stub belongs to the request
 * that made it.
 */
const ids = new WeakMap<object, Map<string, DurableObjectId>>();
/** Past this many names in one namespace the map starts over (deleted nodes' names would otherwise stay). */
const MAX_IDS = 20_000;

function objectId(ns: { idFromName(name: string): DurableObjectId }, name: string): DurableObjectId {
  let byName = ids.get(ns);
  if (!byName) ids.set(ns, (byName = new Map()));
  let id = byName.get(name);
  if (!id) {
    if (byName.size >= MAX_IDS) byName.clear();
    byName.set(name, (id = ns.idFromName(name)));
  }
  return id;
}

export function nodeAgent(env: Env, nodeName: string): Stub<NodeAgentApi> {
  return env.NODE_AGENT.get(objectId(env.NODE_AGENT, nodeName)) as unknown as Stub<NodeAgentApi>;
}

export function scheduler(env: Env): Stub<SchedulerApi> {
  return env.SCHEDULER.get(objectId(env.SCHEDULER, "default-scheduler")) as unknown as Stub<SchedulerApi>;
}

export function controllers(env: Env): Stub<ControllerManagerApi> {
  return env.CONTROLLERS.get(objectId(env.CONTROLLERS, "kube-controller-manager")) as unknown as Stub<ControllerManagerApi>;
}

/**
 * The shard watching `nodeName`: FNV-1a of the name modulo the shard count, so a
 * node always reports to the same controller and no controller holds every node.
 */
export function lifecycleShardOf(nodeName: string, shards: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < nodeName.length; i++) h = Math.imul(h ^ nodeName.charCodeAt(i), 0x01000193) >>> 0;
  return `node-lifecycle-${h % Math.max(1, shards)}`;
}

export function nodeLifecycle(env: Env, nodeName: string): Stub<NodeLifecycleApi> {
  const shard = lifecycleShardOf(nodeName, readConfig(env).nodeLifecycleShards);
  return env.NODE_LIFECYCLE.get(objectId(env.NODE_LIFECYCLE, shard)) as unknown as Stub<NodeLifecycleApi>;
}

/** One watch cache per resource storage key, so hot resources do not share a thread of events with quiet ones. */
export function watchCache(env: Env, resource: string): Stub<WatchCacheApi> {
  return env.WATCH_CACHE.get(objectId(env.WATCH_CACHE, resource)) as unknown as Stub<WatchCacheApi>;
}

/** The store of one PersistentVolume's files, by the volume's name. */
export function volumeStore(env: Env, volume: string): Stub<VolumeStoreApi> {
  return env.VOLUME_STORE.get(objectId(env.VOLUME_STORE, volume)) as unknown as Stub<VolumeStoreApi>;
}
