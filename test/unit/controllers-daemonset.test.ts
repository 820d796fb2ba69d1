import { describe, it, expect } from "vitest";
import { planDaemonSet } from "../../src/controllers/daemonset-plan";
import { planHistory, revisionData } from "../../src/controllers/daemonset-history";
import { daemonTolerations, nodeShouldRunDaemonPod, pinToNode, targetNodeName } from "../../src/controllers/daemon-pods";
import { mkPod, T0, iso, uid } from "../../src/controllers/testing/fixtures";
import type { ControllerRevision, DaemonSet, Node, Pod, Taint } from "../../src/model/types";

function mkDS(o: { nodeSelector?: Record<string, string>; tolerations?: DaemonSet["spec"]["template"]["spec"]["tolerations"]; affinity?: DaemonSet["spec"]["template"]["spec"]["affinity"]; maxUnavailable?: number | string; maxSurge?: number | string; onDelete?: boolean; hostNetwork?: boolean } = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default", uid: uid("ds"), resourceVersion: "3", generation: 2, creationTimestamp: iso(T0), annotations: { "deprecated.daemonset.template.generation": "2" } },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "app", image: "agent:v2" }],
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.tolerations ? { tolerations: o.tolerations } : {}),
          ...(o.affinity ? { affinity: o.affinity } : {}),
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
        },
      },
      updateStrategy: o.onDelete ? { type: "OnDelete" } : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: o.maxSurge ?? 0 } },
      revisionHistoryLimit: 10,
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
}

function mkNode(name: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name, uid: uid("node"), labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } }, spec: { taints: o.taints } };
}

const HASH = "newhash";

/** A daemon pod of `ds` on `node`: new (current hash) or old, ready or not. */
function daemonPod(ds: DaemonSet, name: string, node: string | undefined, o: { old?: boolean; ready?: boolean; phase?: "Failed" | "Succeeded"; deleting?: boolean; created?: number; pinned?: string } = {}): Pod {
  const pod = mkPod(name, { node, ready: o.ready ?? true, phase: o.phase, deleting: o.deleting, created: o.created, labels: { app: "web", "controller-revision-hash": o.old ? "oldhash" : HASH } });
  pod.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: ds.metadata.uid!, controller: true }];
  if (o.pinned) pod.spec.affinity = pinToNode(undefined, o.pinned);
  return pod;
}

const names = (pods: { pod: Pod }[]) => pods.map((r) => r.pod.metadata.name).sort();

describe("daemon pod eligibility (NodeShouldRunDaemonPod)", () => {
  const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute" };
  const unreachableNoSchedule: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" };
  const dedicated: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  const evicting: Taint = { key: "maintenance", effect: "NoExecute" };
  it.each<{ name: string; ds: DaemonSet; node: Node; shouldRun: boolean; shouldContinueRunning: boolean }>([
    { name: "a plain node", ds: mkDS(), node: mkNode("n1"), shouldRun: true, shouldContinueRunning: true },
    { name: "nodeSelector matches", ds: mkDS({ nodeSelector: { disk: "ssd" } }), node: mkNode("n1", { labels: { disk: "ssd" } }), shouldRun: true, shouldContinueRunning: true },
    { name: "nodeSelector does not match", ds: mkDS({ nodeSelector: { disk: "ssd" } }), node: mkNode("n1", { labels: { disk: "hdd" } }), shouldRun: false, shouldContinueRunning: false },
    {
      name: "required node affinity does not match",
      ds: mkDS({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }] } } } }),
      node: mkNode("n1", { labels: { zone: "a" } }),
      shouldRun: false,
      shouldContinueRunning: false,
    },
    {
      name: "required node affinity matches",
      ds: mkDS({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } } }),
      node: mkNode("n1", { labels: { zone: "a" } }),
      shouldRun: true,
      shouldContinueRunning: true,
    },
    { name: "an untolerated NoSchedule taint keeps new pods off but lets one stay", ds: mkDS(), node: mkNode("n1", { taints: [dedicated] }), shouldRun: false, shouldContinueRunning: true },
    { name: "a tolerated NoSchedule taint", ds: mkDS({ tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] }), node: mkNode("n1", { taints: [dedicated] }), shouldRun: true, shouldContinueRunning: true },
    { name: "an untolerated NoExecute taint removes the pod", ds: mkDS(), node: mkNode("n1", { taints: [evicting] }), shouldRun: false, shouldContinueRunning: false },
    { name: "not-ready NoExecute is tolerated by every daemon pod", ds: mkDS(), node: mkNode("n1", { taints: [notReady] }), shouldRun: true, shouldContinueRunning: true },
    { name: "a failed node (unreachable NoSchedule + NoExecute) keeps its pod", ds: mkDS(), node: mkNode("n1", { taints: [unreachableNoSchedule, { key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] }), shouldRun: false, shouldContinueRunning: true },
    { name: "a cordoned node (unschedulable taint) still runs it", ds: mkDS(), node: mkNode("n1", { taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }), shouldRun: true, shouldContinueRunning: true },
    { name: "memory pressure is tolerated", ds: mkDS(), node: mkNode("n1", { taints: [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }] }), shouldRun: true, shouldContinueRunning: true },
    { name: "network-unavailable only for hostNetwork pods", ds: mkDS(), node: mkNode("n1", { taints: [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }] }), shouldRun: false, shouldContinueRunning: true },
    { name: "network-unavailable tolerated with hostNetwork", ds: mkDS({ hostNetwork: true }), node: mkNode("n1", { taints: [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }] }), shouldRun: true, shouldContinueRunning: true },
  ])("$name", ({ ds, node, shouldRun, shouldContinueRunning }) => {
    expect(nodeShouldRunDaemonPod(ds, node)).toEqual({ shouldRun, shouldContinueRunning });
  });

  it("adds the daemon tolerations once, without tolerationSeconds", () => {
    const spec = mkDS({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] }).spec.template.spec;
    const tolerations = daemonTolerations(spec);
    expect(tolerations.filter((t) => t.key === "node.kubernetes.io/not-ready")).toEqual([{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" }]);
    expect(tolerations.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/unschedulable:NoSchedule",
    ]);
  });

  it("pins a pod to its node in every required term, keeping the term's expressions", () => {
    const aff = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }], matchFields: [{ key: "metadata.name", operator: "In", values: ["old"] }] }] } } }, "n2");
    expect(aff.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }], matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] },
    ]);
    expect(targetNodeName({ spec: { containers: [], affinity: aff } } as unknown as Pod)).toBe("n2");
  });
});

