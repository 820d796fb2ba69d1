// Cluster DNS as CoreDNS's kubernetes plugin answers it, as pure rules over API objects:
// - <svc>.<ns>.svc.<zone>: a Service's ClusterIP, or for a headless Service (clusterIP
//   None) the addresses of its ready endpoints (a Service with publishNotReadyAddresses
//   has every endpoint ready);
// - <host>.<svc>.<ns>.svc.<zone>: the endpoint of that Service whose hostname is <host>
//   (the endpoints controller copies a pod's spec.hostname there when its
//   spec.subdomain names the Service), or whose address is <host> with dashes;
// - <a-b-c-d>.<ns>.pod.<zone>: that address (CoreDNS's `pods insecure`);
// - PTR: a ClusterIP names its Service, an endpoint address its endpoint name.
// And the resolver's side: the search path a pod's resolv.conf gets and the order in
// which a stub resolver tries the names it makes of a query (ndots).
import type { EndpointSlice, Pod, Service, SliceEndpoint } from "./types";

export const CLUSTER_DOMAIN = "cluster.local";
/** The cluster DNS Service's address, every pod's nameserver. */
export const CLUSTER_DNS_IP = "10.96.0.10";
/** The kubelet's resolv.conf option: fewer dots than this try the search path first. */
export const NDOTS = 5;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The search path the kubelet writes into a pod's resolv.conf (dnsPolicy ClusterFirst). */
export function podSearchPath(namespace: string, zone = CLUSTER_DOMAIN): string[] {
  return [`${namespace}.svc.${zone}`, `svc.${zone}`, zone];
}

/**
 * GeneratePodHostNameAndDomain: the pod's hostname (spec.hostname, else its name, at
 * most 63 characters) and, with a subdomain, the domain its /etc/hosts line names.
 */
export function podHostDomain(pod: Pick<Pod, "metadata" | "spec">, zone = CLUSTER_DOMAIN): { hostname: string; domain?: string } {
  const hostname = (pod.spec.hostname || pod.metadata.name || "").slice(0, 63);
  const subdomain = pod.spec.subdomain;
  return subdomain ? { hostname, domain: `${subdomain}.${pod.metadata.namespace ?? "default"}.svc.${zone}` } : { hostname };
}

/**
 * The names a stub resolver asks for, in order: a name ending in "." only as given;
 * one with at least `ndots` dots first as given, then with each search domain; any
 * other with each search domain first, then as given.
 */
export function searchCandidates(name: string, search: readonly string[], ndots = NDOTS): string[] {
  const n = name.toLowerCase();
  if (n.endsWith(".")) return [n.slice(0, -1)];
  const dots = n.split(".").length - 1;
  const searched = search.map((d) => `${n}.${d}`);
  return dots >= ndots ? [n, ...searched] : [...searched, n];
}

/** What a name in the cluster zone asks for, or null when it names nothing there. */
export type ClusterQuery =
  | { kind: "service"; namespace: string; service: string }
  | { kind: "endpoint"; namespace: string; service: string; endpoint: string }
  | { kind: "pod"; namespace: string; ip: string };

export function parseClusterName(fqdn: string, zone = CLUSTER_DOMAIN): ClusterQuery | null {
  const name = fqdn.toLowerCase().replace(/\.$/, "");
  if (!name.endsWith(`.${zone}`)) return null;
  const labels = name.slice(0, -(zone.length + 1)).split(".");
  if (labels.some((l) => l === "")) return null;
  if (labels.length === 3 && labels[2] === "svc") return { kind: "service", service: labels[0], namespace: labels[1] };
  if (labels.length === 4 && labels[3] === "svc") return { kind: "endpoint", endpoint: labels[0], service: labels[1], namespace: labels[2] };
  if (labels.length === 3 && labels[2] === "pod") {
    const ip = labels[0].replace(/-/g, ".");
    return IPV4.test(ip) && ip.split(".").every((o) => Number(o) <= 255) ? { kind: "pod", ip, namespace: labels[1] } : null;
  }
  return null;
}

/** A name that resolved: the name that answered (after the search path) and its A records. */
export interface DnsAnswer {
  name: string;
  addresses: string[];
}

export const isHeadless = (svc: Service): boolean => svc.spec.clusterIP === "None";

/** An endpoint's name under its Service: its hostname, or its address with dashes. */
export function endpointName(ep: SliceEndpoint): string {
  return ep.hostname || (ep.addresses[0] ?? "").replace(/\./g, "-");
}

/** Endpoints DNS serves: ready ones (a nil ready condition means ready). */
function readyEndpoints(slices: readonly EndpointSlice[]): SliceEndpoint[] {
  return slices.flatMap((s) => (s.addressType === "IPv4" || !s.addressType ? (s.endpoints ?? []) : [])).filter((ep) => ep.conditions?.ready !== false && ep.addresses?.length);
}

const uniqueSorted = (ips: string[]) => [...new Set(ips)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

/**
 * The A records of a query, given the Service it names (null when there is none) and
 * that Service's EndpointSlices. No records: NXDOMAIN.
 */
export function answerQuery(q: ClusterQuery, svc: Service | null, slices: readonly EndpointSlice[]): string[] {
  if (q.kind === "pod") return [q.ip];
  // An ExternalName Service answers with a CNAME, not modelled.
  if (!svc || svc.spec.type === "ExternalName") return [];
  if (q.kind === "service") {
    if (!isHeadless(svc)) return svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
    return uniqueSorted(readyEndpoints(slices).map((ep) => ep.addresses[0]));
  }
  return uniqueSorted(
    readyEndpoints(slices)
      .filter((ep) => endpointName(ep) === q.endpoint)
      .map((ep) => ep.addresses[0]),
  );
}

/** PTR: the name of a Service's ClusterIP, or of a ready endpoint's address; undefined: none. */
export function reverseName(ip: string, services: readonly Service[], slices: readonly EndpointSlice[], zone = CLUSTER_DOMAIN): string | undefined {
  const svc = services.find((s) => s.spec.clusterIP === ip);
  if (svc) return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${zone}`;
  // An address behind several Services has a PTR record in each; the one that names a
  // hostname comes first, so the answer does not depend on the order slices are listed in.
  let fallback: string | undefined;
  for (const slice of slices) {
    const owner = slice.metadata.labels?.["kubernetes.io/service-name"];
    if (!owner) continue;
    const ep = readyEndpoints([slice]).find((e) => e.addresses[0] === ip);
    if (!ep) continue;
    const name = `${endpointName(ep)}.${owner}.${slice.metadata.namespace}.svc.${zone}`;
    if (ep.hostname) return name;
    fallback ??= name;
  }
  return fallback;
}
