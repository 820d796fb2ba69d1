import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/model/types";
import { explainSchedule } from "../../src/scheduler/explain";
import { Code, type NodeInfo } from "../../src/scheduler/framework";
import { makeNode, makePod } from "../../src/scheduler/fixtures";
import { seededRandom } from "../../src/util/seeded-random";
import { addPod, buildSnapshot, removePod } from "../../src/scheduler/node-info";
import { scheduledMessage, truncateMessage } from "../../src/scheduler/messages";
import { nodeScores, numFeasibleNodesToFind, schedulePod } from "../../src/scheduler/schedule-one";

function nodes(n: number, o: Parameters<typeof makeNode>[1] = {}) {
  return Array.from({ length: n }, (_, i) => makeNode(`node-${i + 1}`, o));
}

describe("numFeasibleNodesToFind (percentageOfNodesToScore)", () => {
  it.each([
    [50, undefined, 50], // below 100: every node
    [99, undefined, 99],
    [100, undefined, 100], // 50% would be 50, the minimum is 100
    [1000, undefined, 420], // 50 - 1000/125 = 42%
    [5000, undefined, 500], // 50 - 40 = 10%
    [10000, undefined, 500], // 50 - 80 < 5: floor of 5%
    [1000, 100, 1000],
    [5000, 30, 1500],
    [1000, 5, 100], // 50 nodes would be fewer than the minimum
  ])("%i nodes, percentage %s -> %i", (all, pct, want) => {
    expect(numFeasibleNodesToFind(all, pct)).toBe(want);
  });

  it("stops filtering once enough feasible nodes are found and moves the start index", () => {
    const snapshot = buildSnapshot(nodes(1000), []);
    const r = schedulePod(makePod("p", { cpu: "100m" }), snapshot, { random: seededRandom(1), startIndex: 990 });
    expect(r.numNodesToFind).toBe(420);
    expect(r.evaluated).toBe(420);
    expect(r.feasible).toBe(420);
    expect(r.nextStartIndex).toBe((990 + 420) % 1000);
    expect(r.scores!.nodes).toHaveLength(420);
    expect(r.scores!.totals).toHaveLength(420);
  });
});