describe("DaemonSet planner: one pod per eligible node", () => {
  it("creates a pod on every eligible node, none on others, and reports desired", () => {
    const ds = mkDS({ nodeSelector: { role: "worker" } });
    const nodes = [mkNode("n1", { labels: { role: "worker" } }), mkNode("n2", { labels: { role: "worker" } }), mkNode("n3")];
    const plan = planDaemonSet({ ds, nodes, pods: [], hash: HASH, now: T0 });
    expect(plan.create).toEqual(["n1", "n2"]);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 0, observedGeneration: 2, numberUnavailable: 2 });
  });

  it("is idempotent: every node has its ready pod, nothing is written", () => {
    const ds = mkDS();
    const nodes = [mkNode("n1"), mkNode("n2")];
    const pods = [daemonPod(ds, "a", "n1"), daemonPod(ds, "b", "n2")];
    ds.status = { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 2, updatedNumberScheduled: 2, numberAvailable: 2 };
    const plan = planDaemonSet({ ds, nodes, pods, hash: HASH, now: T0 });
    expect(plan).toMatchObject({ create: [], remove: [], statusChanged: false });
  });

  it("counts an unbound pod pinned to a node as that node's, and deletes one pinned to a node that is gone", () => {
    const ds = mkDS();
    const pods = [daemonPod(ds, "pending", undefined, { pinned: "n1", ready: false }), daemonPod(ds, "lost", undefined, { pinned: "gone", ready: false })];
    const plan = planDaemonSet({ ds, nodes: [mkNode("n1")], pods, hash: HASH, now: T0 });
    expect(plan.create).toEqual([]);
    expect(names(plan.remove)).toEqual(["lost"]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 0, updatedNumberScheduled: 1 });
  });

  it("deletes pods on nodes that no longer match (misscheduled) and keeps the oldest of two", () => {
    const ds = mkDS({ nodeSelector: { role: "worker" } });
    const nodes = [mkNode("n1", { labels: { role: "worker" } }), mkNode("n2")];
    const pods = [daemonPod(ds, "older", "n1", { created: T0 }), daemonPod(ds, "newer", "n1", { created: T0 + 1000 }), daemonPod(ds, "stray", "n2")];
    const plan = planDaemonSet({ ds, nodes, pods, hash: HASH, now: T0 });
    expect(names(plan.remove)).toEqual(["newer", "stray"]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 1, numberMisscheduled: 1 });
  });

  it("replaces a failed pod with a FailedDaemonPod warning", () => {
    const ds = mkDS();
    const plan = planDaemonSet({ ds, nodes: [mkNode("n1")], pods: [daemonPod(ds, "crashed", "n1", { phase: "Failed", ready: false })], hash: HASH, now: T0 });
    expect(plan.remove).toHaveLength(1);
    expect(plan.remove[0].event).toEqual({ type: "Warning", reason: "FailedDaemonPod", message: "Found failed daemon pod default/crashed on node n1, will try to kill it" });
  });

  it("leaves the pod of a failed node where it is (no delete, no create elsewhere)", () => {
    const ds = mkDS();
    const failed = mkNode("n2", { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }, { key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] });
    const pods = [daemonPod(ds, "a", "n1"), daemonPod(ds, "b", "n2", { ready: false })];
    const plan = planDaemonSet({ ds, nodes: [mkNode("n1"), failed], pods, hash: HASH, now: T0 });
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 1 });
  });

  it("waits for a terminating pod to be gone before its node gets a new one", () => {
    const ds = mkDS();
    const plan = planDaemonSet({ ds, nodes: [mkNode("n1")], pods: [daemonPod(ds, "old", "n1", { old: true, deleting: true })], hash: HASH, now: T0 });
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("a DaemonSet being deleted only reports", () => {
    const ds = mkDS();
    ds.metadata.deletionTimestamp = iso(T0);
    const plan = planDaemonSet({ ds, nodes: [mkNode("n1"), mkNode("n2")], pods: [daemonPod(ds, "a", "n1")], hash: HASH, now: T0 });
    expect(plan).toMatchObject({ create: [], remove: [] });
  });
});

