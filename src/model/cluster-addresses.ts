// The cluster's address plan, as a kubeadm cluster's defaults have it: Services get
// cluster IPs from 10.96.0.0/12 and node ports from 30000-32767, pods get IPs from
// 10.244.0.0/16 (a /24 per node). The allocator hands these out, the kubelet and the
// pod network route by them, and bootstrap creates the `kubernetes` Service on the
// first one; they all read the plan from here.
import { inRange, ipToInt, parseCidr, type Ipv4Range } from "../util/ipv4";

export const SERVICE_CIDR = "10.96.0.0/12";
/** The `kubernetes` Service's address: the first of the range, as upstream. */
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export const SERVICE_RANGE: Ipv4Range = parseCidr(SERVICE_CIDR)!;
const POD_RANGE: Ipv4Range = parseCidr("10.244.0.0/16")!;

/** Inside 10.96.0.0/12, network and broadcast addresses excluded (never handed out). */
export function inServiceRange(ip: string): boolean {
  const n = ipToInt(ip) - SERVICE_RANGE.base;
  return n > 0 && n < SERVICE_RANGE.size - 1;
}

/** Inside 10.244.0.0/16: a pod's address on some node. */
export function inPodRange(ip: string): boolean {
  return inRange(ip, POD_RANGE);
}
