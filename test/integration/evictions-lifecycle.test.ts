// The node lifecycle controller (and the node) evicted while a failure is being
// handled: after the node crashed but before its deadline, after the node was marked
// but before its pod's toleration ran out, and after the eviction. Deadlines,
// evictions and marks live in the controller's storage, so the same story ends alike
// undisturbed and disturbed: one NodeNotReady, one eviction, one DisruptionTarget, and
// after healing the node Ready, untainted, the evicted pod gone.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, lifecycleOf, podEvents, runUntil, startNode, type AgentStub } from "./node-helpers";
import { drainUntil, evict, eventCounts, faults } from "./fault-helpers";
import type { Node, Pod } from "../../src/model/types";

const clock = new FakeClock();

const nodeObj = async (name: string) => (await callJson<Node>(`/api/v1/nodes/${name}`)).body;
const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === "Ready")?.status;
const label = (name: string, fault: string | null) =>
  callJson(`/api/v1/nodes/${name}`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { "sim.edgekube.io/fault": fault } } } });

interface End {
  nodeEvents: Record<string, number>;
  podEvents: Record<string, number>;
  disruptionTargets: number;
  ready?: string;
  taints: number;
  podGone: boolean;
}

async function story(node: string, stub: AgentStub, disrupt: (phase: string) => Promise<void>): Promise<End> {
  const pod = `${node}-pod`;
  const cluster = { clock, timed: [stub, lifecycleOf(node)], polled: [] };
  await createPod(boundPod(pod, node, { tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] }));
  await stub.poke();
  await runUntil(stub, clock, clock.t + 5_000);
  expect((await label(node, "crash")).status).toBe(200);
  await stub.poke();
  await disrupt("crashed");
  await drainUntil(cluster, async () => readyOf(await nodeObj(node)) === "Unknown", "the node to be marked", { stepMs: 5_000 });
  await disrupt("marked");
  let marked: Pod | undefined;
  await drainUntil(cluster, async () => (marked = await getPod(pod))?.metadata.deletionTimestamp, "the pod to be evicted", { stepMs: 5_000 });
  const disruption = marked!.status?.conditions?.filter((c) => c.type === "DisruptionTarget") ?? [];
  await disrupt("evicted");
  // A while later nothing more has happened to it.
  const rv = marked!.metadata.resourceVersion;
  const later = clock.t + 120_000;
  await drainUntil(cluster, async () => clock.t >= later, "two minutes on", { stepMs: 10_000 });
  expect((await getPod(pod))?.metadata.resourceVersion).toBe(rv);

  expect((await label(node, null)).status).toBe(200);
  await stub.poke();
  await drainUntil(cluster, async () => readyOf(await nodeObj(node)) === "True" && !(await getPod(pod)), "healing", { stepMs: 5_000 });
  const n = await nodeObj(node);
  return {
    nodeEvents: eventCounts((await podEvents(node)).filter((e) => ["NodeNotReady", "NodeReady"].includes(e.reason ?? ""))),
    podEvents: eventCounts((await podEvents(pod)).filter((e) => ["NodeNotReady", "TaintManagerEviction"].includes(e.reason ?? ""))),
    disruptionTargets: disruption.length,
    ready: readyOf(n),
    taints: (n.spec.taints ?? []).length,
    podGone: !(await getPod(pod)),
  };
}

describe("evictions mid-operation: a node fails and heals", () => {
  let baseline: End;

  it("undisturbed", async () => {
    baseline = await story("evl-base", await startNode("evl-base", clock), async () => undefined);
    expect(baseline).toEqual({ nodeEvents: { NodeNotReady: 1, NodeReady: 1 }, podEvents: { NodeNotReady: 1, TaintManagerEviction: 1 }, disruptionTargets: 1, ready: "True", taints: 0, podGone: true });
  });

  it("with the lifecycle controller and the node evicted before the deadline, before the eviction and after it: the same end", async () => {
    const stub = await startNode("evl-faults", clock);
    const end = await story("evl-faults", stub, async () => {
      await evict(lifecycleOf("evl-faults"), clock);
      await evict(stub, clock);
    });
    expect(end).toEqual(baseline);
    console.log(`lifecycle evictions: ${JSON.stringify(end)}; faults ${JSON.stringify(faults)}`);
  });
});