describe("DaemonSet planner: rolling update steps", () => {
  const nodes = ["n1", "n2", "n3", "n4"].map((n) => mkNode(n));
  it.each<{ name: string; maxUnavailable?: number | string; maxSurge?: number | string; onDelete?: boolean; pods: (ds: DaemonSet) => Pod[]; create: string[]; remove: string[] }>([
    {
      name: "maxUnavailable 1: one old pod at a time",
      pods: (ds) => nodes.map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true })),
      create: [],
      remove: ["old-n1"],
    },
    {
      name: "maxUnavailable 2: two at a time",
      maxUnavailable: 2,
      pods: (ds) => nodes.map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true })),
      create: [],
      remove: ["old-n1", "old-n2"],
    },
    {
      name: "maxUnavailable 50% of 4 nodes is 2",
      maxUnavailable: "50%",
      pods: (ds) => nodes.map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true })),
      create: [],
      remove: ["old-n1", "old-n2"],
    },
    {
      name: "a new pod not yet ready uses the budget: nothing more is deleted",
      pods: (ds) => [daemonPod(ds, "new-n1", "n1", { ready: false }), ...nodes.slice(1).map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true }))],
      create: [],
      remove: [],
    },
    {
      name: "a node still waiting for its replacement uses the budget",
      pods: (ds) => [daemonPod(ds, "gone-n1", "n1", { old: true, deleting: true }), ...nodes.slice(1).map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true }))],
      create: [],
      remove: [],
    },
    {
      name: "the next old pod goes once the new one is ready",
      pods: (ds) => [daemonPod(ds, "new-n1", "n1"), ...nodes.slice(1).map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true }))],
      create: [],
      remove: ["old-n2"],
    },
    {
      name: "an unavailable old pod is replaced whatever the budget",
      pods: (ds) => [daemonPod(ds, "new-n1", "n1", { ready: false }), daemonPod(ds, "old-n2", "n2", { old: true, ready: false }), daemonPod(ds, "old-n3", "n3", { old: true }), daemonPod(ds, "old-n4", "n4", { old: true })],
      create: [],
      remove: ["old-n2"],
    },
    {
      name: "maxSurge 1: a new pod starts beside the old one",
      maxUnavailable: 0,
      maxSurge: 1,
      pods: (ds) => nodes.map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true })),
      create: ["n1"],
      remove: [],
    },
    {
      name: "maxSurge 1: the old pod goes when its replacement is available, and the next node surges",
      maxUnavailable: 0,
      maxSurge: 1,
      pods: (ds) => [daemonPod(ds, "old-n1", "n1", { old: true }), daemonPod(ds, "new-n1", "n1", { created: T0 + 1 }), ...nodes.slice(1).map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true }))],
      create: ["n2"],
      remove: ["old-n1"],
    },
    {
      name: "maxSurge 1: a surged pod not yet ready holds the budget",
      maxUnavailable: 0,
      maxSurge: 1,
      pods: (ds) => [daemonPod(ds, "old-n1", "n1", { old: true }), daemonPod(ds, "new-n1", "n1", { ready: false, created: T0 + 1 }), ...nodes.slice(1).map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true }))],
      create: [],
      remove: [],
    },
    {
      name: "OnDelete: old pods stay until someone deletes them",
      onDelete: true,
      pods: (ds) => nodes.map((n) => daemonPod(ds, `old-${n.metadata.name}`, n.metadata.name, { old: true })),
      create: [],
      remove: [],
    },
  ])("$name", ({ maxUnavailable, maxSurge, onDelete, pods, create, remove }) => {
    const ds = mkDS({ maxUnavailable, maxSurge, onDelete });
    const plan = planDaemonSet({ ds, nodes, pods: pods(ds), hash: HASH, now: T0 + 60_000 });
    expect(plan.create).toEqual(create);
    expect(names(plan.remove)).toEqual(remove);
  });

  it("reports updated and available counts from the oldest pod on each node", () => {
    const ds = mkDS();
    const pods = [daemonPod(ds, "new-n1", "n1"), daemonPod(ds, "new-n2", "n2", { ready: false }), daemonPod(ds, "old-n3", "n3", { old: true }), daemonPod(ds, "old-n4", "n4", { old: true })];
    const plan = planDaemonSet({ ds, nodes, pods, hash: HASH, now: T0 });
    expect(plan.status).toEqual({ currentNumberScheduled: 4, numberMisscheduled: 0, desiredNumberScheduled: 4, numberReady: 3, observedGeneration: 2, updatedNumberScheduled: 2, numberAvailable: 3, numberUnavailable: 1 });
  });
});

