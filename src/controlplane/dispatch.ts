// Event-driven wiring: after every committed write, wake the components whose view of
// the cluster it changed, and the watch cache of every resource written. Pokes carry no
// state beyond what finds the work (for the controllers, the changed object's owner
// references; for a watch cache, the highest revision): each component re-reads the
// store (level-triggered), so a lost or duplicated poke is harmless and a periodic
// resync in each component covers the rare lost one. Pokes to a component that has one
// in flight from this isolate are merged into one follow-up (poke-coalescer.ts).
import type { Change } from "../store/store";
import type { Pod, Node } from "../model/types";
import { nodeAgent, scheduler, controllers, watchCache, type ControllerKey } from "./stubs";
import { nodeConfigFromObject } from "./node-config";
import { ObjectStore } from "../store/store";
import { CRD_RESOURCE } from "../model/crd-types";
import { isBuiltInStorageKey } from "../model/resources";
import { claimRef, configRef, podRefs, type ConfigResource } from "../model/pod-config-refs";
import { ROOT_CA_CONFIGMAP } from "../model/service-account-volume";
import { isolatePokes } from "./poke-coalescer";

const CONTROLLED = new Set(["pods", "replicasets.apps", "replicationcontrollers", "deployments.apps", "jobs.batch", "cronjobs.batch", "namespaces", "nodes", "services", "endpoints", "serviceaccounts", "daemonsets.apps", "statefulsets.apps", "controllerrevisions.apps", "clusterroles.rbac.authorization.k8s.io", "persistentvolumes", "persistentvolumeclaims", "horizontalpodautoscalers.autoscaling", CRD_RESOURCE, "poddisruptionbudgets.policy", "ingresses.networking.k8s.io", "ingressclasses.networking.k8s.io", "resourcequotas", "configmaps", "secrets"]);

