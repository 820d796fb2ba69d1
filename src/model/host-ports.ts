// Host ports, as the scheduler's NodePorts filter and the kubelet's admission both
// count them (upstream util.GetHostPorts and HostPortInfo): the two must agree, or a
// pod the scheduler placed is refused by its node.
import type { ContainerPort, Pod } from "./types";

const DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0";

/** A host port in use: protocol and port on one host IP ("0.0.0.0" = all). */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/**
 * Host ports the pod occupies: app containers and sidecars (restartable init
 * containers run for the pod's lifetime); plain init containers do not hold
 * ports (upstream util.GetHostPorts).
 */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const take = (ports: ContainerPort[] | undefined) => {
    for (const p of ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || "TCP", port: p.hostPort });
    }
  };
  for (const c of pod.spec.initContainers ?? []) if (c.restartPolicy === "Always") take(c.ports);
  for (const c of pod.spec.containers ?? []) take(c.ports);
  return out;
}

/**
 * True when (ip, protocol, port) collides with a port in use: 0.0.0.0 collides
 * with the same protocol/port on any IP, a specific IP with itself or 0.0.0.0
 * (upstream HostPortInfo.CheckConflict).
 */
export function hostPortConflicts(used: Map<string, Set<string>>, hp: HostPort): boolean {
  if (hp.port <= 0) return false;
  const pp = `${hp.protocol}/${hp.port}`;
  if (hp.ip === DEFAULT_BIND_ALL_HOST_IP) {
    for (const set of used.values()) if (set.has(pp)) return true;
    return false;
  }
  return (used.get(DEFAULT_BIND_ALL_HOST_IP)?.has(pp) ?? false) || (used.get(hp.ip)?.has(pp) ?? false);
}
