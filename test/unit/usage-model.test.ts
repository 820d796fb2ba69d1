// The modelled usage of containers and the kubelet's summary of it: requests counted
// per second and averaged over the window, busy loops a core, sleeping shells nothing,
// limits holding a container down, and the node's usage its pods' plus the system's.
import { describe, it, expect } from "vitest";
import { containerUsage, countRequest, requestsInWindow, USAGE_WINDOW_MS } from "../../src/node/runtime/usage";
import { buildStatsSummary, SYSTEM_USAGE } from "../../src/node/kubelet/stats-summary";
import { resolveImage } from "../../src/node/images";
import type { ContainerRecord } from "../../src/node/runtime/records";
import type { MachineState } from "../../src/node/shell/machine-state";
import type { PodRecord } from "../../src/node/kubelet/state";
import type { ContainerStats } from "../../src/node/runtime/cri";

const T = 1_700_000_000_000;

function image(ref: string) {
  const r = resolveImage(ref);
  if (!r.ok) throw new Error(ref);
  return r.image.config;
}

function record(wait: MachineState["wait"], served?: [number, number][]): ContainerRecord {
  const machine = { wait, exit: null } as unknown as MachineState;
  return { state: "CONTAINER_RUNNING", machine, served } as unknown as ContainerRecord;
}

const program = (cmd: string) => ({ k: "program", run: { cmd, argv: [cmd], pid: 1, startedAt: T, pending: [], ports: [], env: {}, cwd: "/" } }) as MachineState["wait"];

describe("requests counted for the window", () => {
  it("buckets per second, keeps a minute, and counts only the last window", () => {
    let served: [number, number][] | undefined;
    for (let i = 0; i < 5; i++) served = countRequest(served, T + i * 100);
    served = countRequest(served, T + 2_000);
    expect(served).toEqual([
      [T / 1000, 5],
      [T / 1000 + 2, 1],
    ]);
    expect(requestsInWindow(served, T + 2_000)).toBe(6);
    expect(requestsInWindow(served, T + USAGE_WINDOW_MS + 500)).toBe(1);
    expect(requestsInWindow(served, T + 60_000)).toBe(0);
    expect(countRequest(served, T + 90_000)).toEqual([[T / 1000 + 90, 1]]);
  });
});

describe("container usage", () => {
  it("is the program's idle cost plus the CPU time of the window's requests", () => {
    const nginx = image("nginx:1.27");
    expect(containerUsage(record(program("nginx")), nginx, T)).toEqual({ usageNanoCores: 1_000_000, workingSetBytes: 5 * 1024 * 1024 });
    const served: [number, number][] = [[T / 1000, 150]];
    // 150 requests of 1 ms in 15 s: 10m more.
    expect(containerUsage(record(program("nginx"), served), nginx, T).usageNanoCores).toBe(11_000_000);
  });

  it("is a whole core for a loop that never waits, and nothing for a sleeping shell or an exited process", () => {
    const busybox = image("busybox:1.37");
    expect(containerUsage(record({ k: "spin", until: T }), busybox, T).usageNanoCores).toBe(1_000_000_000);
    expect(containerUsage(record({ k: "sleep", until: T + 1000, pid: 1, argv: ["sleep"] }), busybox, T)).toEqual({ usageNanoCores: 0, workingSetBytes: 256 * 1024 });
    const exited = { ...record(null), state: "CONTAINER_EXITED" } as ContainerRecord;
    expect(containerUsage(exited, busybox, T)).toEqual({ usageNanoCores: 0, workingSetBytes: 0 });
  });
});

describe("stats summary", () => {
  const pod = (name: string, sandboxId: string, limits?: Record<string, string>): PodRecord =>
    ({
      uid: `uid-${name}`,
      namespace: "default",
      name,
      sandboxId,
      admission: "admitted",
      containers: {},
      pod: { metadata: { name }, spec: { containers: [{ name: "app", image: "x", ...(limits ? { resources: { limits } } : {}) }] } },
    }) as unknown as PodRecord;
  const stats = (sandbox: string, cpu: number, mem: number): ContainerStats => ({ id: sandbox + "-c", podSandboxId: sandbox, metadata: { name: "app", attempt: 0 }, timestamp: T, cpu: { usageNanoCores: cpu }, memory: { workingSetBytes: mem } });

  it("holds containers to their limits and adds the system's usage to the node's", () => {
    const s = buildStatsSummary("n1", T, [pod("a", "sa", { cpu: "200m", memory: "1Mi" }), pod("b", "sb"), pod("gone", "")], [stats("sa", 1e9, 4 << 20), stats("sb", 3e6, 1 << 20)]);
    expect(s.pods.map((p) => [p.podRef.name, p.containers[0].usageNanoCores, p.containers[0].workingSetBytes])).toEqual([
      ["a", 200_000_000, 1 << 20],
      ["b", 3_000_000, 1 << 20],
    ]);
    expect(s.node.usageNanoCores).toBe(SYSTEM_USAGE.usageNanoCores + 203_000_000);
    expect(s.node.workingSetBytes).toBe(SYSTEM_USAGE.workingSetBytes + 2 * (1 << 20));
    expect(s.windowMs).toBe(15_000);
  });
});
