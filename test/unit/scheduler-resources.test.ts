import { describe, expect, it } from "vitest";
import { container, makePod } from "../../src/scheduler/fixtures";
import { podNonZeroRequests, podRequests } from "../../src/model/pod-resources";

const MiB = 1024 * 1024;

describe("podRequests (as Kubernetes aggregates them)", () => {
  it.each([
    {
      name: "sums app containers",
      spec: { containers: [container("a", { cpu: "100m", memory: "64Mi" }), container("b", { cpu: "200m", memory: "64Mi" })] },
      cpu: 300,
      memory: 128 * MiB,
    },
    {
      name: "an init container larger than the app containers sets the floor",
      spec: { initContainers: [container("i1", { cpu: "500m" }), container("i2", { cpu: "200m", memory: "1Gi" })], containers: [container("a", { cpu: "300m", memory: "64Mi" })] },
      cpu: 500,
      memory: 1024 * MiB,
    },
    {
      name: "init containers smaller than the app containers do not add",
      spec: { initContainers: [container("i", { cpu: "100m" })], containers: [container("a", { cpu: "300m" })] },
      cpu: 300,
      memory: 0,
    },
    {
      name: "a sidecar (restartPolicy Always) adds to the sum and to later init containers",
      spec: {
        initContainers: [container("side", { cpu: "100m", restartPolicy: "Always" }), container("init", { cpu: "400m" })],
        containers: [container("a", { cpu: "300m" })],
      },
      cpu: 500, // max(300 + 100, 400 + 100)
      memory: 0,
    },
    {
      name: "a sidecar started after an init container does not add to it",
      spec: {
        initContainers: [container("init", { cpu: "400m" }), container("side", { cpu: "100m", restartPolicy: "Always" })],
        containers: [container("a", { cpu: "300m" })],
      },
      cpu: 400, // max(300 + 100, 400)
      memory: 0,
    },
    {
      name: "pod overhead is added",
      spec: { containers: [container("a", { cpu: "100m" })], overhead: { cpu: "250m", memory: "120Mi" } },
      cpu: 350,
      memory: 120 * MiB,
    },
    {
      name: "requests default to limits where only limits are set",
      spec: { containers: [container("a", { limits: { cpu: "1", memory: "256Mi" } })] },
      cpu: 1000,
      memory: 256 * MiB,
    },
    { name: "no requests at all", spec: { containers: [container("a")] }, cpu: 0, memory: 0 },
  ])("$name", ({ spec, cpu, memory }) => {
    const r = podRequests(makePod("p", { spec }));
    expect(r.milliCPU).toBe(cpu);
    expect(r.memory).toBe(memory);
  });

  it("keeps ephemeral-storage and extended resources, ignores unknown names", () => {
    const r = podRequests(makePod("p", { ephemeralStorage: "1Gi", requests: { "example.com/gpu": "2", bogus: "3" } }));
    expect(r.ephemeralStorage).toBe(1024 * MiB);
    expect(r.scalar).toEqual({ "example.com/gpu": 2 });
  });
});

describe("podNonZeroRequests (for scoring)", () => {
  it("substitutes 100m / 200Mi for each container without requests", () => {
    const p = makePod("p", { spec: { containers: [container("a"), container("b")] } });
    expect(podNonZeroRequests(p)).toEqual({ milliCPU: 200, memory: 400 * MiB });
  });
  it("keeps an explicit zero and defaults only the missing resource", () => {
    expect(podNonZeroRequests(makePod("p", { cpu: "0" }))).toEqual({ milliCPU: 0, memory: 200 * MiB });
  });
  it("applies defaults inside init containers too", () => {
    const p = makePod("p", { spec: { initContainers: [container("i", { cpu: "1" })], containers: [container("a")] } });
    expect(podNonZeroRequests(p)).toEqual({ milliCPU: 1000, memory: 200 * MiB });
  });
});
