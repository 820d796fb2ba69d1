// The cluster as it exists on first start: the four standard namespaces, the default
// RBAC policy (bootstrap-policy.ts), the
// `kubernetes` Service in default (the API server's own, kept by the API server as
// upstream does), the system PriorityClasses, the default StorageClass `standard` and IngressClass
// `nginx` (kept like an addon manager keeps minikube's), and DEFAULT_NODE_COUNT worker nodes. Runs once
// per isolate, is idempotent, and only
// creates nodes on a cluster that never had its namespaces (so nodes a person deleted
// stay deleted across restarts).
import type { ObjectStore } from "../store/store";
import type { Registry } from "../registry/registry";
import type { ClusterConfig } from "../config";
import type { EndpointSlice, Endpoints, KubeObject, Service, StorageClass } from "../model/types";
import { DEFAULT_STORAGE_CLASS, EDGEKUBE_PROVISIONER, IS_DEFAULT_CLASS_ANNOTATION } from "../model/storage";
import { resourceForKind, storageKey } from "../model/resources";
import { ApiError } from "../model/errors";
import { nodeAgent } from "./stubs";
import { KUBERNETES_SERVICE_IP } from "../model/cluster-addresses";
import { DEFAULT_NODE } from "./node-config";
import { ensureBootstrapPolicy } from "./bootstrap-policy";
import { SYSTEM_PRIORITY_CLASSES } from "../model/priority";
import { DEFAULT_INGRESS_CLASS, EDGEKUBE_INGRESS_CONTROLLER, IS_DEFAULT_INGRESS_CLASS_ANNOTATION } from "../model/ingress";
import type { IngressClass } from "../model/ingress-types";

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** What bootstrapping works with: the API passes its own context (src/api/context.ts). */
interface BootstrapContext {
  env: Env;
  store: ObjectStore;
  registry: Registry;
  config: ClusterConfig;
  now: () => number;
}

let ready: Promise<void> | undefined;

export function ensureCluster(ctx: BootstrapContext): Promise<void> {
  ready ??= bootstrap(ctx).catch((e) => {
    ready = undefined;
    throw e;
  });
  return ready;
}

async function bootstrap(ctx: BootstrapContext): Promise<void> {
  const existing = await ctx.store.list("namespaces", {});
  const names = new Set(existing.items.map((n) => n.metadata.name));
  const firstStart = !names.has("kube-system");
  for (const name of SYSTEM_NAMESPACES) {
    if (names.has(name)) continue;
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    try {
      await ctx.registry.create("namespaces", ns);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
  }
  // Every identity but the administrator is authorized with these: they come first.
  await ensureBootstrapPolicy(ctx);
  // Best effort: the API must come up (and a first start get its nodes) even if this
  // fails; the next isolate tries again.
  await ensureKubernetesService(ctx).catch((e) => console.error("creating the kubernetes Service failed:", e));
  await createIfMissing(ctx, defaultStorageClass()).catch((e) => console.error("creating the default StorageClass failed:", e));
  // The API server's own post-start hook (scheduling's bootstrap-system-priority-classes).
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    await createIfMissing(ctx, structuredClone(pc)).catch((e) => console.error(`creating PriorityClass ${pc.metadata.name} failed:`, e));
  }
  await createIfMissing(ctx, defaultIngressClass()).catch((e) => console.error("creating the default IngressClass failed:", e));
  if (!firstStart) return;
  const count = ctx.config.defaultNodeCount;
  // A bounded number of nodes join at once: thousands of registrations in flight
  // together only queue up in memory behind the one database, as kubelets joining a
  // real cluster queue behind the API server's inflight limit.
  let next = 0;
  const joinOne = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await nodeAgent(ctx.env, `node-${i + 1}`).start({
        ...DEFAULT_NODE,
        name: `node-${i + 1}`,
        cpu: ctx.config.defaultNodeCpu,
        memory: ctx.config.defaultNodeMemory,
        // Every third node runs CRI-O, so the cluster shows both runtimes.
        runtime: i % 3 === 2 ? "cri-o" : "containerd",
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, NODES_JOINING_AT_ONCE) }, joinOne));
}

/** Nodes registering at once at first start. */
const NODES_JOINING_AT_ONCE = 64;

/** Where the API server says it listens (what the `kubernetes` Endpoints point at). */
const API_SERVER_ENDPOINT = { ip: "192.168.49.2", port: 8443 };

async function createIfMissing(ctx: BootstrapContext, obj: KubeObject): Promise<void> {
  const info = resourceForKind(obj.apiVersion, obj.kind)!;
  const resource = storageKey(info);
  if (await ctx.store.get(resource, obj.metadata.namespace ?? "", obj.metadata.name ?? "")) return;
  try {
    await ctx.registry.create(resource, obj);
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
  }
}

/**
 * `standard`, the default class, binding Immediate as minikube's `standard` does: the
 * model's volumes are network storage that attaches on any node, so there is no
 * topology to wait for (kind's local-path class waits for the first consumer because
 * its volumes are directories of one node).
 */
function defaultStorageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: "true" }, labels: { "addonmanager.kubernetes.io/mode": "EnsureExists" } },
    provisioner: EDGEKUBE_PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
    allowVolumeExpansion: false,
  };
}

/**
 * The default IngressClass, served by the Worker's own router. Named `nginx` as
 * minikube's ingress addon names its class, so manifests written for it (and the
 * docs' `ingressClassName: nginx`) work unchanged.
 */
function defaultIngressClass(): IngressClass {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: DEFAULT_INGRESS_CLASS, annotations: { [IS_DEFAULT_INGRESS_CLASS_ANNOTATION]: "true" }, labels: { "app.kubernetes.io/component": "controller", "addonmanager.kubernetes.io/mode": "EnsureExists" } },
    spec: { controller: EDGEKUBE_INGRESS_CONTROLLER },
  };
}

/** default/kubernetes: ClusterIP 10.96.0.1, port 443 to the API server's 8443, no selector. */
async function ensureKubernetesService(ctx: BootstrapContext): Promise<void> {
  const labels = { component: "apiserver", provider: "kubernetes" };
  const svc: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels },
    spec: { type: "ClusterIP", clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: API_SERVER_ENDPOINT.port }] },
  };
  await createIfMissing(ctx, svc);
  const ports = [{ name: "https", port: API_SERVER_ENDPOINT.port, protocol: "TCP" as const }];
  const endpoints: Endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip: API_SERVER_ENDPOINT.ip }], ports }],
  };
  await createIfMissing(ctx, endpoints);
  const slice: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [API_SERVER_ENDPOINT.ip], conditions: { ready: true } }],
    ports,
  };
  await createIfMissing(ctx, slice);
}

