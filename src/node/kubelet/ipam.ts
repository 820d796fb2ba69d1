// Pod IPs from the node's podCIDR, as the host-local IPAM plugin hands them out: never
// the network address (.0), never the gateway (.1, the bridge), never the broadcast
// address; one pod per IP; an IP is free again once its pod's sandbox is gone. The
// lowest free address wins, so allocation is deterministic. Every node has its own
// /24 (allocated by the controller manager), so IPs are unique in the cluster.

/** ip -> pod UID */
export type IpTable = Record<string, string>;

export class CidrError extends Error {}

interface Range {
  base: number;
  size: number;
}

function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new CidrError(`invalid IP ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseCidr(cidr: string): Range {
  const [ip, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 8 || bits > 30) throw new CidrError(`invalid CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const base = Math.floor(ipToInt(ip) / size) * size;
  return { base, size };
}

/** The gateway of a range: its first host address. */
export function gatewayOf(cidr: string): string {
  return intToIp(parseCidr(cidr).base + 1);
}

export function inCidr(ip: string, cidr: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= base && n < base + size;
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
