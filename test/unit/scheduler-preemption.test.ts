// DefaultPreemption as a pure function over a snapshot: which pods are victims on a
// node (the fewest, least important), which node is chosen (upstream's criteria in
// order), who may preempt at all, and the messages when preemption cannot help.
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/model/types";
import type { PodDisruptionBudget } from "../../src/model/policy-types";
import { Code, type NodeInfo, type PodInfo } from "../../src/scheduler/framework";
import { makeNode, makePod } from "../../src/scheduler/fixtures";
import { buildSnapshot, podInfoOf } from "../../src/scheduler/node-info";
import { defaultProfile } from "../../src/scheduler/profile";
import { CycleState } from "../../src/scheduler/framework";
import { eligibleToPreempt, numCandidates, pickOneNodeForPreemption, selectVictimsOnNode, type Candidate } from "../../src/scheduler/preemption";
import { schedulePod } from "../../src/scheduler/schedule-one";
import { failedOps, victimOps } from "../../src/scheduler/writes";

const filters = defaultProfile().filters;
/** The default profile's filters against one node, first rejection wins (as schedulePod runs them). */
function runFilters(pod: Pod) {
  const state = new CycleState();
  for (const f of filters) f.preFilter?.(state, pod);
  return (ni: NodeInfo) => {
    for (const f of filters) {
      const s = f.filter(state, pod, ni);
      if (s.code !== Code.Success) return s;
    }
    return { code: Code.Success, reasons: [] };
  };
}

