// The cluster network as a pod sees it (its `curl`, `nslookup`, a program's outgoing
// requests): what kube-proxy and cluster DNS give a real pod, resolved against the
// API's objects.
// - a name goes through the pod's search path to cluster DNS (src/model/cluster-dns.ts):
//   `web`, `web.ns`, `web.ns.svc.cluster.local`, `web-0.nginx` (a pod's hostname under
//   a headless Service);
// - a pod IP (10.244.0.0/16) reaches that pod on whichever node runs it;
// - a Service's cluster IP (or a name that answers it) reaches one ready endpoint of
//   the Service, at the target port its EndpointSlice names for the Service port asked for;
// - anything else does not resolve (a name) or does not route (an address).
import type { EndpointSlice, Pod, Service } from "../model/types";
import { answerQuery, isHeadless, parseClusterName, podSearchPath, reverseName, searchCandidates, type ClusterQuery, type DnsAnswer } from "../model/cluster-dns";
import { pickOne, readyEndpoints } from "../store/service-endpoints";
import type { HttpOutcome, HttpRequest } from "./images/types";
import type { ObjectStore } from "../store/store";
import { inPodRange, inServiceRange } from "../model/cluster-addresses";

interface PodTarget {
  node: string;
  podIP: string;
  port: number;
}

interface ClusterNetworkDeps {
  store: () => ObjectStore;
  /** Deliver the request to a pod on `target.node` (this node or another). */
  deliver: (target: PodTarget, req: HttpRequest) => Promise<HttpOutcome>;
  /** The namespace of the pod that sends (its short DNS names resolve there). */
  namespaceOf: (sandboxId: string) => string | undefined;
  /** The API server, behind the `kubernetes` Service in default (absent: nothing answers there). */
  apiServer?: (req: HttpRequest) => Promise<HttpOutcome>;
  random?: () => number;
}

type Route = { kind: "target"; target: PodTarget } | { kind: "apiserver" } | HttpOutcome;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class ClusterNetwork {
  constructor(private readonly d: ClusterNetworkDeps) {}

  /** The runtime's network hook. */
  readonly request = async (from: { sandboxId: string; podIP: string }, host: string, port: number, req: HttpRequest): Promise<HttpOutcome> => {
    const target = await this.resolve(from, host, port);
    if (target.kind === "apiserver") return this.d.apiServer ? this.d.apiServer({ ...req, remoteAddr: from.podIP }) : { kind: "refused" };
    if (target.kind !== "target") return target;
    return this.d.deliver(target.target, { ...req, remoteAddr: from.podIP });
  };

  /** The runtime's DNS hook: a pod's lookups go through its namespace's search path. */
  readonly dns = {
    lookup: (from: { sandboxId: string }, name: string, search: boolean) => this.lookup(this.d.namespaceOf(from.sandboxId) ?? "default", name, search),
    reverse: (ip: string) => this.reverse(ip),
  };

  /**
   * Cluster DNS for a pod of `namespace`: `name` through its resolv.conf search path
   * when `search` (a stub resolver), else as given. Null: no name tried answered.
   */
  async lookup(namespace: string, name: string, search = true): Promise<DnsAnswer | null> {
    return (await this.find(namespace, name, search))?.answer ?? null;
  }

  /** PTR: the cluster name of a ClusterIP or an endpoint address. */
  async reverse(ip: string): Promise<string | undefined> {
    if (!IPV4.test(ip)) return undefined;
    const store = this.d.store();
    const services = (await store.list("services", { filter: (s) => (s as Service).spec.clusterIP === ip })).items as Service[];
    if (services.length) return reverseName(ip, services, []);
    const slices = (await store.list("endpointslices.discovery.k8s.io", { filter: (o) => ((o as EndpointSlice).endpoints ?? []).some((e) => e.addresses?.[0] === ip) })).items as EndpointSlice[];
    return reverseName(ip, [], slices);
  }

  private async find(namespace: string, name: string, search: boolean): Promise<{ answer: DnsAnswer; service?: Service; query: ClusterQuery } | null> {
    const candidates = search ? searchCandidates(name, podSearchPath(namespace)) : [name.toLowerCase().replace(/\.$/, "")];
    const store = this.d.store();
    for (const fqdn of candidates) {
      const query = parseClusterName(fqdn);
      if (!query) continue;
      if (query.kind === "pod") return { answer: { name: fqdn, addresses: answerQuery(query, null, []) }, query };
      const svc = (await store.get("services", query.namespace, query.service)) as Service | null;
      if (!svc) continue;
      const needSlices = query.kind === "endpoint" || isHeadless(svc);
      const slices = needSlices ? ((await store.list("endpointslices.discovery.k8s.io", { namespace: query.namespace, labelEquals: { "kubernetes.io/service-name": query.service } })).items as EndpointSlice[]) : [];
      const addresses = answerQuery(query, svc, slices);
      if (addresses.length) return { answer: { name: fqdn, addresses }, service: svc, query };
    }
    return null;
  }

  private async resolve(from: { sandboxId: string }, host: string, port: number): Promise<Route> {
    if (IPV4.test(host)) return this.route(host, port);
    const found = await this.find(this.d.namespaceOf(from.sandboxId) ?? "default", host, true);
    if (!found) return { kind: "unresolved" };
    // A Service name with a virtual IP: kube-proxy's rules for it, without another read.
    if (found.query.kind === "service" && found.service && !isHeadless(found.service)) return this.endpoint(found.service, port);
    return this.route(pickOne(found.answer.addresses, this.d.random)!, port);
  }

  /** Where packets to an address go: a pod on its node, or a Service's endpoint. */
  private async route(ip: string, port: number): Promise<Route> {
    const store = this.d.store();
    if (inPodRange(ip)) {
      const pod = (await store.list("pods", { filter: (p) => (p as Pod).status?.podIP === ip && !!(p as Pod).spec.nodeName })).items[0] as Pod | undefined;
      return pod ? { kind: "target", target: { node: pod.spec.nodeName!, podIP: ip, port } } : { kind: "unreachable" };
    }
    if (inServiceRange(ip)) {
      const svc = (await store.list("services", { filter: (s) => (s as Service).spec.clusterIP === ip })).items[0] as Service | undefined;
      return svc ? this.endpoint(svc, port) : { kind: "unreachable" };
    }
    return { kind: "unreachable" };
  }

  /** One ready endpoint of the Service for its port `port` (kube-proxy's random pick). */
  private async endpoint(svc: Service, port: number): Promise<Route> {
    const sp = (svc.spec.ports ?? []).find((p) => p.port === port);
    // No such Service port: kube-proxy has no rule for it, so nothing answers.
    if (!sp) return { kind: "refused" };
    // The API server's own Service: its endpoint is the API server, not a pod.
    if (svc.metadata.namespace === "default" && svc.metadata.name === "kubernetes") return { kind: "apiserver" };
    const ready = (await readyEndpoints(this.d.store(), svc, sp)).filter((e) => e.nodeName);
    const pick = pickOne(ready, this.d.random);
    // A Service without ready endpoints rejects connections (kube-proxy's REJECT rule).
    if (!pick) return { kind: "refused" };
    return { kind: "target", target: { node: pick.nodeName!, podIP: pick.ip, port: pick.port } };
  }
}
