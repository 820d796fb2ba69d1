// The pod network's plan: a distinct /24 per node, inside the pod range, for far more
// nodes than a /16 holds (node 257 of a 1,000-node cluster once got "10.244.256.0/24").
import { describe, it, expect } from "vitest";
import { podCIDRForIndex, inPodRange, inServiceRange } from "../../src/model/cluster-addresses";
import { parseCidr } from "../../src/util/ipv4";

describe("a node's pod CIDR", () => {
  it.each([
    [0, "10.244.0.0/24"],
    [1, "10.244.1.0/24"],
    [255, "10.244.255.0/24"],
    [256, "10.245.0.0/24"],
    [3071, "10.255.255.0/24"],
    [3072, "10.128.0.0/24"],
    [5000, "10.135.136.0/24"],
  ])("node index %i gets %s", (index, cidr) => {
    expect(podCIDRForIndex(index)).toBe(cidr);
  });

  it("is valid, distinct, in the pod range and clear of the Service range for 32,768 nodes", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 32_768; i++) {
      const cidr = podCIDRForIndex(i);
      expect(parseCidr(cidr), cidr).not.toBeNull();
      const pod = cidr.replace(/0\/24$/, "7");
      expect(inPodRange(pod), cidr).toBe(true);
      expect(inServiceRange(pod), cidr).toBe(false);
      seen.add(cidr);
    }
    expect(seen.size).toBe(32_768);
  });
});