const on = (node: string, name: string, cpu: string, priority: number, extra: { startTime?: string; deleting?: boolean; preempted?: boolean; labels?: Record<string, string> } = {}): Pod => {
  const p = makePod(name, { cpu, spec: { nodeName: node, priority }, labels: extra.labels });
  if (extra.startTime) p.status = { ...p.status, startTime: extra.startTime };
  if (extra.deleting) p.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  if (extra.preempted) p.status = { ...p.status, conditions: [{ type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler" }] };
  return p;
};
const preemptor = (cpu: string, priority: number, spec: Partial<Pod["spec"]> = {}, status?: Pod["status"]): Pod => {
  const p = makePod("high", { cpu, spec: { priority, ...spec } });
  if (status) p.status = status;
  return p;
};

describe("selectVictimsOnNode", () => {
  it.each<[string, Pod[], Pod, string[] | string]>([
    ["one low pod in the way goes", [on("n", "low", "3", 0)], preemptor("2", 100), ["low"]],
    ["only as many as needed, least important first: the higher of two low pods is reprieved", [on("n", "p10", "2", 10), on("n", "p5", "2", 5)], preemptor("2", 100), ["p5"]],
    [
      "reprieve goes most important first: a big important pod stays if smaller ones make room",
      [on("n", "big", "2", 50), on("n", "s1", "1", 1), on("n", "s2", "1", 2)],
      preemptor("2", 100),
      ["s2", "s1"],
    ],
    ["equal priority is never a victim", [on("n", "peer", "4", 100)], preemptor("2", 100), "No preemption victims found for incoming pod"],
    ["higher priority pods stay, and if they alone leave no room the node is not helped", [on("n", "top", "3", 1000), on("n", "low", "1", 0)], preemptor("2", 100), "Insufficient cpu"],
    ["among equal priorities the one started later goes first", [on("n", "old", "2", 0, { startTime: "2026-01-01T00:00:00Z" }), on("n", "new", "2", 0, { startTime: "2026-01-02T00:00:00Z" })], preemptor("2", 100), ["new"]],
  ])("%s", (_, pods, pod, want) => {
    const [ni] = buildSnapshot([makeNode("n", { cpu: "4" })], pods);
    const r = selectVictimsOnNode(pod, ni, runFilters(pod));
    if (typeof want === "string") expect("status" in r && r.status.reasons).toEqual([want]);
    else expect("victims" in r && r.victims.map((v) => v.pod.metadata.name)).toEqual(want);
  });
});

describe("selectVictimsOnNode with PodDisruptionBudgets", () => {
  const budget = (app: string, disruptionsAllowed: number): PodDisruptionBudget => ({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app, namespace: "default" },
    spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    status: { disruptionsAllowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
  });
  const db = (name: string, priority: number) => on("n", name, "2", priority, { labels: { app: "db" } });
  it.each<[string, Pod[], PodDisruptionBudget[], string[], number]>([
    ["no budget: the least important pod goes", [db("guarded", 5), on("n", "free", "2", 10)], [], ["guarded"], 0],
    ["a budget with no disruptions left reprieves its pod first: a more important unguarded pod goes instead", [db("guarded", 5), on("n", "free", "2", 10)], [budget("db", 0)], ["free"], 0],
    ["a budget with a disruption left does not protect", [db("guarded", 5), on("n", "free", "2", 10)], [budget("db", 1)], ["guarded"], 0],
    ["when only guarded pods make room, they go anyway and count as violations", [db("g1", 5), db("g2", 6)], [budget("db", 0)], ["g1"], 1],
    ["a budget of another app guards nothing here", [db("guarded", 5), on("n", "free", "2", 10)], [budget("web", 0)], ["guarded"], 0],
  ])("%s", (_, pods, pdbs, want, violations) => {
    const [ni] = buildSnapshot([makeNode("n", { cpu: "4" })], pods);
    const r = selectVictimsOnNode(preemptor("2", 100), ni, runFilters(preemptor("2", 100)), pdbs);
    expect("victims" in r && r.victims.map((p) => p.pod.metadata.name)).toEqual(want);
    expect("victims" in r && r.pdbViolations).toBe(violations);
  });
});

describe("pickOneNodeForPreemption", () => {
  const v = (name: string, priority: number, startTime?: string): PodInfo => podInfoOf(on("x", name, "1", priority, { startTime }));
  const c = (node: string, ...victims: PodInfo[]): Candidate => ({ node, victims, pdbViolations: 0 });
  it.each<[string, Candidate[], string]>([
    ["a node that needs no victims wins at once", [c("a", v("x", 1)), c("b")], "b"],
    ["then the fewest budget violations, before any priority", [{ ...c("a", v("x", 1)), pdbViolations: 1 }, c("b", v("y", 50))], "b"],
    ["the lowest highest-priority victim", [c("a", v("x", 50)), c("b", v("y", 10), v("z", 5))], "b"],
    ["then the smallest sum of priorities", [c("a", v("x", 10), v("y", 9)), c("b", v("z", 10), v("w", 1))], "b"],
    ["then the fewest victims", [c("a", v("x", 10), v("y", 0), v("z", 0)), c("b", v("w", 10), v("u", 0))], "b"],
    // Both highest victims at 10, sums equal, counts equal: the latest-started one is evicted.
    ["then the latest start of the highest-priority victims", [c("a", v("x", 10, "2026-01-01T00:00:00Z")), c("b", v("y", 10, "2026-01-03T00:00:00Z"))], "b"],
    ["negative priorities count below zero in the sum", [c("a", v("x", 0), v("y", -5)), c("b", v("z", 0), v("w", 0))], "a"],
    ["all equal: the first", [c("a", v("x", 1)), c("b", v("y", 1))], "a"],
  ])("%s", (_, candidates, want) => {
    expect(pickOneNodeForPreemption(candidates)?.node).toBe(want);
  });
});

describe("how many candidates the dry run looks for (calculateNumCandidates)", () => {
  it.each([
    [3, 3],
    [100, 100],
    [500, 100],
    [1000, 100],
    [5000, 500],
  ])("%i nodes that might help -> %i", (n, want) => expect(numCandidates(n)).toBe(want));

  it("stops once enough candidates are found, from the offset", () => {
    const nodes = Array.from({ length: 150 }, (_, i) => makeNode(`n${i}`, { cpu: "1" }));
    const pods = nodes.map((n, i) => on(n.metadata.name!, `v${i}`, "1", 0));
    const r = schedulePod(preemptor("1", 10), buildSnapshot(nodes, pods), { random: () => 0.5, postFilter: true });
    expect(r.preemption?.nodes).toHaveLength(100);
    expect(r.preemption?.nodes[0].node).toBe("n75");
  });
});

describe("eligibility", () => {
  const snapshot = () => buildSnapshot([makeNode("n", { cpu: "4" })], [on("n", "going", "4", 0, { deleting: true, preempted: true })]);
  it("preemptionPolicy Never may not preempt", () => {
    expect(eligibleToPreempt(preemptor("2", 100, { preemptionPolicy: "Never" }), snapshot())).toBe("not eligible due to preemptionPolicy=Never.");
  });
  it("a nominated pod waits while a pod it preempted still terminates there; without a nomination it may preempt", () => {
    expect(eligibleToPreempt(preemptor("2", 100, {}, { nominatedNodeName: "n" }), snapshot())).toBe("not eligible due to a terminating pod on the nominated node.");
    expect(eligibleToPreempt(preemptor("2", 100), snapshot())).toBeUndefined();
  });
});

describe("schedulePod with preemption", () => {
  const cluster = () =>
    buildSnapshot(
      [makeNode("node-1", { cpu: "2" }), makeNode("node-2", { cpu: "2" }), makeNode("node-3", { cpu: "2" })],
      [on("node-1", "a", "2", 100), on("node-2", "b", "1500m", 10), on("node-2", "b2", "500m", 10), on("node-3", "c", "2", 5)],
    );
  it("picks the node whose victims matter least and says nothing about preemption in the message", () => {
    // random 0: the dry run starts at the first node.
    const r = schedulePod(preemptor("1", 1000), cluster(), { random: () => 0 });
    expect(r.node).toBeUndefined();
    expect(r.message).toBe("0/3 nodes are available: 3 Insufficient cpu.");
    expect(r.preemption?.candidate).toMatchObject({ node: "node-3" });
    expect(r.preemption?.candidate?.victims.map((x) => x.key)).toEqual(["default/c"]);
    expect(r.preemption?.nodes.map((n) => [n.node, n.victims])).toEqual([
      ["node-1", ["default/a"]],
      ["node-2", ["default/b"]],
      ["node-3", ["default/c"]],
    ]);
  });
  it("equal or higher priorities everywhere: the upstream message", () => {
    const r = schedulePod(preemptor("1", 5), cluster(), { random: Math.random });
    expect(r.preemption?.candidate).toBeUndefined();
    expect(r.message).toBe("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
  });
  it("a nominated pod of equal or higher priority holds its node against others", () => {
    const snap = buildSnapshot([makeNode("node-1", { cpu: "2" })], []);
    const waiting = podInfoOf(makePod("waiting", { cpu: "2", spec: { priority: 1000 } }));
    const lower = schedulePod(makePod("lower", { cpu: "1", spec: { priority: 10 } }), snap, { random: Math.random, nominatedPods: () => [waiting] });
    expect(lower.node).toBeUndefined();
    const higher = schedulePod(makePod("higher", { cpu: "1", spec: { priority: 2000 } }), snap, { random: Math.random, nominatedPods: () => [waiting] });
    expect(higher.node).toBe("node-1");
  });
});

describe("the writes of a preemption", () => {
  const now = Date.parse("2026-03-01T10:00:00Z");
  const high = { ...preemptor("2", 1000), metadata: { name: "high", namespace: "default", uid: "u-high", resourceVersion: "7" } } as Pod;
  it("a victim: DisruptionTarget and a graceful deletion in one conditional update, and a Preempted event", () => {
    const victim = { ...on("node-2", "low", "1", 0), metadata: { name: "low", namespace: "default", uid: "u-low", resourceVersion: "5" } } as Pod;
    victim.spec.terminationGracePeriodSeconds = 30;
    const [update, event] = victimOps(victim, high, "node-2", now);
    expect(update).toMatchObject({ op: "update", resource: "pods", expectedRv: 5 });
    const next = (update as { object: Pod }).object;
    expect(next.metadata).toMatchObject({ deletionTimestamp: "2026-03-01T10:00:30Z", deletionGracePeriodSeconds: 30 });
    expect(next.status?.conditions).toEqual([
      { type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler", message: "default-scheduler: preempting to accommodate a higher priority pod", lastProbeTime: null, lastTransitionTime: "2026-03-01T10:00:00Z" },
    ]);
    expect((event as unknown as { object: { reason: string; action: string; message: string; type: string } }).object).toMatchObject({
      type: "Normal",
      reason: "Preempted",
      action: "Preempting",
      message: "Preempted by pod u-high on node node-2",
    });
  });
  it("a victim already being deleted gets nothing more (a second run of the same preemption writes nothing)", () => {
    expect(victimOps(on("node-2", "low", "1", 0, { deleting: true }), high, "node-2", now)).toEqual([]);
  });
  it("the preemptor: nominatedNodeName with PodScheduled=False in one status update; the same again writes nothing", () => {
    const ops = failedOps(high, "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.", now, "node-2");
    expect(ops.map((o) => o.op)).toEqual(["update", "create"]);
    const written = (ops[0] as { object: Pod }).object;
    expect(written.status?.nominatedNodeName).toBe("node-2");
    expect(failedOps(written, "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.", now, "node-2")).toEqual([]);
  });
});
