// The node lifecycle controller's ONE alarm (deadlines, evictions, batched Lease
// writes) delivered once, twice or late. Per delivery, one node: its Lease batch is
// written, then it crashes; the missed deadline marks it (Ready=Unknown, the
// unreachable taints, pods not ready) and a pod whose toleration runs out is evicted.
// Whatever the delivery: one Lease write per batch, one NodeNotReady, one taint of
// each effect, one eviction event and one DisruptionTarget; a pod that tolerates
// forever stays.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { ObjectStore } from "../../src/store/store";
import type { NodeLifecycleController } from "../../src/controllers/node-lifecycle/node-lifecycle-controller";
import { callJson } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, lifecycleOf, nextTimer, podEvents, runUntil, startNode } from "./node-helpers";
import { DELIVERIES, LATE_MS, deliver, eventCounts, faults, type Delivery } from "./fault-helpers";
import type { Lease, Node, Pod } from "../../src/model/types";

const clock = new FakeClock();
const TOLERATION_S = 60;

interface End {
  lease: { writes: number; renewTimeIsLatest: boolean };
  node: { ready?: string; reason?: string; taints: string[]; events: Record<string, number> };
  evictee: { terminating: boolean; disruptionTargets: number; ready?: string; events: Record<string, number> };
  stays: { terminating: boolean; events: Record<string, number> };
}

