// IPv4 arithmetic on addresses as unsigned 32-bit numbers: the service allocator,
// the kubelet's IPAM and the pod network's routing all count through ranges, and
// they must agree on what an address is.

/** An address range: `size` addresses from `base` on. */
export interface Ipv4Range {
  base: number;
  size: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** A dotted quad in canonical form: four octets 0-255, no leading zeros. */
export function isIPv4(ip: string): boolean {
  const parts = ip.split(".");
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}

/** The address as an unsigned 32-bit number; NaN when `ip` is not a dotted quad. */
export function ipToInt(ip: string): number {
  if (!isIPv4(ip)) return NaN;
  // Multiplying (rather than shifting) keeps the result unsigned above 128.0.0.0.
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** "10.244.1.0/24" as a range (the base rounded down to the prefix); null when malformed. */
export function parseCidr(cidr: string): (Ipv4Range & { bits: number }) | null {
  const [ip, bitsText, ...rest] = cidr.split("/");
  const bits = Number(bitsText);
  if (rest.length || !/^\d{1,2}$/.test(bitsText ?? "") || bits > 32) return null;
  const n = ipToInt(ip);
  if (Number.isNaN(n)) return null;
  const size = 2 ** (32 - bits);
  return { base: Math.floor(n / size) * size, size, bits };
}

/** True when `ip` is an address of `range`; false for anything that is not one. */
export function inRange(ip: string, range: Ipv4Range): boolean {
  const n = ipToInt(ip) - range.base;
  return n >= 0 && n < range.size;
}
