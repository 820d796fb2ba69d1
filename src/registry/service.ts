// The Service registry's rules around a write: status is the server's on create; on
// an update, fields that only the old type used are dropped when the writer left them
// as they were (upstream's dropTypeDependentFields, so `type: ClusterIP` on a NodePort
// Service just works), and the allocated addresses a writer left out are kept.
import type { Service, ServicePort, ServiceSpec } from "../model/types";
import { defaultService } from "./defaults";

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
/** Whether a Service of this spec gets node ports allocated (NodePort, and LoadBalancer unless told not to). */
export const needsNodePorts = (s: ServiceSpec) => s.type === "NodePort" || (s.type === "LoadBalancer" && s.allocateLoadBalancerNodePorts !== false);
const needsClusterIPs = (s: ServiceSpec) => s.type !== "ExternalName";
const externallyReachable = (s: ServiceSpec) => s.type === "NodePort" || s.type === "LoadBalancer" || (s.externalIPs?.length ?? 0) > 0;
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function ports(spec: ServiceSpec): ServicePort[] {
  return Array.isArray(spec.ports) ? spec.ports.filter(isObject) : [];
}

/** The old port a new one continues: by name when both are named (upstream), else by number and protocol. */
function previous(p: ServicePort, old: ServiceSpec): ServicePort | undefined {
  const olds = ports(old);
  if (p.name) {
    const named = olds.find((o) => o.name === p.name);
    if (named) return named;
  }
  return olds.find((o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP"));
}

export function prepareServiceCreate(svc: Service): void {
  defaultService(svc);
  // A client does not get to say what the load balancer gave it.
  svc.status = { loadBalancer: {} };
}

export function prepareServiceUpdate(next: Service, old: Service): void {
  if (!isObject(next.spec) || !isObject(old.spec)) return defaultService(next);
  dropTypeDependentFields(next.spec, old.spec);
  defaultService(next);
  keepAddresses(next.spec, old.spec);
}

function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIPs(old) && !needsClusterIPs(spec)) {
    if (same(spec.clusterIP, old.clusterIP)) delete spec.clusterIP;
    if (same(spec.clusterIPs, old.clusterIPs)) delete spec.clusterIPs;
    if (same(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, old.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
    if (same(spec.internalTrafficPolicy, old.internalTrafficPolicy)) delete spec.internalTrafficPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(spec)) {
    for (const p of ports(spec)) {
      const was = previous(p, old);
      if (p.nodePort && was && p.nodePort === was.nodePort) delete p.nodePort;
    }
  }
  if (externallyReachable(old) && !externallyReachable(spec) && same(spec.externalTrafficPolicy, old.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  if (old.type === "LoadBalancer" && spec.type !== "LoadBalancer" && same(spec.allocateLoadBalancerNodePorts, old.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
}

/** The allocated cluster IPs, and each port's node port, when left out (a node port already in use by another port is not carried). */
function keepAddresses(spec: ServiceSpec, old: ServiceSpec): void {
  if (!needsClusterIPs(spec) || !needsClusterIPs(old)) return;
  if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
  if (!spec.clusterIPs?.length && old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
  if (!needsNodePorts(spec)) return;
  const inUse = new Set(ports(spec).filter((p) => p.nodePort).map((p) => `${p.nodePort}/${p.protocol ?? "TCP"}`));
  for (const p of ports(spec)) {
    if (p.nodePort) continue;
    const was = previous(p, old);
    if (!was?.nodePort || inUse.has(`${was.nodePort}/${p.protocol ?? "TCP"}`)) continue;
    p.nodePort = was.nodePort;
    inUse.add(`${was.nodePort}/${p.protocol ?? "TCP"}`);
  }
}
