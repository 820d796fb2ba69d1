// The endpoints and endpointslice controllers for one Service, plus its allocations:
// level-triggered, re-reading the Service and the pods its selector picks.
// - A Service with a selector gets an Endpoints object (same name: ready addresses,
//   notReadyAddresses) and EndpointSlices (`<service>-<5 chars>`, owned by the
//   Service, labelled kubernetes.io/service-name, one per resolved port set and 100
//   endpoints), rewritten only when they change.
//   Terminating pods are left out of Endpoints and shown terminating in the slice.
// - A Service without a selector keeps whatever endpoints people write for it.
// - A deleted Service's Endpoints go with it; its slices too (they are owned by it).
// - Cluster IPs and node ports the Service no longer uses (or a gone Service held)
//   go back to the allocator.
import type { ControllerContext } from "./context";
import type { EndpointAddress, EndpointPort, EndpointSlice, Endpoints, KubeObject, Pod, Service, SliceEndpoint } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ServiceAllocator } from "./service-allocator";
import type { ControllerKey } from "../controlplane/stubs";
import { namesOf, type Controller, type NamespacedName } from "./controller";
import { NamespaceIndex } from "./namespace-index";
import { randomSuffix } from "../registry/strategy";

/** A Service's addresses are released only this long after they were handed out (its create may be in flight). */
const ALLOCATION_GRACE_MS = 60_000;
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
const MANAGED_BY = "endpointslice-controller.k8s.io";
const MIRROR_MANAGED_BY = "endpointslicemirroring-controller.k8s.io";
const SLICES = "endpointslices.discovery.k8s.io";
/** The upstream controller's default --max-endpoints-per-slice. */
const SLICE_MAX_ENDPOINTS = 100;

interface WantedSlice {
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

interface Resolved {
  pod: Pod;
  ports: EndpointPort[];
  ready: boolean;
  terminating: boolean;
}

/** The container port a service port's targetPort names, or the number itself. */
function targetPortOf(pod: Pod, target: number | string | undefined, fallback: number): number | undefined {
  if (typeof target === "number") return target;
  if (target === undefined || target === "") return fallback;
  for (const c of pod.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return undefined;
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * ShouldSetHostname: a pod whose spec.subdomain names this Service publishes its
 * spec.hostname on its endpoint, which DNS serves as <hostname>.<service>.<ns>.svc.
 */
function endpointHostname(pod: Pod, svc: Service): string | undefined {
  const { hostname, subdomain } = pod.spec;
  return hostname && subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? hostname : undefined;
}

function podRef(pod: Pod) {
  return { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

export class ServiceController implements Controller {
  readonly name = "svc";
  /** namespace → names of its Services; undefined until first needed. */
  /** The Services of each namespace, for the pod fan-out. */
  readonly index = new NamespaceIndex(async () => (await this.ctx.store.list("services")).items);

  constructor(
    private readonly ctx: ControllerContext,
    private readonly allocator: () => ServiceAllocator,
  ) {}

  /** A Service's own changes, and its Endpoints' (named after it; mirrored when it has no selector). */
  keysFor(ch: ControllerKey): NamespacedName[] {
    return ch.resource === "services" || ch.resource === "endpoints" ? [{ namespace: ch.namespace, name: ch.name }] : [];
  }

  /** Every Service, and every owner of held addresses (its Service never stored, or gone). */
  async resyncKeys(): Promise<NamespacedName[]> {
    this.index.forget();
    return [...namesOf((await this.ctx.store.list("services")).items), ...this.allocator().owners().map(({ namespace, name }) => ({ namespace, name }))];
  }

  async reconcile({ namespace, name }: NamespacedName): Promise<void> {
    const { store } = this.ctx;
    const svc = (await store.get("services", namespace, name)) as Service | null;
    const live = svc && !svc.metadata.deletionTimestamp ? svc : null;
    this.index.observe(namespace, name, svc !== null);
    // In a namespace being deleted nothing new is written: its endpoints only go.
    const terminating = this.ctx.terminating.has(namespace);
    // A stored Service keeps its addresses until it is gone, terminating or not; the
    // records it should have are written back if lost (the registry's repair loop).
    const holds = svc ? { uid: svc.metadata.uid ?? "", clusterIP: svc.spec.clusterIP, nodePorts: (svc.spec.ports ?? []).filter((p) => p.nodePort).map((p) => ({ nodePort: p.nodePort!, protocol: p.protocol ?? "TCP" })) } : null;
    const allocator = this.allocator();
    allocator.release({ namespace, name }, holds, this.ctx.now(), ALLOCATION_GRACE_MS);
    if (svc && holds) {
      const taken = allocator.repair({ namespace, name, uid: holds.uid }, holds.clusterIP, holds.nodePorts, this.ctx.now());
      if (taken.length) console.error(`service ${namespace}/${name}: addresses held by another Service: ${taken.join(", ")}`);
    }
    const endpoints = (await store.get("endpoints", namespace, name)) as Endpoints | null;
    const all = (await store.list(SLICES, { namespace, labelEquals: { [SERVICE_NAME_LABEL]: name } })).items as EndpointSlice[];
    const slices = all.filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY);
    const mirrored = all.filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === MIRROR_MANAGED_BY);
    if (!live || terminating) {
      // The Service (or its namespace) is going: so are its endpoints.
      const ops: WriteOp[] = [];
      if (endpoints) ops.push({ op: "delete", resource: "endpoints", object: endpoints, expectedRv: Number(endpoints.metadata.resourceVersion) });
      for (const s of [...slices, ...mirrored]) ops.push(deleteOp(s));
      if (ops.length) await this.ctx.registry.commit(ops);
      return;
    }
    const selector = live.spec.selector;
    if (!selector || Object.keys(selector).length === 0) {
      // The endpoints are the user's: mirror them into slices (as the endpointslicemirroring controller does).
      const ops = [...slices.map((s) => deleteOp(s)), ...this.syncSlices(live, mirrorOf(endpoints), mirrored, MIRROR_MANAGED_BY)];
      if (ops.length) await this.ctx.registry.commit(ops);
      return;
    }

    const pods = (await store.list("pods", { namespace, labelEquals: selector })).items as Pod[];
    const resolved = pods.filter((p) => p.status?.podIP && p.status.phase !== "Succeeded" && p.status.phase !== "Failed").map((pod) => this.resolve(live, pod));
    const ops: WriteOp[] = [];
    const wantEndpoints = this.endpointsFor(live, resolved, endpoints);
    if (wantEndpoints) ops.push(wantEndpoints);
    ops.push(...mirrored.map((s) => deleteOp(s)), ...this.syncSlices(live, this.slicesFor(live, resolved), slices, MANAGED_BY));
    if (ops.length) await this.ctx.registry.commit(ops);
  }

  private resolve(svc: Service, pod: Pod): Resolved {
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = targetPortOf(pod, sp.targetPort, sp.port);
      if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? "TCP" });
    }
    const terminating = !!pod.metadata.deletionTimestamp;
    return { pod, ports, ready: isReady(pod) && !terminating, terminating };
  }

