// Preemption end to end on the real scheduler, nodes and store: a full cluster of
// low-priority pods; a pod of equal priority and a preemptionPolicy=Never pod wait
// with upstream's messages, a high-priority pod is nominated, its victim gets the
// DisruptionTarget condition, a graceful deletion and a Preempted event, and the
// high-priority pod binds where the victim was once its kubelet has stopped it.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { callJson } from "./helpers";
import { createPod, getPod, listNodes, podEvents, podWithCpu, waitBound, waitFor } from "./scheduler-helpers";
import { scheduler } from "../../src/controlplane/stubs";
import type { Scheduler } from "../../src/scheduler/scheduler-do";
import type { Pod } from "../../src/model/types";

const schedulerStub = () => scheduler(env) as unknown as DurableObjectStub<Scheduler>;
const PCS = "/apis/scheduling.k8s.io/v1/priorityclasses";
const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, ...extra });

async function waitUnschedulable(name: string, message: string): Promise<Pod> {
  return waitFor(async () => {
    const p = await getPod(name);
    const c = p.status?.conditions?.find((x) => x.type === "PodScheduled");
    return c?.status === "False" && c.message === message ? p : undefined;
  }, 20_000, `${name} unschedulable with ${message}`);
}

describe("preemption", () => {
  it("equal priority waits, Never waits, a higher priority pod preempts the least important victim and binds there", async () => {
    await waitFor(async () => ((await listNodes()).length >= 3 ? true : undefined), 15_000, "the default nodes");
    for (const body of [pc("low", 10), pc("lower", 5), pc("high", 1000), pc("high-never", 1000, { preemptionPolicy: "Never" })]) {
      expect((await callJson(PCS, { method: "POST", body })).status).toBe(201);
    }
    // Three 4-cpu nodes, each filled by one pod; low-2 is the least important (priority 5).
    const grace = { terminationGracePeriodSeconds: 1 };
    await createPod(podWithCpu("low-1", "3500m", { priorityClassName: "low", ...grace }));
    await createPod(podWithCpu("low-2", "3500m", { priorityClassName: "lower", ...grace }));
    await createPod(podWithCpu("low-3", "3500m", { priorityClassName: "low", ...grace }));
    const placed = await Promise.all(["low-1", "low-2", "low-3"].map((n) => waitBound(n)));
    expect(new Set(placed.map((p) => p.spec.nodeName)).size).toBe(3);
    const victimNode = placed[1].spec.nodeName!;

    // Equal to the least important pod, below the others: nothing to preempt anywhere.
    await createPod(podWithCpu("peer", "1", { priorityClassName: "lower" }));
    await waitUnschedulable("peer", "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    await createPod(podWithCpu("polite", "1", { priorityClassName: "high-never" }));
    const polite = await waitUnschedulable("polite", "0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    expect(polite.status?.nominatedNodeName).toBeUndefined();
    for (const n of ["low-1", "low-2", "low-3"]) expect((await getPod(n)).metadata.deletionTimestamp).toBeUndefined();

    const high = await createPod(podWithCpu("high", "2", { priorityClassName: "high" }));
    expect(high.spec.priority).toBe(1000);
    const nominated = await waitFor(async () => {
      const p = await getPod("high");
      return p.status?.nominatedNodeName ? p : undefined;
    }, 20_000, "high to be nominated");
    expect(nominated.status?.nominatedNodeName).toBe(victimNode);
    expect(nominated.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." });

    // More runs while the victim terminates (a resync, a late alarm) preempt nothing more.
    await schedulerStub().poke();
    await schedulerStub().poke();

    const why = await schedulerStub().explain("default", "high");
    expect(why?.explanation.preemption).toMatchObject({ nominatedNode: victimNode, victims: ["default/low-2"] });
    expect(why?.explanation.preemption?.nodes).toHaveLength(3);

    // The victim's events and condition are written with its graceful deletion (read them before it goes).
    const preempted = await waitFor(async () => (await podEvents("low-2")).find((e) => e.reason === "Preempted"), 20_000, "the Preempted event");
    expect(preempted).toMatchObject({ type: "Normal", message: `Preempted by pod ${high.metadata.uid} on node ${victimNode}`, source: { component: "default-scheduler" } });

    const bound = await waitBound("high", 40_000);
    expect(bound.spec.nodeName).toBe(victimNode);
    expect((await callJson(`/api/v1/namespaces/default/pods/low-2`)).status).toBe(404);
    // Only the one victim: the other low pods keep running.
    for (const n of ["low-1", "low-3"]) expect((await getPod(n)).metadata.deletionTimestamp).toBeUndefined();
    expect((await podEvents("low-2")).filter((e) => e.reason === "Preempted")).toHaveLength(1);
    const scheduledEvents = (await podEvents("high")).filter((e) => e.source?.component === "default-scheduler").map((e) => e.reason);
    expect(scheduledEvents.sort()).toEqual(["FailedScheduling", "Scheduled"]);
  }, 90_000);
});
