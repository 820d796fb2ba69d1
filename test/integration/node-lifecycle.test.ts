// Heartbeats, failure detection by the node lifecycle controller (outside the node it
// judges), taint eviction and recovery, driven with an injected clock and
// runDurableObjectAlarm. The workers project runs with NODE_LEASE_WRITE_INTERVAL=30s
// (vitest.config.ts), longer than the 10 s renewal, so the batched Lease writes show.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { callJson } from "./helpers";
import { FakeClock, startNode, createPod, boundPod, getPod, podEvents, runUntil, runControllerUntil, runningContainers, lifecycleOf, nextTimer } from "./node-helpers";
import { readConfig } from "../../src/config";
import { lifecycleShardOf } from "../../src/controlplane/stubs";
import { DEADLINE_TICK_MS } from "../../src/controllers/node-lifecycle/monitor";
import type { Event, Lease, Node, Pod } from "../../src/model/types";

async function node(name: string): Promise<Node> {
  return (await callJson<Node>(`/api/v1/nodes/${name}`)).body;
}

async function lease(name: string): Promise<Lease> {
  return (await callJson<Lease>(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`)).body;
}

async function label(name: string, labels: Record<string, string | null>): Promise<void> {
  const res = await callJson(`/api/v1/nodes/${name}`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels } } });
  expect(res.status).toBe(200);
}

const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === "Ready");
const unreachable = (n: Node) => (n.spec.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute");

const config = readConfig(env);

describe("node heartbeats and failure detection", () => {
  it("keeps its Lease in kube-node-lease renewed, rewritten in D1 at most every NODE_LEASE_WRITE_INTERVAL", async () => {
    const clock = new FakeClock();
    const writeEvery = config.nodeLeaseWriteIntervalMs;
    const renewEvery = config.nodeLeaseRenewIntervalMs;
    expect(writeEvery).toBeGreaterThan(renewEvery);
    // The cluster exists (the API bootstraps it: kube-node-lease among its namespaces).
    expect((await callJson("/api/v1/namespaces/kube-node-lease")).status).toBe(200);
    const stub = await startNode("hb-1", clock);
    // The Lease exists as soon as the node has registered.
    const first = await lease("hb-1");
    expect(first.spec.holderIdentity).toBe("hb-1");
    expect(first.spec.leaseDurationSeconds).toBe(40);

    // Renewals every 10 s reach the controller; D1's renewTime moves at most every 30 s,
    // and is never more than one write interval plus one renewal behind.
    const seen = [Date.parse(first.spec.renewTime!)];
    const start = clock.t;
    while (clock.t < start + 120_000) {
      await runUntil(stub, clock, clock.t + renewEvery);
      const renewed = Date.parse((await lease("hb-1")).spec.renewTime!);
      expect(clock.t - renewed).toBeLessThanOrEqual(writeEvery + renewEvery);
      if (renewed !== seen[seen.length - 1]) seen.push(renewed);
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i] - seen[i - 1]).toBeGreaterThanOrEqual(writeEvery);
    expect(readyOf(await node("hb-1"))?.status).toBe("True");

    // Someone else writes the Lease: the controller's next write conflicts, re-reads, and renews anyway.
    const renewed = seen[seen.length - 1];
    const patched = await callJson(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/hb-1`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { touched: "yes" } } } });
    expect(patched.status).toBe(200);
    await runUntil(stub, clock, clock.t + writeEvery + renewEvery);
    const third = await lease("hb-1");
    expect(Date.parse(third.spec.renewTime!)).toBeGreaterThan(renewed);
    expect(third.metadata.labels).toEqual({ touched: "yes" });
  });

  it("counts each renewal of a batch (several nodes' heartbeats in one call) as if it came alone", async () => {
    const clock = new FakeClock();
    // Two nodes that the same controller shard watches.
    const names = Array.from({ length: 64 }, (_, i) => `hb-batch-${i}`);
    const shard = lifecycleShardOf(names[0], config.nodeLifecycleShards);
    const [a, b] = names.filter((n) => lifecycleShardOf(n, config.nodeLifecycleShards) === shard);
    await startNode(a, clock);
    await startNode(b, clock);
    const controller = lifecycleOf(a);
    const registered = clock.t;
    clock.advance(config.nodeLeaseRenewIntervalMs);
    const beat = clock.t;
    // The batch's order is arrival at the isolate: a renewal older than one already in it
    // (say, a node whose alarm ran late) never moves that node's renewal back.
    await controller.renewAll([
      { node: a, at: beat },
      { node: b, at: beat },
      { node: a, at: registered + 1_000 },
    ]);
    expect(await controller.flushLeases()).toBe(2);
    for (const n of [a, b]) expect(Date.parse((await lease(n)).spec.renewTime!), n).toBe(beat);
    // Their deadlines follow the batch's renewals: 10 s before the grace period ends
    // after them, the controller's alarm finds nothing to do.
    clock.t = beat + config.nodeMonitorGracePeriodMs - 10_000;
    await runDurableObjectAlarm(controller);
    for (const n of [a, b]) expect(readyOf(await node(n))?.status, n).toBe("True");

    // b falls silent past its deadline and is marked; a keeps renewing alone.
    clock.t = beat + config.nodeMonitorGracePeriodMs + 1_000;
    await controller.renewAll([{ node: a, at: clock.t }]);
    await runDurableObjectAlarm(controller);
    expect(readyOf(await node(b))?.status).toBe("Unknown");
    expect(readyOf(await node(a))?.status).toBe("True");
    // A batch with b's renewal back: b recovers, and a's renewal with it is recorded.
    clock.advance(1_000);
    await controller.renewAll([
      { node: b, at: clock.t },
      { node: a, at: clock.t },
    ]);
    expect(readyOf(await node(b))?.status).toBe("True");
    expect(unreachable(await node(b))).toBe(false);
    expect(await controller.flushLeases()).toBe(2);
    for (const n of [a, b]) expect(Date.parse((await lease(n)).spec.renewTime!), n).toBe(clock.t);
  });

  it("puts deadlines on ticks and checks those due on one tick in one alarm: one moved, one marked", async () => {
    const clock = new FakeClock();
    const names = Array.from({ length: 64 }, (_, i) => `hb-tick-${i}`);
    const shard = lifecycleShardOf(names[0], config.nodeLifecycleShards);
    const [a, b] = names.filter((n) => lifecycleShardOf(n, config.nodeLifecycleShards) === shard);
    const grace = config.nodeMonitorGracePeriodMs;
    const onTick = (t: number) => Math.ceil(t / DEADLINE_TICK_MS) * DEADLINE_TICK_MS;
    // Registered off the tick, 130 ms apart: both first deadlines fall on the same tick.
    clock.advance(7);
    const first = clock.t;
    await startNode(a, clock);
    clock.advance(130);
    await startNode(b, clock);
    const controller = lifecycleOf(a);
    const tick = onTick(clock.t + grace);
    expect(tick).toBe(onTick(first + grace));
    for (const n of [a, b]) expect(await nextTimer(controller, `deadline/${n}`), n).toBe(tick);
    // a renews before the tick; b falls silent. One alarm at the tick moves a's deadline
    // (onto the tick after its renewal's grace period) and marks b.
    clock.advance(config.nodeLeaseRenewIntervalMs + 3);
    const beat = clock.t;
    await controller.renewAll([{ node: a, at: beat }]);
    clock.t = tick;
    await runDurableObjectAlarm(controller);
    expect(readyOf(await node(b))?.status).toBe("Unknown");
    expect(readyOf(await node(a))?.status).toBe("True");
    expect(await nextTimer(controller, `deadline/${a}`)).toBe(onTick(beat + grace));
    expect(await nextTimer(controller, `deadline/${b}`)).toBeUndefined();
  });

  it("finds a node out while the node's Durable Object does nothing at all, not even its alarm", async () => {
    const clock = new FakeClock();
    const stub = await startNode("silent-1", clock);
    const registered = clock.t;
    // From here on the node runs nothing: no alarm, no calls.
    await runInDurableObject(stub, (_inst, state) => state.storage.deleteAlarm());
    await runControllerUntil("silent-1", clock, registered + config.nodeMonitorGracePeriodMs - 1_000);
    expect(readyOf(await node("silent-1"))?.status).toBe("True");
    await runControllerUntil("silent-1", clock, registered + config.nodeMonitorGracePeriodMs + 1_000);
    const down = await node("silent-1");
    expect(readyOf(down)).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(unreachable(down)).toBe(true);
    const ev = (await callJson<{ items: Event[] }>("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dsilent-1")).body.items;
    expect(ev.map((e) => e.reason)).toContain("NodeNotReady");
    expect(await runInDurableObject(stub, (_inst, state) => state.storage.getAlarm())).toBeNull();

    // The node is deleted: its controller stops watching it.
    const del = await callJson("/api/v1/nodes/silent-1", { method: "DELETE" });
    expect(del.status).toBe(200);
    await expect.poll(() => nextTimer(lifecycleOf("silent-1"), "deadline/silent-1"), { timeout: 30_000 }).toBeUndefined();
  });

  it("a crashed node misses its deadline: Unknown, tainted, pods evicted once, then recovers", async () => {
    const clock = new FakeClock();
    const stub = await startNode("crash-1", clock);
    await runUntil(stub, clock, clock.t + 1);
    const pod = await createPod(boundPod("on-crash-1", "crash-1"));
    await stub.poke();
    expect(pod.spec.tolerations?.find((t) => t.key === "node.kubernetes.io/unreachable")?.tolerationSeconds).toBe(300);

    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual(["on-crash-1/app"]);

    await label("crash-1", { "sim.edgekube.io/fault": "crash" });
    await stub.poke();
    // A crash takes the containers down with the kubelet.
    expect(await runningContainers(stub)).toEqual([]);
    // 49 s after the last renewal nothing is decided yet (the renewal the controller
    // holds is written to the Lease first, so the test can read it).
    await lifecycleOf("crash-1").flushLeases();
    const lastRenewal = Date.parse((await lease("crash-1")).spec.renewTime!);
    await runUntil(stub, clock, lastRenewal + 49_000);
    expect(readyOf(await node("crash-1"))?.status).toBe("True");
    await runUntil(stub, clock, lastRenewal + 51_000);
    const down = await node("crash-1");
    expect(readyOf(down)).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(unreachable(down)).toBe(true);
    const ev = (await callJson<{ items: Event[] }>("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dcrash-1")).body.items;
    expect(ev.map((e) => e.reason)).toContain("NodeNotReady");

    // Within the toleration the pod stays; once it runs out it is marked for deletion.
    await runUntil(stub, clock, clock.t + 290_000);
    expect((await getPod("on-crash-1"))?.metadata.deletionTimestamp).toBeUndefined();
    await runUntil(stub, clock, clock.t + 20_000);
    const evicted = (await getPod("on-crash-1")) as Pod;
    expect(evicted.metadata.deletionTimestamp).toBeTruthy();
    expect(evicted.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager" });

    // The alarms firing again change nothing.
    const rv = evicted.metadata.resourceVersion;
    await runDurableObjectAlarm(lifecycleOf("crash-1"));
    await runDurableObjectAlarm(lifecycleOf("crash-1"));
    await runDurableObjectAlarm(stub);
    expect((await getPod("on-crash-1"))?.metadata.resourceVersion).toBe(rv);
    const evictions = (await callJson<{ items: Event[] }>("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Don-crash-1")).body.items.filter((e) => e.reason === "TaintManagerEviction");
    expect(evictions).toHaveLength(1);

    // Recovery: heartbeats resume, the taint goes, the evicted pod is cleaned up.
    await label("crash-1", { "sim.edgekube.io/fault": null });
    await stub.poke();
    await runUntil(stub, clock, clock.t + 60_000);
    const up = await node("crash-1");
    expect(readyOf(up)?.status).toBe("True");
    expect(unreachable(up)).toBe(false);
    expect(await getPod("on-crash-1")).toBeUndefined();
  });

  it("evicts the pods due together in one pass: each once, with its reason; a pod tolerating forever stays", async () => {
    const clock = new FakeClock();
    const stub = await startNode("many-1", clock);
    await runUntil(stub, clock, clock.t + 1);
    const names = Array.from({ length: 6 }, (_, i) => `many-${i}`);
    for (const name of names) await createPod(boundPod(name, "many-1"));
    await createPod(boundPod("stays", "many-1", { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }] }));
    await stub.poke();
    await runUntil(stub, clock, clock.t + 5_000);

    await label("many-1", { "sim.edgekube.io/fault": "crash" });
    await stub.poke();
    await runUntil(stub, clock, clock.t + 51_000 + 300_000 + 1_000);
    for (const name of names) {
      const pod = (await getPod(name)) as Pod;
      expect(pod.metadata.deletionTimestamp, name).toBeTruthy();
      expect(pod.metadata.deletionGracePeriodSeconds).toBe(30);
      expect(pod.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "DeletionByTaintManager" });
      const evictions = (await podEvents(name)).filter((e) => e.reason === "TaintManagerEviction");
      expect(evictions.map((e) => e.message)).toEqual([`Marking for deletion Pod default/${name}`]);
    }
    const stays = (await getPod("stays")) as Pod;
    expect(stays.metadata.deletionTimestamp).toBeUndefined();
    expect((await podEvents("stays")).map((e) => e.reason)).not.toContain("TaintManagerEviction");
  });

  it("a partitioned node keeps its containers running while the control plane evicts its pods; healing stops them", async () => {
    const clock = new FakeClock();
    const stub = await startNode("part-1", clock);
    await runUntil(stub, clock, clock.t + 1);
    await createPod(boundPod("on-part-1", "part-1"));
    await stub.poke();
    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual(["on-part-1/app"]);
    await lifecycleOf("part-1").flushLeases();
    const renewedBefore = (await lease("part-1")).spec.renewTime;

    await label("part-1", { "sim.edgekube.io/fault": "partition" });
    await stub.poke();
    await runUntil(stub, clock, clock.t + 51_000);
    // The control plane hears nothing: no renewals, the node goes Unknown and is tainted...
    expect((await lease("part-1")).spec.renewTime).toBe(renewedBefore);
    const down = await node("part-1");
    expect(readyOf(down)).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown" });
    expect(unreachable(down)).toBe(true);
    // ...and the API cannot reach the kubelet, as with a real unreachable node.
    const logs = await callJson("/api/v1/namespaces/default/pods/on-part-1/log");
    expect(logs.status).toBe(503);
    expect(JSON.stringify(logs.body)).toContain("error dialing backend");
    // But on the node itself the containers go on running: unlike a crash, nothing stopped.
    expect(await runningContainers(stub)).toEqual(["on-part-1/app"]);

    // The toleration runs out: the pod is evicted (Terminating), yet the cut-off
    // kubelet never hears of it, so its container keeps running.
    await runUntil(stub, clock, clock.t + 310_000);
    const evicted = (await getPod("on-part-1")) as Pod;
    expect(evicted.metadata.deletionTimestamp).toBeTruthy();
    expect(await runningContainers(stub)).toEqual(["on-part-1/app"]);

    // Healing: the kubelet sees the deletion, stops the container and the pod goes away.
    await label("part-1", { "sim.edgekube.io/fault": null });
    await stub.poke();
    await runUntil(stub, clock, clock.t + 60_000);
    expect(readyOf(await node("part-1"))?.status).toBe("True");
    expect(unreachable(await node("part-1"))).toBe(false);
    expect(await getPod("on-part-1")).toBeUndefined();
    expect(await runningContainers(stub)).toEqual([]);
  });

  it("a renewal just before the deadline, by an external agent, prevents marking", async () => {
    const clock = new FakeClock();
    const stub = await startNode("ext-node", clock);
    await label("ext-node", { "sim.edgekube.io/kubelet": "external" });
    await stub.poke();
    await runUntil(stub, clock, clock.t + 1);
    const { body: minted } = await callJson<{ token: string }>("/edgekube/v1/nodes/ext-node/token");
    await runUntil(stub, clock, clock.t + 45_000);
    const renewTime = new Date(clock.t).toISOString().replace("Z", "000Z");
    const renewed = await callJson(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/ext-node`, {
      method: "PATCH",
      token: minted.token,
      contentType: "application/merge-patch+json",
      body: { spec: { renewTime } },
    });
    expect(renewed.status).toBe(200);
    await runUntil(stub, clock, clock.t + 10_000);
    expect(readyOf(await node("ext-node"))?.status).toBe("True");
    // Without further renewals the deadline passes.
    await runUntil(stub, clock, clock.t + 60_000);
    expect(readyOf(await node("ext-node"))?.status).toBe("Unknown");
  });
});
