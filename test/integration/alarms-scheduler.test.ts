// The scheduler's alarm (its resync, and the parked pods' retry) delivered once, twice
// or late. A pod waits as unschedulable; the room it needs is freed without the
// scheduler hearing of it (a lost wake-up), so only the alarm can place it. However
// the alarm comes, the pod is bound once, with one Scheduled event, and the node holds
// no more than it has.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, podEvents, record, startNode } from "./node-helpers";
import { DELIVERIES, deliver, eventCounts, faults, type Delivery } from "./fault-helpers";
import { ObjectStore } from "../../src/store/store";
import type { Scheduler } from "../../src/scheduler/scheduler-do";
import type { Pod } from "../../src/model/types";

const clock = new FakeClock();
const scheduler = env.SCHEDULER.get(env.SCHEDULER.idFromName("default-scheduler"));

function withCpu(cpu: string, spec: Record<string, unknown>) {
  return { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } } }], ...spec };
}

interface End {
  bound: string | undefined;
  events: Record<string, number>;
  held: number;
  admitted: boolean;
}

async function scenario(delivery: Delivery): Promise<End> {
  const node = `alarm-sch-${delivery}`;
  const stub = await startNode(node, clock, { cpu: "1" });
  await runInDurableObject(scheduler, (s: Scheduler) => s.useClock(clock.now));
  const hog = await createPod(boundPod(`${delivery}-hog`, node, withCpu("700m", {})));
  await stub.poke();
  // 500m does not fit beside 700m: the scheduler parks the pod as unschedulable.
  await createPod({ apiVersion: "v1", kind: "Pod", metadata: { name: `${delivery}-waiter` }, spec: withCpu("500m", { nodeSelector: { "kubernetes.io/hostname": node } }) });
  await waitFor(async () => (await getPod(`${delivery}-waiter`))?.status?.conditions?.find((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"), "the waiter to be unschedulable");

  // The hog goes without a word to the scheduler (a store with no listeners); the node is told.
  await new ObjectStore(env.DB).remove("pods", (await getPod(`${delivery}-hog`)) ?? hog);
  await stub.poke();
  expect((await getPod(`${delivery}-waiter`))?.spec.nodeName).toBeUndefined();

  const at = await runInDurableObject(scheduler, (_s: Scheduler, state) => state.storage.getAlarm());
  expect(at).not.toBeNull();
  await deliver(scheduler, clock, at!, delivery);
  const waiter = await waitFor(async () => {
    const p = (await getPod(`${delivery}-waiter`)) as Pod;
    return p.spec.nodeName && (await record(stub, p.metadata.uid!)) ? p : undefined;
  }, "the waiter bound and seen by its kubelet");
  // Further deliveries, now and later, change nothing.
  await deliver(scheduler, clock, clock.t, "twice");
  await deliver(scheduler, clock, clock.t, "late");
  const held = (await callJson<{ items: Pod[] }>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`)).body.items.filter((p) => p.status?.phase !== "Failed");
  return {
    bound: (await getPod(`${delivery}-waiter`))?.spec.nodeName,
    events: eventCounts((await podEvents(`${delivery}-waiter`)).filter((e) => e.source?.component === "default-scheduler")),
    held: held.length,
    admitted: (await record(stub, waiter.metadata.uid!))?.admission === "admitted",
  };
}

describe("the scheduler's alarm delivered once, twice or late", () => {
  const ends = new Map<Delivery, End>();
  for (const delivery of DELIVERIES) {
    it(`${delivery}: the parked pod is bound once`, async () => {
      const end = await scenario(delivery);
      ends.set(delivery, end);
      expect(end).toEqual({ bound: `alarm-sch-${delivery}`, events: { FailedScheduling: 1, Scheduled: 1 }, held: 1, admitted: true });
    });
  }
  it("all three end alike", () => {
    expect(ends.get("twice")).toEqual({ ...ends.get("once"), bound: "alarm-sch-twice" });
    expect(ends.get("late")).toEqual({ ...ends.get("once"), bound: "alarm-sch-late" });
    console.log(`scheduler alarms: faults ${JSON.stringify(faults)}`);
  });
});
