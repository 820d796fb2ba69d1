// The dashboard's quantities (public/ui/js/quantity.js): what the bars of a node box show.
import { describe, expect, it } from "vitest";
import { formatBytes, formatCpu, podRequests, quantity } from "../../../public/ui/js/quantity.js";

describe("dashboard quantities", () => {
  it.each([
    ["100m", 0.1],
    ["2", 2],
    ["1.5", 1.5],
    ["250u", 0.00025],
    ["1k", 1000],
    ["64Mi", 64 * 1024 ** 2],
    ["1Gi", 1024 ** 3],
    ["1G", 1e9],
    ["1e3", 1000],
    [" 3Ki ", 3072],
  ])("%s is %d", (q, n) => {
    expect(quantity(q)).toBeCloseTo(n, 9);
  });

  it("reads numbers as they are and anything unreadable as nothing", () => {
    expect(quantity(110)).toBe(110);
    expect(quantity(undefined)).toBe(0);
    expect(quantity("lots")).toBe(0);
    expect(quantity("1 Gi")).toBe(0);
  });

  it("sums the containers' requests and counts the largest init container when it is larger", () => {
    const pod = {
      spec: {
        initContainers: [{ resources: { requests: { cpu: "500m" } } }, { resources: { requests: { memory: "16Mi" } } }],
        containers: [{ resources: { requests: { cpu: "100m", memory: "64Mi" } } }, { resources: { requests: { cpu: "200m" } } }, {}],
      },
    };
    // cpu: max(100m + 200m, 500m); memory: max(64Mi, 16Mi).
    expect(podRequests(pod)).toEqual({ cpu: 0.5, memory: 64 * 1024 ** 2 });
    expect(podRequests({ spec: {} })).toEqual({ cpu: 0, memory: 0 });
  });

  it("formats bytes and cores as the bars print them", () => {
    expect(formatBytes(512 * 1024)).toBe("512Ki");
    expect(formatBytes(64 * 1024 ** 2)).toBe("64Mi");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5Gi");
    expect(formatCpu(0.25)).toBe("250m");
    expect(formatCpu(2)).toBe("2");
    expect(formatCpu(1.125)).toBe("1.13");
  });
});