const lease = async (node: string) => (await callJson<Lease>(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`)).body;
const nodeObj = async (node: string) => (await callJson<Node>(`/api/v1/nodes/${node}`)).body;

async function scenario(delivery: Delivery): Promise<End> {
  const node = `alarm-lc-${delivery}`;
  const stub = await startNode(node, clock);
  const controller = lifecycleOf(node);
  await createPod(boundPod(`${delivery}-evictee`, node, { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: TOLERATION_S }] }));
  await createPod(boundPod(`${delivery}-stays`, node, { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }] }));
  await stub.poke();
  await runUntil(stub, clock, clock.t + 5_000);
  await controller.flushLeases();

  // A heartbeat: the renewal waits in the controller for the next Lease batch.
  const beat = (await nextTimer(stub, "lifecycle:"))!;
  clock.t = Math.max(clock.t, beat);
  await runDurableObjectAlarm(stub);
  let latest = beat;
  const before = await lease(node);
  const flushAt = (await nextTimer(controller, "lease-flush"))!;
  expect(flushAt).toBeDefined();
  if (delivery === "late") {
    // The node goes on beating meanwhile (renewals are calls, not alarms): when the
    // controller's late alarm runs, the node's deadline is long past, but a renewal
    // came after it, and that is what the deadline's re-check reads.
    clock.t = flushAt + LATE_MS;
    await runDurableObjectAlarm(stub);
    latest = clock.t;
  }
  await deliver(controller, clock, flushAt, delivery);
  const written = await lease(node);
  // One more delivery of the same alarm writes nothing more.
  await runDurableObjectAlarm(controller);
  const after = await lease(node);
  const writes = (written.metadata.resourceVersion !== before.metadata.resourceVersion ? 1 : 0) + (after.metadata.resourceVersion !== written.metadata.resourceVersion ? 1 : 0);
  const renewTimeIsLatest = Date.parse(after.spec.renewTime!) === latest;
  expect((await nodeObj(node)).status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");

  // The node crashes: no more renewals. The deadline passes; the controller's alarm marks it.
  const crashed = await callJson(`/api/v1/nodes/${node}`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { "sim.edgekube.io/fault": "crash" } } } });
  expect(crashed.status).toBe(200);
  await stub.poke();
  // The deadline timer is moved when it comes due, to the latest renewal + grace: the
  // first one due may only move it. Once the node is marked none is left.
  for (let moves = 0; ; moves++) {
    const deadline = await nextTimer(controller, `deadline/${node}`);
    if (deadline === undefined) break;
    expect(moves).toBeLessThan(3);
    await deliver(controller, clock, deadline, delivery);
  }
  // The toleration runs out: the eviction timer.
  const evictAt = (await nextTimer(controller, `evict/${node}/`))!;
  expect(evictAt).toBeDefined();
  await deliver(controller, clock, evictAt, delivery);

  const n = await nodeObj(node);
  const ready = n.status?.conditions?.find((c) => c.type === "Ready");
  const evictee = (await getPod(`${delivery}-evictee`)) as Pod;
  const stays = (await getPod(`${delivery}-stays`)) as Pod;
  return {
    lease: { writes, renewTimeIsLatest },
    node: {
      ready: ready?.status,
      reason: ready?.reason,
      taints: (n.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort(),
      events: eventCounts((await podEvents(node)).filter((e) => e.involvedObject.kind === "Node")),
    },
    evictee: {
      terminating: !!evictee.metadata.deletionTimestamp,
      disruptionTargets: (evictee.status?.conditions ?? []).filter((c) => c.type === "DisruptionTarget" && c.status === "True").length,
      ready: evictee.status?.conditions?.find((c) => c.type === "Ready")?.status,
      events: eventCounts((await podEvents(`${delivery}-evictee`)).filter((e) => ["NodeNotReady", "TaintManagerEviction"].includes(e.reason ?? ""))),
    },
    stays: { terminating: !!stays.metadata.deletionTimestamp, events: eventCounts((await podEvents(`${delivery}-stays`)).filter((e) => ["NodeNotReady", "TaintManagerEviction"].includes(e.reason ?? ""))) },
  };
}

describe("the node lifecycle controller's alarm delivered once, twice or late", () => {
  const ends = new Map<Delivery, End>();

  for (const delivery of DELIVERIES) {
    it(`${delivery}: one Lease write, one NodeNotReady, one taint each, one eviction`, async () => {
      const end = await scenario(delivery);
      ends.set(delivery, end);
      expect(end.lease).toEqual({ writes: 1, renewTimeIsLatest: true });
      expect(end.node).toEqual({
        ready: "Unknown",
        reason: "NodeStatusUnknown",
        taints: ["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"],
        events: expect.objectContaining({ NodeNotReady: 1 }),
      });
      expect(end.evictee).toEqual({ terminating: true, disruptionTargets: 1, ready: "False", events: { NodeNotReady: 1, TaintManagerEviction: 1 } });
      expect(end.stays).toEqual({ terminating: false, events: { NodeNotReady: 1 } });

      // More deliveries of the controller's alarm, now and much later, change nothing.
      const rv = ((await getPod(`${delivery}-evictee`)) as Pod).metadata.resourceVersion;
      const nodeRv = (await nodeObj(`alarm-lc-${delivery}`)).metadata.resourceVersion;
      await deliver(lifecycleOf(`alarm-lc-${delivery}`), clock, clock.t, "twice");
      expect(((await getPod(`${delivery}-evictee`)) as Pod).metadata.resourceVersion).toBe(rv);
      expect((await nodeObj(`alarm-lc-${delivery}`)).metadata.resourceVersion).toBe(nodeRv);
    });
  }

  it("twice ends exactly where once ends, and late the same way", () => {
    expect(ends.get("twice")).toEqual(ends.get("once"));
    expect(ends.get("late")).toEqual(ends.get("once"));
    console.log(`lifecycle alarms: ${JSON.stringify(ends.get("once"))}; faults ${JSON.stringify(faults)}`);
  });
});

describe("a renewal that arrives while the deadline alarm runs", () => {
  it("is never lost: however the two interleave, the node ends Ready and its pods stay", async () => {
    const node = "alarm-lc-race";
    const stub = await startNode(node, clock);
    const controller = lifecycleOf(node);
    // A pod with no toleration of the unreachable taint would be evicted at once if the node were left marked.
    await createPod(boundPod("race-intolerant", node, { tolerations: [{ key: "other", operator: "Exists" }] }));
    await stub.poke();
    await runUntil(stub, clock, clock.t + 5_000);
    const store = new ObjectStore(env.DB);
    let marked = 0;
    for (let offset = 0; offset < 8; offset++) {
      // The node is silent past its deadline...
      const deadline = (await nextTimer(controller, `deadline/${node}`))!;
      clock.t = Math.max(clock.t, deadline + 1_000);
      // ...then its renewal arrives while the alarm that finds the deadline passed is
      // running, `offset` D1 round trips into it.
      const renewal = clock.t;
      await runInDurableObject(controller, async (inst: NodeLifecycleController) => {
        const alarm = inst.alarm();
        for (let i = 0; i < offset; i++) await store.get("nodes", "", node);
        await Promise.all([alarm, inst.renew(node, renewal)]);
      });
      const n = await nodeObj(node);
      if (n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True") marked++;
      expect(n.status?.conditions?.find((c) => c.type === "Ready")?.status, `offset ${offset}`).toBe("True");
      expect(n.spec.taints ?? [], `offset ${offset}`).toEqual([]);
      // The next timers (an eviction set while it was marked, if any) run: nothing is evicted.
      await runDurableObjectAlarm(controller);
      expect(((await getPod("race-intolerant")) as Pod).metadata.deletionTimestamp, `offset ${offset}`).toBeUndefined();
    }
    expect(marked).toBe(0);
  });
});

describe("a renewal that arrives while the eviction alarm runs", () => {
  it("stops the evictions not yet written: the recovered node keeps its pods", async () => {
    const store = new ObjectStore(env.DB);
    for (const offset of [0, 1]) {
      const node = `alarm-lc-evrace-${offset}`;
      const stub = await startNode(node, clock);
      const controller = lifecycleOf(node);
      await createPod(boundPod(`evrace-${offset}`, node, { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }] }));
      await stub.poke();
      await runUntil(stub, clock, clock.t + 5_000);
      // Silent past its deadline: marked (the alarm at the deadline), the pod's eviction 30 s on.
      const deadline = (await nextTimer(controller, `deadline/${node}`))!;
      clock.t = Math.max(clock.t, deadline);
      await runDurableObjectAlarm(controller);
      expect((await nodeObj(node)).status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("Unknown");
      const evictAt = (await nextTimer(controller, `evict/${node}/`))!;
      clock.t = Math.max(clock.t, evictAt);
      // The eviction alarm runs; the node's renewal arrives `offset` D1 round trips into it,
      // before the eviction is written.
      const renewal = clock.t;
      await runInDurableObject(controller, async (inst: NodeLifecycleController) => {
        const alarm = inst.alarm();
        for (let i = 0; i < offset; i++) await store.get("nodes", "", node);
        await Promise.all([alarm, inst.renew(node, renewal)]);
      });
      expect((await nodeObj(node)).status?.conditions?.find((c) => c.type === "Ready")?.status, `offset ${offset}`).toBe("True");
      expect(((await getPod(`evrace-${offset}`)) as Pod).metadata.deletionTimestamp, `offset ${offset}`).toBeUndefined();
      expect((await podEvents(`evrace-${offset}`)).map((e) => e.reason)).not.toContain("TaintManagerEviction");
    }
  });
});
