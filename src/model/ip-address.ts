// IP and CIDR syntax for Service and Endpoints validation: addresses parsed the way Go's
// net.ParseIP / k8s.io/utils/net ParseIPSloppy and ParseCIDRSloppy accept them, with
// k8s.io/apimachinery/pkg/util/validation's IsValidIP message and
// pkg/apis/core/validation's ValidateNonSpecialIP (ValidateEndpointIP) range rules.
import type { StatusCause } from "./types";
import { invalidField } from "./field-errors";

const IP_MESSAGE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
export const CIDR_MESSAGE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

// ---- IP addresses, parsed the way Go's (sloppy) net.ParseIP does ----

/** Dotted quad; leading zeros are accepted, as netutils.ParseIPSloppy does. */
function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseIPv6(input: string): number[] | null {
  const ip = new Array<number>(16).fill(0);
  let s = input;
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return ip;
  }
  while (i < 16) {
    const hex = /^[0-9a-fA-F]+/.exec(s)?.[0];
    if (!hex) return null;
    if (s[hex.length] === ".") {
      // An IPv4 address in the last 32 bits.
      if (ellipsis < 0 && i !== 12) return null;
      if (i + 4 > 16) return null;
      const v4 = parseIPv4(s);
      if (!v4) return null;
      ip.splice(i, 4, ...v4);
      i += 4;
      s = "";
      break;
    }
    const n = parseInt(hex, 16);
    if (n > 0xffff) return null;
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(hex.length);
    if (s === "") break;
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const tail = ip.slice(ellipsis, i);
    ip.fill(0, ellipsis);
    ip.splice(16 - tail.length, tail.length, ...tail);
  } else if (ellipsis >= 0) {
    return null;
  }
  return ip;
}

/** 16-byte form (IPv4 as ::ffff:a.b.c.d), or null when Go would not parse it. */
export function parseIP(s: string): number[] | null {
  for (const ch of s) {
    if (ch === ".") {
      const v4 = parseIPv4(s);
      return v4 ? [...V4_PREFIX, ...v4] : null;
    }
    if (ch === ":") return parseIPv6(s);
  }
  return null;
}

/** net.IP.To4: the last four bytes of an IPv4(-mapped) address. */
export function to4(ip: number[]): number[] | null {
  return V4_PREFIX.every((b, i) => ip[i] === b) ? ip.slice(12) : null;
}

export function isIPv6String(s: string): boolean {
  const ip = parseIP(s);
  return ip !== null && to4(ip) === null;
}

export function parseCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const ip = parseIP(addr);
  if (!ip || !/^[0-9]+$/.test(mask)) return false;
  const bits = parseIPv4(addr) ? 32 : 128;
  return Number(mask) <= bits;
}

/** validation.IsValidIP. */
export function validIP(path: string, value: string): StatusCause[] {
  return parseIP(value) ? [] : [invalidField(path, value, IP_MESSAGE)];
}

/** ValidateNonSpecialIP / ValidateEndpointIP: addresses that make no sense as a destination. */
export function nonSpecialIP(value: string, path: string): StatusCause[] {
  const ip = parseIP(value);
  if (!ip) return [invalidField(path, value, "must be a valid IP address")];
  const v4 = to4(ip);
  const errs: StatusCause[] = [];
  const unspecified = v4 ? v4.every((b) => b === 0) : ip.every((b) => b === 0);
  const loopback = v4 ? v4[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02;
  if (unspecified) errs.push(invalidField(path, value, `may not be unspecified (${value})`));
  if (loopback) errs.push(invalidField(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocal) errs.push(invalidField(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) errs.push(invalidField(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}