  /** The Endpoints object: subsets grouped by resolved ports, as the controller repacks them. */
  private endpointsFor(svc: Service, resolved: Resolved[], current: Endpoints | null): WriteOp | null {
    const groups = new Map<string, { ports: EndpointPort[]; addresses: EndpointAddress[]; notReady: EndpointAddress[] }>();
    for (const r of resolved) {
      if (r.terminating || r.ports.length === 0) continue;
      const key = JSON.stringify(r.ports);
      const g = groups.get(key) ?? { ports: r.ports, addresses: [], notReady: [] };
      const hostname = endpointHostname(r.pod, svc);
      const addr: EndpointAddress = { ip: r.pod.status!.podIP!, ...(hostname ? { hostname } : {}), nodeName: r.pod.spec.nodeName, targetRef: podRef(r.pod) };
      (r.ready || svc.spec.publishNotReadyAddresses ? g.addresses : g.notReady).push(addr);
      groups.set(key, g);
    }
    const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, "en", { numeric: true });
    const subsets = [...groups.values()].map((g) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ports: g.ports,
    }));
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (current) {
      if (JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels)) return null;
      const next: Endpoints = { ...current, metadata: { ...current.metadata, labels }, subsets };
      return { op: "update", resource: "endpoints", object: next, old: current, expectedRv: Number(current.metadata.resourceVersion) };
    }
    const obj: Endpoints = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels },
      subsets,
    };
    return { op: "create", resource: "endpoints", object: obj as KubeObject };
  }

  /**
   * EndpointSlices as the upstream controller groups them: one per set of resolved
   * ports (a named targetPort may resolve differently per pod, e.g. mid-rollout), at
   * most SLICE_MAX_ENDPOINTS endpoints each; pods whose ports do not resolve are left
   * out. A Service with no endpoints keeps one slice with its ports and none.
   * Existing slices are reused by port set, so a steady Service writes nothing.
   */
  private slicesFor(svc: Service, resolved: Resolved[]): WantedSlice[] {
    const groups = new Map<string, { ports: EndpointPort[]; endpoints: SliceEndpoint[] }>();
    for (const r of resolved) {
      if (r.ports.length === 0) continue;
      const ports = slicePorts(r.ports);
      const key = JSON.stringify(ports);
      const g = groups.get(key) ?? { ports, endpoints: [] };
      const hostname = endpointHostname(r.pod, svc);
      g.endpoints.push({
        addresses: [r.pod.status!.podIP!],
        // publishNotReadyAddresses: every endpoint is ready, for DNS and proxies alike.
        conditions: { ready: r.ready || !!svc.spec.publishNotReadyAddresses, serving: isReady(r.pod), terminating: r.terminating },
        ...(hostname ? { hostname } : {}),
        nodeName: r.pod.spec.nodeName,
        targetRef: podRef(r.pod),
      });
      groups.set(key, g);
    }
    if (groups.size === 0) {
      const ports = slicePorts((svc.spec.ports ?? []).map((p) => ({ name: p.name, port: typeof p.targetPort === "number" ? p.targetPort : p.port, protocol: p.protocol ?? "TCP" })));
      groups.set(JSON.stringify(ports), { ports, endpoints: [] });
    }
    const wanted: WantedSlice[] = [];
    for (const g of groups.values()) {
      g.endpoints.sort((a, b) => a.addresses[0].localeCompare(b.addresses[0], "en", { numeric: true }));
      for (let i = 0; i < Math.max(1, g.endpoints.length); i += SLICE_MAX_ENDPOINTS) wanted.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + SLICE_MAX_ENDPOINTS) });
    }
    return wanted;
  }

  /** Make `current` (this manager's slices of the Service) match `wanted`, reusing slices by ports. */
  private syncSlices(svc: Service, wanted: WantedSlice[], current: EndpointSlice[], managedBy: string): WriteOp[] {
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: svc.metadata.name ?? "", [MANAGED_BY_LABEL]: managedBy };
    // Slices of an earlier Service of the same name (deleted and made again) are not ours.
    const spare = current.filter((s) => s.metadata.ownerReferences?.some((o) => o.controller && o.uid === svc.metadata.uid));
    const ops: WriteOp[] = current.filter((s) => !spare.includes(s)).map((s) => deleteOp(s));
    for (const want of wanted) {
      // Reuse a slice with the same ports if there is one, else any spare one.
      const i = Math.max(spare.findIndex((s) => JSON.stringify(s.ports ?? []) === JSON.stringify(want.ports)), spare.length ? 0 : -1);
      const keep = i >= 0 ? spare.splice(i, 1)[0] : undefined;
      if (keep) {
        const same = JSON.stringify(keep.endpoints ?? []) === JSON.stringify(want.endpoints) && JSON.stringify(keep.ports ?? []) === JSON.stringify(want.ports) && JSON.stringify(keep.metadata.labels) === JSON.stringify(labels);
        if (!same) ops.push({ op: "update", resource: SLICES, object: { ...keep, metadata: { ...keep.metadata, labels }, endpoints: want.endpoints, ports: want.ports }, old: keep, expectedRv: Number(keep.metadata.resourceVersion) });
        continue;
      }
      const slice: EndpointSlice = {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: `${svc.metadata.name}-${randomSuffix()}`,
          generateName: `${svc.metadata.name}-`,
          namespace: svc.metadata.namespace,
          labels,
          ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.metadata.name ?? "", uid: svc.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
        },
        addressType: "IPv4",
        endpoints: want.endpoints,
        ports: want.ports,
      };
      ops.push({ op: "create", resource: SLICES, object: slice as KubeObject });
    }
    ops.push(...spare.map((s) => deleteOp(s)));
    return ops;
  }
}