describe("schedulePod with a pod pinned to one node (DaemonSet pods)", () => {
  const pinned = (node: string, cpu: string) =>
    makePod("ds-pod", { cpu, spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] } } } } });

  it("places it on its node, filtering no other", () => {
    const r = schedulePod(pinned("node-2", "100m"), buildSnapshot(nodes(3), []), { random: seededRandom(1) });
    expect(r.node).toBe("node-2");
    expect(r.evaluated).toBe(3);
    expect(r.feasible).toBe(1);
  });

  it("reports the other nodes as not satisfying NodeAffinity when its node is full", () => {
    const r = schedulePod(pinned("node-2", "8"), buildSnapshot(nodes(3), []), { random: seededRandom(1) });
    expect(r.status.code).toBe(Code.Unschedulable);
    expect(r.message).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    expect([...r.unschedulablePlugins].sort()).toEqual(["NodeAffinity", "NodeResourcesFit"]);
  });

  it("pinned to a node that is gone: every node is left out", () => {
    const r = schedulePod(pinned("node-9", "100m"), buildSnapshot(nodes(3), []), { random: seededRandom(1) });
    expect(r.message).toBe("0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });
});

describe("schedulePod", () => {
  it("LeastAllocated spreads 3 equal pods over 3 equal nodes", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const snapshot = buildSnapshot(nodes(3, { cpu: "2", memory: "4Gi" }), []);
      const random = seededRandom(seed);
      let start = 0;
      const placed: string[] = [];
      for (let i = 0; i < 3; i++) {
        const pod = makePod(`web-${i}`, { cpu: "500m", memory: "512Mi" });
        const r = schedulePod(pod, snapshot, { random, startIndex: start });
        expect(r.status.code).toBe(Code.Success);
        start = r.nextStartIndex;
        placed.push(r.node!);
        addPod(snapshot.find((n) => n.name === r.node)!, { ...pod, spec: { ...pod.spec, nodeName: r.node } }); // assume
      }
      expect(new Set(placed).size).toBe(3);
    }
  });

  it("MostAllocated packs them onto one node", () => {
    const snapshot = buildSnapshot(nodes(3), []);
    const placed = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const pod = makePod(`web-${i}`, { cpu: "500m", memory: "512Mi" });
      const r = schedulePod(pod, snapshot, { random: seededRandom(i), scoringStrategy: "MostAllocated" });
      placed.add(r.node!);
      addPod(snapshot.find((n) => n.name === r.node)!, pod);
    }
    expect(placed.size).toBe(1);
  });

  it("breaks ties at random among equal nodes only", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const snapshot = buildSnapshot(nodes(4), [makePod("busy", { cpu: "3", spec: { nodeName: "node-2" } })]);
      seen.add(schedulePod(makePod("p", { cpu: "1" }), snapshot, { random: seededRandom(seed) }).node!);
    }
    expect([...seen].sort()).toEqual(["node-1", "node-3", "node-4"]);
  });

  it("takes the only feasible node without scoring it", () => {
    const snapshot = buildSnapshot([makeNode("small", { cpu: "1" }), makeNode("big", { cpu: "8" })], []);
    const r = schedulePod(makePod("p", { cpu: "4" }), snapshot, { random: Math.random });
    expect(r.node).toBe("big");
    expect(r.scores).toBeUndefined();
    expect(r.diagnosis.get("small")?.reasons).toEqual(["Insufficient cpu"]);
  });

  it("weights TaintToleration 3, NodeAffinity 2 and the rest 1", () => {
    const snapshot = buildSnapshot(
      [makeNode("soft-tainted", { taints: [{ key: "spot", value: "true", effect: "PreferNoSchedule" }] }), makeNode("clean")],
      [],
    );
    const r = schedulePod(makePod("p", { cpu: "1", memory: "1Gi" }), snapshot, { random: Math.random });
    expect(r.node).toBe("clean");
    const clean = nodeScores(r.scores!).find((s) => s.node === "clean")!;
    expect(clean.plugins.map((p) => [p.plugin, p.weight, p.normalized])).toEqual([
      ["TaintToleration", 3, 100],
      ["NodeResourcesFit", 1, 81],
      ["NodeResourcesBalancedAllocation", 1, 93],
      ["ImageLocality", 1, 0],
    ]);
    expect(clean.total).toBe(300 + 81 + 93);
    expect(r.skippedScorePlugins).toEqual(["NodeAffinity"]);
  });

  it("no nodes at all", () => {
    const r = schedulePod(makePod("p"), [], { random: Math.random });
    expect(r.status.code).toBe(Code.UnschedulableAndUnresolvable);
    expect(r.message).toBe("no nodes available to schedule pods");
  });

  it("a quantity that does not parse is an Error status, not an exception", () => {
    const r = schedulePod(makePod("p", { cpu: "lots" }), buildSnapshot(nodes(2), []), { random: Math.random });
    expect(r.status.code).toBe(Code.Error);
    expect(r.node).toBeUndefined();
  });
});

