// A pod too large for every node stays Pending with PodScheduled=False and a
// FailedScheduling event that says why (written once, not on every retry), and is
// scheduled as soon as a node big enough joins.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { callJson } from "./helpers";
import { createPod, getPod, listNodes, podEvents, podWithCpu, waitBound, waitFor } from "./scheduler-helpers";
import { scheduler } from "../../src/controlplane/stubs";
import type { Scheduler } from "../../src/scheduler/scheduler-do";

const schedulerStub = () => scheduler(env) as unknown as DurableObjectStub<Scheduler>;

const MESSAGE = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

describe("a pod no node fits", () => {
  it("stays Pending with the FailedScheduling message, then binds when a big node is added", async () => {
    await waitFor(async () => ((await listNodes()).length >= 3 ? true : undefined), 15_000, "the default nodes");
    await createPod(podWithCpu("big", "16"));

    const pending = await waitFor(async () => {
      const p = await getPod("big");
      const c = p.status?.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" ? { p, c } : undefined;
    }, 15_000, "PodScheduled=False");
    expect(pending.p.spec.nodeName).toBeFalsy();
    expect(pending.c).toMatchObject({ reason: "Unschedulable", message: MESSAGE });
    const events = await podEvents("big");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "Warning", reason: "FailedScheduling", message: MESSAGE, source: { component: "default-scheduler" } });

    // More pokes (a resync, other pods) must not rewrite the pod or the event.
    const rv = pending.p.metadata.resourceVersion;
    await schedulerStub().poke();
    await createPod(podWithCpu("small", "100m"));
    await waitBound("small");
    await schedulerStub().poke();
    expect((await getPod("big")).metadata.resourceVersion).toBe(rv);
    expect(await podEvents("big")).toHaveLength(1);

    const why = await schedulerStub().explain("default", "big", "dry-run");
    expect(why?.queue).toBe("unschedulable");
    expect(why?.explanation.nodes.map((n) => n.filter.decidedBy)).toEqual(["NodeResourcesFit", "NodeResourcesFit", "NodeResourcesFit"]);

    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "big-node" }, status: { capacity: { cpu: "64", memory: "256Gi", pods: "110" } } };
    const created = await callJson("/api/v1/nodes", { method: "POST", body: node });
    expect(created.status).toBe(201);
    const bound = await waitBound("big", 20_000);
    expect(bound.spec.nodeName).toBe("big-node");
    expect(bound.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "True" });
    expect(bound.status?.conditions?.find((c) => c.type === "PodScheduled")?.reason).toBeUndefined();
    // The scheduler's events only (the node's kubelet now runs the pod and adds its own).
    const all = (await podEvents("big")).filter((e) => e.source?.component === "default-scheduler");
    expect(all.map((e) => e.reason).sort()).toEqual(["FailedScheduling", "Scheduled"]);
  }, 60_000);
});
