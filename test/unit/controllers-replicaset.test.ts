import { describe, it, expect } from "vitest";
import { planReplicaSet } from "../../src/controllers/replicaset-plan";
import { comparePodsForDeletion, podsToDelete } from "../../src/controllers/pod-ranking";
import { mkPod, mkRS, T0 } from "../../src/controllers/testing/fixtures";

describe("ReplicaSet planner", () => {
  it("creates what is missing and reports status from the active pods", () => {
    const rs = mkRS("web-abc", 3);
    const owned = [mkPod("web-abc-1", { owner: rs, ready: true }), mkPod("web-abc-2", { owner: rs })];
    const plan = planReplicaSet({ rs, owned, now: T0 + 1000 });
    expect(plan.create).toBe(1);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toEqual({ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
    expect(plan.statusChanged).toBe(true);
  });

  it("is idempotent: at the desired count nothing is written", () => {
    const rs = mkRS("web-abc", 2);
    const owned = [mkPod("a", { owner: rs }), mkPod("b", { owner: rs })];
    rs.status = { replicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 };
    const plan = planReplicaSet({ rs, owned, now: T0 });
    expect(plan).toMatchObject({ create: 0, remove: [], adopt: [], release: [], statusChanged: false });
  });

  it("replaces deleted-in-progress, Failed and evicted pods", () => {
    const rs = mkRS("web-abc", 3);
    const owned = [
      mkPod("ok", { owner: rs, ready: true }),
      mkPod("terminating", { owner: rs, ready: true, deleting: true }),
      mkPod("failed", { owner: rs, phase: "Failed" }),
      mkPod("evicted", { owner: rs, phase: "Failed" }),
    ];
    const plan = planReplicaSet({ rs, owned, now: T0 });
    expect(plan.create).toBe(2);
    expect(plan.status.replicas).toBe(1);
  });

  it("adopts matching orphans and releases owned pods that stopped matching", () => {
    const rs = mkRS("web-abc", 2);
    const orphan = mkPod("orphan");
    const other = mkPod("other-app", { labels: { app: "db" } });
    const relabelled = mkPod("relabelled", { owner: rs, labels: { app: "debug" } });
    const plan = planReplicaSet({ rs, owned: [relabelled], orphans: [orphan, other], now: T0 });
    expect(plan.adopt.map((p) => p.metadata.name)).toEqual(["orphan"]);
    expect(plan.adopt[0].metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(plan.release.map((p) => p.metadata.name)).toEqual(["relabelled"]);
    expect(plan.release[0].metadata.ownerReferences).toBeUndefined();
    expect(plan.create).toBe(1);
  });

  it("a ReplicaSet being deleted neither creates nor adopts", () => {
    const rs = mkRS("web-abc", 3);
    rs.metadata.deletionTimestamp = new Date(T0).toISOString();
    const plan = planReplicaSet({ rs, owned: [], orphans: [mkPod("orphan")], now: T0 });
    expect(plan.create).toBe(0);
    expect(plan.adopt).toEqual([]);
  });

  it("scales down in upstream order: unassigned, pending, not ready first", () => {
    const rs = mkRS("web-abc", 2);
    const owned = [
      mkPod("running-ready-old", { owner: rs, node: "n1", ready: true, readySince: T0 - 100_000 }),
      mkPod("unassigned", { owner: rs }),
      mkPod("running-ready-new", { owner: rs, node: "n2", ready: true, readySince: T0 - 1_000 }),
      mkPod("pending-on-node", { owner: rs, node: "n3", phase: "Pending" }),
      mkPod("running-not-ready", { owner: rs, node: "n1", phase: "Running", ready: false }),
    ];
    const plan = planReplicaSet({ rs, owned, now: T0 });
    expect(plan.remove.map((p) => p.metadata.name)).toEqual(["unassigned", "pending-on-node", "running-not-ready"]);
  });

  it("asks to look again when a ready pod will pass minReadySeconds", () => {
    const rs = mkRS("web-abc", 1, { minReadySeconds: 10 });
    const plan = planReplicaSet({ rs, owned: [mkPod("a", { owner: rs, ready: true, readySince: T0 - 4_000 })], now: T0 });
    expect(plan.status.availableReplicas).toBeUndefined();
    expect(plan.status.readyReplicas).toBe(1);
    expect(plan.requeueAfterMs).toBe(6_100);
  });
});

describe("pod deletion ranking", () => {
  const rs = mkRS("x", 1);
  const cmp = (a: Parameters<typeof mkPod>[1], b: Parameters<typeof mkPod>[1]) => Math.sign(comparePodsForDeletion(mkPod("a", { owner: rs, ...a }), mkPod("b", { owner: rs, ...b })));

  it("orders by assignment, phase, readiness", () => {
    expect(cmp({}, { node: "n" })).toBe(-1);
    expect(cmp({ node: "n", phase: "Pending" }, { node: "n", phase: "Unknown" })).toBe(-1);
    expect(cmp({ node: "n", phase: "Unknown" }, { node: "n", phase: "Running" })).toBe(-1);
    expect(cmp({ node: "n", phase: "Running", ready: false }, { node: "n", ready: true })).toBe(-1);
  });

  it("then deletion cost, more recent readiness, more restarts, newer creation", () => {
    expect(cmp({ node: "n", ready: true, cost: -5 }, { node: "n", ready: true, cost: 0 })).toBe(-1);
    expect(cmp({ node: "n", ready: true, readySince: T0 }, { node: "n", ready: true, readySince: T0 - 60_000 })).toBe(-1);
    expect(cmp({ node: "n", ready: true, restarts: 3 }, { node: "n", ready: true, restarts: 1 })).toBe(-1);
    expect(cmp({ node: "n", ready: true, created: T0 }, { node: "n", ready: true, created: T0 - 5_000 })).toBe(-1);
    expect(cmp({ node: "n", ready: true }, { node: "n", ready: true })).toBe(0);
  });

  it("prefers pods on nodes crowded with the same workload", () => {
    const a = mkPod("alone", { owner: rs, node: "n1", ready: true });
    const b = mkPod("crowded", { owner: rs, node: "n2", ready: true });
    const sibling = mkPod("sibling", { node: "n2", ready: true });
    expect(podsToDelete([a, b], [a, b, sibling], 1).map((p) => p.metadata.name)).toEqual(["crowded"]);
  });
});
