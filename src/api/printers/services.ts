// Service columns as printService prints them, so `kubectl get svc` shows
// TYPE, CLUSTER-IP, EXTERNAL-IP and PORT(S) as a real cluster would.
import type { KubeObject, Service, ServicePort } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

// Descriptions are core/v1 ServiceSpec's field docs, as upstream takes them from SwaggerDoc().
const COLUMNS = [
  NAME_COLUMN,
  col(
    "Type",
    "string",
    "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
  ),
  col(
    "Cluster-IP",
    "string",
    "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
  ),
  col(
    "External-IP",
    "string",
    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
  ),
  col("Port(s)", "string", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
  AGE_COLUMN,
  col(
    "Selector",
    "string",
    "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
    { priority: 1 },
  ),
] as const;

/**
 * loadBalancerStatusStringer: each ingress's ip, else its hostname, deduplicated
 * and sorted. The apiserver prints with Wide: true, so the 16-character clipping
 * upstream applies for narrow client-side output never happens here.
 */
function loadBalancerAddresses(svc: Service): string[] {
  const seen = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    const addr = ing.ip || ing.hostname;
    if (addr) seen.add(addr);
  }
  return [...seen].sort();
}

/** getServiceExternalIP. */
function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      // Load-balancer addresses come first, then the user's externalIPs.
      const all = [...loadBalancerAddresses(svc), ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/** makePortString: "port/proto", or "port:nodePort/proto" once a node port is allocated. */
function portString(ports: readonly ServicePort[]): string {
  // Protocol is printed as stored; defaulting has already made it TCP when absent.
  return ports.map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ""}` : `${p.port}/${p.protocol ?? ""}`)).join(",");
}

/** labels.FormatLabels: "k=v" sorted by key, "<none>" for an empty map. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${labels?.[k] ?? ""}`).join(",");
}

export const servicePrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const svc = obj as Service;
    const spec = svc.spec ?? {};
    // Upstream reads clusterIPs[0]; the apiserver keeps clusterIP equal to it, so
    // clusterIP stands in for a Service stored without the list.
    const clusterIP = spec.clusterIPs?.[0] ?? (spec.clusterIP || "<none>");
    return [
      svc.metadata.name ?? "",
      spec.type ?? "",
      clusterIP,
      externalIP(svc),
      portString(spec.ports ?? []) || "<none>",
      formatAge(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};
