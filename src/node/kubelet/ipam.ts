// Pod IPs from the node's podCIDR, as the host-local IPAM plugin hands them out: never
// the network address (.0), never the gateway (.1, the bridge), never the broadcast
// address; one pod per IP; an IP is free again once its pod's sandbox is gone. The
// lowest free address wins, so allocation is deterministic. Every node has its own
// /24 (allocated by the controller manager), so IPs are unique in the cluster.
import { intToIp, parseCidr as parseIpv4Cidr, type Ipv4Range } from "../../util/ipv4";

/** ip -> pod UID */
export type IpTable = Record<string, string>;

export class CidrError extends Error {}

function parseCidr(cidr: string): Ipv4Range {
  const range = parseIpv4Cidr(cidr);
  // A /30 is the smallest range with an address left for a pod once the network, the
  // gateway and the broadcast address are taken.
  if (!range || range.bits < 8 || range.bits > 30) throw new CidrError(`invalid CIDR ${cidr}`);
  return { base: range.base, size: range.size };
}

/**
 * Allocate an IP for `uid` (the same one again if it already has one). Throws with the
 * host-local plugin's message when the range is exhausted.
 */
export function allocateIp(table: IpTable, cidr: string, uid: string): string {
  for (const [ip, owner] of Object.entries(table)) if (owner === uid) return ip;
  const { base, size } = parseCidr(cidr);
  // .0 is the network, .1 the gateway, the last one the broadcast address.
  for (let n = base + 2; n < base + size - 1; n++) {
    const ip = intToIp(n);
    if (!(ip in table)) {
      table[ip] = uid;
      return ip;
    }
  }
  throw new CidrError(`failed to allocate for range 0: no IP addresses available in range set: ${intToIp(base + 1)}-${intToIp(base + size - 2)}`);
}

export function releaseIp(table: IpTable, uid: string): void {
  for (const [ip, owner] of Object.entries(table)) if (owner === uid) delete table[ip];
}