/** Slice ports always carry a name ("" for an unnamed Service port), as the upstream controller writes them: kubectl's describe dereferences it. */
function slicePorts(ports: EndpointPort[]): EndpointPort[] {
  return ports.map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol }));
}

function deleteOp(s: EndpointSlice): WriteOp {
  return { op: "delete", resource: SLICES, object: s, expectedRv: Number(s.metadata.resourceVersion) };
}

/**
 * The slices a selectorless Service's own Endpoints mirror to: one per subset, not-ready
 * addresses as not ready. Endpoints labelled endpointslice.kubernetes.io/skip-mirror
 * (the API server's own) are not mirrored.
 */
function mirrorOf(endpoints: Endpoints | null): WantedSlice[] {
  if (!endpoints || endpoints.metadata.labels?.["endpointslice.kubernetes.io/skip-mirror"] === "true") return [];
  return (endpoints.subsets ?? []).map((subset) => ({
    ports: slicePorts((subset.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? "TCP" }))),
    endpoints: [
      ...(subset.addresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: true }, ...(a.nodeName ? { nodeName: a.nodeName } : {}), ...(a.targetRef ? { targetRef: a.targetRef } : {}) })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: false }, ...(a.nodeName ? { nodeName: a.nodeName } : {}), ...(a.targetRef ? { targetRef: a.targetRef } : {}) })),
    ],
  }));
}