/** What the controllers hear of a change: the same whether poked or committed by them. */
export function controllerKeyOf(ch: Change): ControllerKey {
  const m = ch.object.metadata;
  const key: ControllerKey = { type: ch.type, resource: ch.resource, namespace: m.namespace ?? "", name: m.name ?? "", ownerReferences: m.ownerReferences, deletionTimestamp: m.deletionTimestamp };
  if (ch.resource === "pods") {
    const claims = ((ch.object as Pod).spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
    if (claims.length) key.claimNames = claims;
    const phase = (ch.object as Pod).status?.phase;
    if (phase) key.phase = phase;
  }
  return key;
}

export interface DispatchOptions {
  /** The component that wrote: it is not poked about its own writes. */
  origin?: "scheduler" | "controllers" | `node:${string}`;
}

/** Writers that only bind pods, write their status or delete them: they never change a pod's labels or owner references. */
export function keepsPodLabels(origin: DispatchOptions["origin"]): boolean {
  return origin === "scheduler" || (origin?.startsWith("node:") ?? false);
}

export async function dispatchChanges(env: Env, changes: Change[], opts: DispatchOptions = {}): Promise<void> {
  const podLabelsKept = keepsPodLabels(opts.origin);
  let pokeScheduler = false;
  const nodes = new Set<string>();
  /** Nodes whose Node object changed (the rest of `nodes` only had pods change). */
  const nodeObjects = new Set<string>();
  const keys: ControllerKey[] = [];
  const starts: Node[] = [];
  const stops: string[] = [];
  const configs = new Set<string>();
  /** Per resource, the highest revision committed: all its watch cache needs to hear. */
  const watched = new Map<string, number>();

  for (const ch of changes) {
    const rv = Number(ch.object.metadata.resourceVersion);
    if (rv > (watched.get(ch.resource) ?? 0)) watched.set(ch.resource, rv);
    if (ch.resource === "pods") {
      const pod = ch.object as Pod;
      const node = pod.spec?.nodeName;
      if (!node && ch.type !== "DELETED" && !pod.metadata.deletionTimestamp) pokeScheduler = true;
      if (node) nodes.add(node);
      // A pod that went away (or finished) frees room on its node.
      if (node && (ch.type === "DELETED" || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed")) pokeScheduler = true;
    } else if (ch.resource === "nodes") {
      pokeScheduler = true;
      // Its kubelet reads its own Node too: fault labels, cordon, external mode.
      if (ch.type === "MODIFIED") {
        nodes.add(ch.object.metadata.name ?? "");
        nodeObjects.add(ch.object.metadata.name ?? "");
      }
      if (ch.type === "ADDED") starts.push(ch.object as Node);
      if (ch.type === "DELETED") stops.push(ch.object.metadata.name ?? "");
    }
    if (ch.resource === "configmaps" || ch.resource === "secrets") {
      const m = ch.object.metadata;
      configs.add(configRef(ch.resource as ConfigResource, m.namespace ?? "", m.name ?? ""));
    }
    if (ch.resource === "persistentvolumeclaims") {
      // A claim bound (or gone): pods waiting for it may be scheduled, or mount it.
      const m = ch.object.metadata;
      pokeScheduler = true;
      configs.add(claimRef(m.namespace ?? "", m.name ?? ""));
    }
    // A custom object that goes may leave dependents for the garbage collector.
    // Of ConfigMaps, the controllers only keep the root CA's (root-ca-publisher.ts).
    const rootCA = ch.resource === "configmaps" && ch.object.metadata.name === ROOT_CA_CONFIGMAP;
    if (CONTROLLED.has(ch.resource) || rootCA || (ch.type === "DELETED" && !isBuiltInStorageKey(ch.resource))) {
      const key = controllerKeyOf(ch);
      if (podLabelsKept && ch.type === "MODIFIED" && ch.resource === "pods") key.labelsUnchanged = true;
      keys.push(key);
    }
  }

  const work: Promise<unknown>[] = [];
  // Every writer, the watch caches' own origin included: they do not write.
  for (const [resource, rv] of watched) work.push(isolatePokes.send(`cache:${resource}`, rv, Math.max, (at) => watchCache(env, resource).poke(resource, at)));
  if (pokeScheduler && opts.origin !== "scheduler") work.push(isolatePokes.send("scheduler", true, orBoth, () => scheduler(env).poke()));
  for (const n of nodes) {
    if (opts.origin !== `node:${n}`) work.push(isolatePokes.send(`node:${n}`, nodeObjects.has(n), orBoth, (node) => nodeAgent(env, n).poke({ node })));
  }
  for (const node of starts) {
    const name = node.metadata.name ?? "";
    if (opts.origin !== `node:${name}`) work.push(nodeAgent(env, name).start(nodeConfigFromObject(node)));
  }
  for (const n of stops) work.push(nodeAgent(env, n).stop());
  if (keys.length && opts.origin !== "controllers") work.push(isolatePokes.send("controllers", keys, (a, b) => a.concat(b), (ks) => controllers(env).poke(ks)));
  if (configs.size) work.push(pokeConfigUsers(env, configs));
  const results = await Promise.allSettled(work);
  for (const r of results) if (r.status === "rejected") console.error("control-plane poke failed:", r.reason);
}

const orBoth = (a: boolean, b: boolean) => a || b;

/**
 * A ConfigMap or Secret changed: tell the nodes whose pods refer to it (one read of the
 * namespaces' pods here, so kubelets never poll the store for them).
 */
async function pokeConfigUsers(env: Env, refs: Set<string>): Promise<void> {
  const store = new ObjectStore(env.DB);
  const namespaces = new Set([...refs].map((r) => r.split("/")[1]));
  const byNode = new Map<string, Set<string>>();
  for (const ns of namespaces) {
    const { items } = await store.list("pods", { namespace: ns });
    for (const pod of items as Pod[]) {
      const node = pod.spec?.nodeName;
      if (!node) continue;
      for (const r of podRefs(pod)) {
        if (!refs.has(r)) continue;
        const set = byNode.get(node) ?? new Set<string>();
        set.add(r);
        byNode.set(node, set);
      }
    }
  }
  await Promise.all([...byNode].map(([node, set]) => nodeAgent(env, node).configChanged([...set])));
}