describe("DaemonSet history (ControllerRevisions)", () => {
  function revision(ds: DaemonSet, n: number, image: string, hash: string): ControllerRevision {
    const copy = structuredClone(ds);
    copy.spec.template.spec.containers[0].image = image;
    return {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: `agent-${hash}`, namespace: "default", resourceVersion: "1", labels: { app: "web", "controller-revision-hash": hash } },
      data: revisionData(copy),
      revision: n,
    };
  }

  it("makes revision 1 named after its hash, labelled and owned, holding a replace patch of the template", () => {
    const ds = mkDS();
    const plan = planHistory(ds, [], []);
    expect(plan.create?.metadata.name).toBe(`agent-${plan.hash}`);
    expect(plan.create?.revision).toBe(1);
    expect(plan.create?.metadata.labels).toEqual({ app: "web", "controller-revision-hash": plan.hash });
    expect(plan.create?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "DaemonSet", name: "agent", controller: true });
    expect((plan.create?.data as { spec: { template: Record<string, unknown> } }).spec.template.$patch).toBe("replace");
    expect(planHistory(ds, [], []).hash).toBe(plan.hash);
  });

  it("a new template is the next revision; going back to an old one renumbers it instead", () => {
    const ds = mkDS();
    const r1 = revision(ds, 1, "agent:v1", "h1");
    const r2 = revision(ds, 2, "agent:v2", "h2");
    const r3 = revision(ds, 3, "agent:v3", "h3");
    const back = planHistory(ds, [r1, r2, r3], []);
    expect(back.create).toBeUndefined();
    expect(back.hash).toBe("h2");
    expect(back.update.map((r) => [r.metadata.name, r.revision])).toEqual([["agent-h2", 4]]);
    const fresh = planHistory(mkDS(), [r1], []);
    expect(fresh.create?.revision).toBe(2);
  });

  it("keeps revisionHistoryLimit old revisions, never one a live pod still runs", () => {
    const ds = mkDS();
    ds.spec.revisionHistoryLimit = 1;
    const olds = [1, 2, 3].map((n) => revision(ds, n, `agent:v0.${n}`, `h${n}`));
    const live = daemonPod(ds, "p", "n1");
    live.metadata.labels!["controller-revision-hash"] = "h1";
    const plan = planHistory(ds, olds, [live]);
    // Three old revisions, one may stay: two go, the oldest first, skipping the live one.
    expect(plan.remove.map((r) => r.metadata.name)).toEqual(["agent-h2", "agent-h3"]);
  });

  it("a name taken by another template is a collision", () => {
    const ds = mkDS();
    const hash = planHistory(ds, [], []).hash;
    const squatter = revision(ds, 1, "other:v9", hash);
    expect(planHistory(ds, [squatter], []).collision).toBe(true);
    ds.status = { ...ds.status!, collisionCount: 1 };
    expect(planHistory(ds, [squatter], []).hash).not.toBe(hash);
  });
});
