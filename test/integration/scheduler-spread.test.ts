// The scheduler through the API: LeastAllocated spreads pods over the three
// default nodes, a cordoned node takes no new pods, and explain shows why.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "./helpers";
import { createPod, listNodes, podEvents, podWithCpu, waitBound, waitFor } from "./scheduler-helpers";
import { scheduler } from "../../src/controlplane/stubs";
import type { Scheduler } from "../../src/scheduler/scheduler-do";

const schedulerStub = () => scheduler(env) as unknown as DurableObjectStub<Scheduler>;

describe("scheduling through the API", () => {
  it("spreads pods over the three default nodes (LeastAllocated) with Scheduled events", async () => {
    const nodes = await waitFor(async () => {
      const items = await listNodes();
      return items.length >= 3 ? items : undefined;
    }, 15_000, "the default nodes");
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(["node-1", "node-2", "node-3"]);

    for (const n of ["s1", "s2", "s3"]) await createPod(podWithCpu(n, "1"));
    const bound = await Promise.all(["s1", "s2", "s3"].map((n) => waitBound(n)));
    expect(new Set(bound.map((p) => p.spec.nodeName)).size).toBe(3);

    const p = bound[0];
    expect(p.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "True" });
    const events = await waitFor(async () => {
      const evs = await podEvents("s1");
      return evs.length ? evs : undefined;
    });
    expect(events[0]).toMatchObject({
      type: "Normal",
      reason: "Scheduled",
      message: `Successfully assigned default/s1 to ${p.spec.nodeName}`,
      source: { component: "default-scheduler" },
      reportingComponent: "default-scheduler",
      involvedObject: { kind: "Pod", name: "s1", namespace: "default", uid: p.metadata.uid },
    });
  }, 60_000);

  it("explains a decision: every node's filter verdict and per-plugin scores", async () => {
    await createPod(podWithCpu("why", "500m"));
    const p = await waitBound("why");
    const out = await schedulerStub().explain("default", "why");
    expect(out?.nodeName).toBe(p.spec.nodeName);
    expect(out?.source).toBe("last-decision");
    expect(out?.explanation.selectedNode).toBe(p.spec.nodeName);
    expect(out?.explanation.scoring).toBe("scored");
    const chosen = out!.explanation.nodes.find((n) => n.selected)!;
    expect(chosen.score?.plugins.map((s) => s.plugin)).toContain("NodeResourcesFit");

    const dry = await schedulerStub().explain("default", "why", "dry-run");
    expect(dry?.source).toBe("dry-run");
    expect(dry?.explanation.nodes.every((n) => n.filter.plugins?.some((f) => f.plugin === "NodeResourcesFit"))).toBe(true);
    expect(await schedulerStub().explain("default", "nope")).toBeNull();
  }, 60_000);

  it("a cordoned node takes no new pods", async () => {
    const res = await call("/api/v1/nodes/node-1", { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { unschedulable: true } } });
    expect(res.status).toBe(200);
    const names = Array.from({ length: 6 }, (_, i) => `c${i}`);
    for (const n of names) await createPod(podWithCpu(n, "100m"));
    const bound = await Promise.all(names.map((n) => waitBound(n)));
    expect(bound.map((p) => p.spec.nodeName)).not.toContain("node-1");
    expect(new Set(bound.map((p) => p.spec.nodeName))).toEqual(new Set(["node-2", "node-3"]));
  }, 60_000);
});
