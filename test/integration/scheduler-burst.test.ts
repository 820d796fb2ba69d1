// 200 pods created at once all end up bound, and no node is over its allocatable:
// the scheduler's assumptions (its own decisions accounted before their binds are
// written) keep a burst from piling onto one node.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { createPod, listNodes, listPods, podWithCpu, waitFor } from "./scheduler-helpers";
import { cpuMillis, memoryBytes } from "../../src/model/quantity";
import { scheduler } from "../../src/controlplane/stubs";
import type { Scheduler } from "../../src/scheduler/scheduler-do";
import type { Event } from "../../src/model/types";
import { callJson } from "./helpers";

const COUNT = 200;

describe("a burst of pods", () => {
  it(`binds ${COUNT} pods created at once without overcommitting any node`, async () => {
    await waitFor(async () => ((await listNodes()).length >= 3 ? true : undefined), 15_000, "the default nodes");
    // 50m + 100Mi each: 10 cpu and 20Gi in all, against 3 x (4 cpu, 8Gi, 110 pods).
    const bodies = Array.from({ length: COUNT }, (_, i) => podWithCpu(`burst-${i}`, "50m", { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "50m", memory: "100Mi" } } }] }));
    await Promise.all(bodies.map((b) => createPod(b)));

    const pods = await waitFor(async () => {
      const items = (await listPods()).filter((p) => p.metadata.name?.startsWith("burst-"));
      return items.length === COUNT && items.every((p) => p.spec.nodeName) ? items : undefined;
    }, 60_000, "every burst pod to be bound");

    const nodes = await listNodes();
    const used = new Map<string, { cpu: number; mem: number; pods: number }>();
    for (const p of pods) {
      const u = used.get(p.spec.nodeName!) ?? { cpu: 0, mem: 0, pods: 0 };
      u.cpu += 50;
      u.mem += 100 * 1024 * 1024;
      u.pods++;
      used.set(p.spec.nodeName!, u);
    }
    for (const n of nodes) {
      const a = n.status!.allocatable!;
      const u = used.get(n.metadata.name!) ?? { cpu: 0, mem: 0, pods: 0 };
      expect(u.cpu).toBeLessThanOrEqual(cpuMillis(a.cpu));
      expect(u.mem).toBeLessThanOrEqual(memoryBytes(a.memory));
      expect(u.pods).toBeLessThanOrEqual(Number(a.pods));
    }
    // LeastAllocated spreads the burst over every node.
    expect(used.size).toBe(3);

    const status = await (scheduler(env) as unknown as DurableObjectStub<Scheduler>).status();
    expect(status.queue).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
    // Each pod was bound once: one Scheduled event each. (Not the scheduler's in-memory
    // counters: a Durable Object under load may be reset and start counting again.)
    const scheduled = (await callJson<{ items: Event[] }>("/api/v1/namespaces/default/events?fieldSelector=reason%3DScheduled")).body.items;
    const perPod = new Map<string, number>();
    for (const e of scheduled) if (e.involvedObject.name?.startsWith("burst-")) perPod.set(e.involvedObject.name, (perPod.get(e.involvedObject.name) ?? 0) + 1);
    expect(perPod.size).toBe(COUNT);
    expect([...perPod.values()].every((n) => n === 1)).toBe(true);
  }, 90_000);

  it("fills each node exactly to its allocatable cpu and leaves the rest Pending", async () => {
    // What the burst left free per node decides how many 500m pods can still fit.
    const before = new Map<string, number>();
    for (const p of await listPods()) if (p.spec.nodeName) before.set(p.spec.nodeName, (before.get(p.spec.nodeName) ?? 0) + 50);
    const fits = [...before.values()].reduce((s, used) => s + Math.floor((4000 - used) / 500), 0);
    const names = Array.from({ length: fits + 3 }, (_, i) => `fill-${i}`);
    await Promise.all(names.map((n) => createPod(podWithCpu(n, "500m"))));
    const settled = await waitFor(async () => {
      const items = (await listPods()).filter((p) => p.metadata.name?.startsWith("fill-"));
      const decided = items.filter((p) => p.spec.nodeName || p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False"));
      return decided.length === names.length ? items : undefined;
    }, 30_000, "every fill pod to be decided");
    expect(settled.filter((p) => p.spec.nodeName)).toHaveLength(fits);
    const pending = settled.filter((p) => !p.spec.nodeName);
    expect(pending).toHaveLength(3);
    for (const p of pending) {
      expect(p.status?.conditions?.find((c) => c.type === "PodScheduled")?.message).toMatch(/^0\/3 nodes are available: 3 Insufficient cpu\./);
    }
    const cpu = new Map<string, number>();
    for (const p of await listPods()) {
      if (!p.spec.nodeName) continue;
      cpu.set(p.spec.nodeName, (cpu.get(p.spec.nodeName) ?? 0) + cpuMillis(p.spec.containers[0].resources?.requests?.cpu ?? "0"));
    }
    for (const m of cpu.values()) {
      expect(m).toBeLessThanOrEqual(4000);
      expect(4000 - m).toBeLessThan(500);
    }
  }, 60_000);
});