describe("the FailedScheduling message", () => {
  const cordoned = makeNode("node-1", { unschedulable: true });
  const small = (name: string) => makeNode(name, { cpu: "1" });

  it("counts reasons per node, sorted, with DefaultPreemption's verdict", () => {
    const snapshot = buildSnapshot([cordoned, small("node-2"), small("node-3")], []);
    const r = schedulePod(makePod("big", { cpu: "2" }), snapshot, { random: Math.random });
    expect(r.status.code).toBe(Code.Unschedulable);
    expect(r.message).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. " +
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    expect([...r.unschedulablePlugins].sort()).toEqual(["NodeResourcesFit", "NodeUnschedulable"]);
  });

  it("every node unresolvable", () => {
    const snapshot = buildSnapshot(nodes(3), []);
    const r = schedulePod(makePod("p", { spec: { nodeSelector: { disktype: "ssd" } } }), snapshot, { random: Math.random });
    expect(r.message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " +
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it("a node short of two resources counts under both; the first failing filter decides", () => {
    const snapshot = buildSnapshot(
      [makeNode("a", { cpu: "1", memory: "1Gi" }), makeNode("b", { cpu: "1", memory: "1Gi", taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] })],
      [],
    );
    const r = schedulePod(makePod("p", { cpu: "2", memory: "2Gi" }), snapshot, { random: Math.random, postFilter: false });
    expect(r.message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.");
  });

  it("lower-priority pods that would not make room: their filter reason in the preemption part", () => {
    const victim = makePod("low", { cpu: "500m", spec: { nodeName: "node-2", priority: 0 } });
    const snapshot = buildSnapshot([cordoned, small("node-2"), small("node-3")], [victim]);
    const r = schedulePod(makePod("high", { cpu: "2", spec: { priority: 1000 } }), snapshot, { random: Math.random });
    expect(r.message).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. " +
        "preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
  });

  it("no suffix where preemption finds a node: it nominates that node and names the victims", () => {
    const victim = makePod("low", { cpu: "800m", spec: { nodeName: "node-2", priority: 0 } });
    const snapshot = buildSnapshot([cordoned, small("node-2")], [victim]);
    const r = schedulePod(makePod("high", { cpu: "500m", spec: { priority: 1000 } }), snapshot, { random: Math.random });
    expect(r.message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.");
    expect(r.preemption?.candidate?.node).toBe("node-2");
    expect(r.preemption?.candidate?.victims.map((v) => v.key)).toEqual(["default/low"]);
  });

  it("preemptionPolicy Never", () => {
    const snapshot = buildSnapshot([small("node-1")], []);
    const r = schedulePod(makePod("p", { cpu: "2", spec: { preemptionPolicy: "Never" } }), snapshot, { random: Math.random });
    expect(r.message).toBe("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
  });

  it("sorts counts as strings, as Go does (10 before 2)", () => {
    const snapshot = buildSnapshot([...nodes(10, { cpu: "1" }), ...Array.from({ length: 2 }, (_, i) => makeNode(`c-${i}`, { unschedulable: true }))], []);
    const r = schedulePod(makePod("p", { cpu: "2" }), snapshot, { random: Math.random, postFilter: false });
    expect(r.message).toBe("0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable.");
  });

  it("Scheduled event text and truncation", () => {
    expect(scheduledMessage(makePod("x"), "node-2")).toBe("Successfully assigned default/x to node-2");
    const long = truncateMessage("x".repeat(2000));
    expect(long).toHaveLength(1024);
    expect(long.endsWith(" ...")).toBe(true);
  });
});

describe("assume and forget on the in-memory view", () => {
  it("a refused bind removed with removePod frees the room again", () => {
    const snapshot: NodeInfo[] = buildSnapshot([makeNode("only", { cpu: "1" })], []);
    const first: Pod = makePod("a", { cpu: "1" });
    const r1 = schedulePod(first, snapshot, { random: Math.random });
    addPod(snapshot[0], first);
    expect(schedulePod(makePod("b", { cpu: "1" }), snapshot, { random: Math.random }).node).toBeUndefined();
    expect(removePod(snapshot[0], "default/a")).toBe(true);
    expect(schedulePod(makePod("b", { cpu: "1" }), snapshot, { random: Math.random }).node).toBe(r1.node);
  });
});

describe("explainSchedule", () => {
  it("shows each node's filter verdicts by plugin, per-plugin scores and the choice", () => {
    const snapshot = buildSnapshot([makeNode("a"), makeNode("b", { unschedulable: true }), makeNode("c", { cpu: "8" })], []);
    const pod = makePod("p", { cpu: "1", memory: "1Gi" });
    const r = schedulePod(pod, snapshot, { random: seededRandom(7), explain: true });
    const e = explainSchedule(pod, snapshot, r);
    expect(e.selectedNode).toBe("c");
    expect(e.scoring).toBe("scored");
    expect(e.nodes.map((n) => n.name)).toEqual(["c", "a", "b"]);
    const b = e.nodes.find((n) => n.name === "b")!;
    expect(b.filter.code).toBe("UnschedulableAndUnresolvable");
    expect(b.filter.decidedBy).toBe("NodeUnschedulable");
    expect(b.filter.plugins?.map((p) => `${p.plugin}:${p.code}`)).toEqual([
      "NodeUnschedulable:UnschedulableAndUnresolvable",
      "NodeName:Success",
      "TaintToleration:Success",
      "NodeAffinity:Success",
      "NodePorts:Success",
      "NodeResourcesFit:Success",
      "VolumeBinding:Success",
    ]);
    const c = e.nodes[0];
    expect(c.selected).toBe(true);
    expect(c.score?.plugins.find((p) => p.plugin === "NodeResourcesFit")).toMatchObject({ raw: 87, normalized: 87, weight: 1, weighted: 87 });
    expect(c.score?.final).toBe(c.score!.plugins.reduce((s, p) => s + p.weighted, 0));
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it("marks nodes the cycle never reached", () => {
    const snapshot = buildSnapshot(nodes(200), []);
    const pod = makePod("p");
    const r = schedulePod(pod, snapshot, { random: Math.random, percentageOfNodesToScore: 10 });
    const e = explainSchedule(pod, snapshot, r);
    expect(e.evaluated).toBe(100);
    expect(e.nodes.filter((n) => !n.evaluated)).toHaveLength(100);
    expect(e.nodes.at(-1)?.filter.code).toBe("NotEvaluated");
  });
});
