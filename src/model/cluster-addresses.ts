// The cluster's address plan, as a kubeadm cluster's defaults have it: Services get
// cluster IPs from 10.96.0.0/12 and node ports from 30000-32767, pods get IPs from
// a /24 per node: 10.244.N.0/24 for the first 256 nodes as in a kind cluster, on up
// to 10.255.255.0/24, then from 10.128.0.0 (the pod network is 10.128.0.0/9: room for
// 32,768 nodes, clear of the Service range). The allocator hands these out, the kubelet and the
// pod network route by them, and bootstrap creates the `kubernetes` Service on the
// first one; they all read the plan from here.
import { inRange, intToIp, ipToInt, parseCidr, type Ipv4Range } from "../util/ipv4";

export const SERVICE_CIDR = "10.96.0.0/12";
/** The `kubernetes` Service's address: the first of the range, as upstream. */
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export const SERVICE_RANGE: Ipv4Range = parseCidr(SERVICE_CIDR)!;
const POD_RANGE: Ipv4Range = parseCidr("10.128.0.0/9")!;
/** The first node's /24, and how many /24s follow it before the range wraps to its start. */
const FIRST_NODE_BLOCK = ipToInt("10.244.0.0");
const BLOCKS_FROM_FIRST = (POD_RANGE.base + POD_RANGE.size - FIRST_NODE_BLOCK) / 256;

/** The /24 of the node with this allocation index (see the plan above). */
export function podCIDRForIndex(index: number): string {
  const base = index < BLOCKS_FROM_FIRST ? FIRST_NODE_BLOCK + index * 256 : POD_RANGE.base + (index - BLOCKS_FROM_FIRST) * 256;
  return `${intToIp(base)}/24`;
}

/** Inside 10.96.0.0/12, network and broadcast addresses excluded (never handed out). */
export function inServiceRange(ip: string): boolean {
  const n = ipToInt(ip) - SERVICE_RANGE.base;
  return n > 0 && n < SERVICE_RANGE.size - 1;
}

/** Inside the pod network: a pod's address on some node. */
export function inPodRange(ip: string): boolean {
  return inRange(ip, POD_RANGE);
}
