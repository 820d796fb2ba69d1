// Kubelet admission: a pod that does not fit the node's free resources, or asks for a
// host port in use, is refused (phase Failed, reason OutOf<resource> / NodePorts, as
// the real kubelet words it); admit() checks and reserves, so two scheduling decisions
// cannot overcommit the node, and a reservation lapses when the pod never arrives.
import { describe, it, expect, beforeAll } from "vitest";
import type { Pod } from "../../src/model/types";
import { FakeClock, boundPod, createPod, getPod, podEvents, startNode, type AgentStub } from "./node-helpers";
import { callJson } from "./helpers";
import { evict } from "./fault-helpers";

const clock = new FakeClock();
let node: AgentStub;
let tiny: AgentStub;

function withCpu(name: string, nodeName: string, cpu: string, extra: Record<string, unknown> = {}) {
  return boundPod(name, nodeName, { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } }, ...extra }] });
}

function candidate(uid: string, cpu: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `cand-${uid}`, namespace: "default", uid },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } } }] },
  };
}

beforeAll(async () => {
  node = await startNode("kn-adm", clock, { cpu: "4", memory: "8Gi" });
  tiny = await startNode("kn-tiny", clock, { pods: 2 });
});

describe("kubelet admission", () => {
  it("refuses a pod asking for more CPU than is free: Failed, OutOfcpu, the kubelet's message", async () => {
    await createPod(withCpu("small", "kn-adm", "500m"));
    await node.poke();
    await createPod(withCpu("huge", "kn-adm", "8"));
    await node.poke();
    expect((await getPod("small"))!.status?.phase).toBe("Pending");
    const huge = (await getPod("huge"))!;
    expect(huge.status).toMatchObject({
      phase: "Failed",
      reason: "OutOfcpu",
      message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 8000, used: 500, capacity: 4000",
    });
    expect(huge.status?.startTime).toBeTruthy();
    expect(huge.status?.podIP).toBeUndefined();
    const events = await podEvents("huge");
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([["Warning", "OutOfcpu", "Node didn't have enough resource: cpu, requested: 8000, used: 500, capacity: 4000"]]);
  });

  it("refuses memory in bytes: OutOfmemory", async () => {
    await createPod(boundPod("hungry", "kn-adm", { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { memory: "16Gi" } } }] }));
    await node.poke();
    expect((await getPod("hungry"))!.status).toMatchObject({
      phase: "Failed",
      reason: "OutOfmemory",
      message: "Pod was rejected: Node didn't have enough resource: memory, requested: 17179869184, used: 0, capacity: 8589934592",
    });
  });

  it("refuses a host port already taken: NodePorts", async () => {
    await createPod(boundPod("port-a", "kn-adm", { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 80, hostPort: 8080 }] }] }));
    await createPod(boundPod("port-b", "kn-adm", { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 80, hostPort: 8080 }] }] }));
    await node.poke();
    expect((await getPod("port-a"))!.status?.phase).not.toBe("Failed");
    expect((await getPod("port-b"))!.status).toMatchObject({
      phase: "Failed",
      reason: "NodePorts",
      message: "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
    });
  });

  it("refuses a pod beyond the node's pod count: OutOfpods", async () => {
    for (const n of ["p1", "p2", "p3"]) await createPod(boundPod(n, "kn-tiny"));
    await tiny.poke();
    expect((await getPod("p3"))!.status).toMatchObject({ phase: "Failed", reason: "OutOfpods", message: "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2" });
  });

  it("admit() reserves room so concurrent decisions cannot overcommit; reservations lapse", async () => {
    // 500m is used by "small": 3500m free.
    expect(await node.admit(candidate("u-1", "3"))).toEqual({ admitted: true });
    expect(await node.admit(candidate("u-2", "1"))).toEqual({
      admitted: false,
      reason: "OutOfcpu",
      message: "Node didn't have enough resource: cpu, requested: 1000, used: 3500, capacity: 4000",
    });
    // Asking again for an admitted pod is not double-counted.
    expect(await node.admit(candidate("u-1", "3"))).toEqual({ admitted: true });
    clock.advance(31_000);
    expect(await node.admit(candidate("u-2", "1"))).toEqual({ admitted: true });
  });

  it("admitMany() judges a batch in order: each admitted pod's reservation counts against the next, a refusal fails only its pod", async () => {
    clock.advance(31_000);
    // 500m used by "small": 3500m free. 2 fits, 2 more does not, 1 still fits after it.
    expect(await node.admitMany([candidate("m-1", "2"), candidate("m-2", "2"), candidate("m-3", "1")])).toEqual([
      { admitted: true },
      { admitted: false, reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 2000, used: 2500, capacity: 4000" },
      { admitted: true },
    ]);
    // 3500m in use or reserved. A pod asked about again (in the same call too) counts
    // once: 500m more still fits exactly, then nothing does.
    expect(await node.admitMany([candidate("m-3", "1"), candidate("m-3", "1"), candidate("m-4", "500m")])).toEqual([{ admitted: true }, { admitted: true }, { admitted: true }]);
    expect((await node.admit(candidate("m-5", "1m"))).admitted).toBe(false);
    clock.advance(31_000);
  });

  it("turns a reservation into the pod once it is seen bound", async () => {
    clock.advance(31_000);
    const pod = await createPod(withCpu("reserved", "kn-adm", "3"));
    expect(await node.admit({ ...pod, spec: { ...pod.spec, nodeName: "kn-adm" } })).toEqual({ admitted: true });
    await node.poke();
    expect((await getPod("reserved"))!.status?.phase).not.toBe("Failed");
    // Now really used: 500m + 3000m.
    expect((await node.admit(candidate("u-3", "1"))).admitted).toBe(false);
  });

  it("a crashed node's kubelet answers no admission, also once its object is rebuilt, and admits again after recovery", async () => {
    const crashy = await startNode("kn-crashy", clock, { cpu: "4" });
    const fault = async (value: string | null) => {
      const res = await callJson("/api/v1/nodes/kn-crashy", { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { "sim.edgekube.io/fault": value } } } });
      expect(res.status).toBe(200);
      await crashy.poke();
    };
    const unreachable = { admitted: false, reason: "NodeUnreachable", message: "the node's kubelet is not reachable" };
    expect(await crashy.admitMany([candidate("c-1", "1")])).toEqual([{ admitted: true }]);
    await fault("crash");
    expect(await crashy.admitMany([candidate("c-2", "1")])).toEqual([unreachable]);
    // The node keeps what it learnt in memory; a rebuilt object reads it back from storage.
    await evict(crashy, clock);
    expect(await crashy.admitMany([candidate("c-3", "1")])).toEqual([unreachable]);
    await fault(null);
    expect(await crashy.admitMany([candidate("c-4", "1")])).toEqual([{ admitted: true }]);
    await evict(crashy, clock);
    expect(await crashy.admitMany([candidate("c-5", "1")])).toEqual([{ admitted: true }]);
  });
});
