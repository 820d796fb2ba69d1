import { describe, it, expect } from "vitest";
import { finalizerRemovalOp, foregroundOps, gcDecision, gcOps, withoutOwners } from "../../src/controllers/gc-plan";
import { namespacedResources, planNamespaceContent, remainingConditions, type Remaining } from "../../src/controllers/namespace-controller";
import type { KubeObject } from "../../src/model/types";
import { mkPod, mkRS, T0 } from "../../src/controllers/testing/fixtures";

const ref = (uid: string, controller = true) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: uid, uid, controller });

function obj(name: string, owners: ReturnType<typeof ref>[] = [], extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "9", ownerReferences: owners, ...extra }, spec: {} };
}

describe("garbage collector decisions", () => {
  it("keeps objects whose owners exist, deletes those whose owners are all gone", () => {
    expect(gcDecision(obj("a"), new Set())).toEqual({ action: "keep" });
    expect(gcDecision(obj("a", [ref("o1")]), new Set(["o1"]))).toEqual({ action: "keep" });
    expect(gcDecision(obj("a", [ref("o1")]), new Set())).toEqual({ action: "delete" });
    expect(gcDecision(obj("a", [ref("o1"), ref("o2", false)]), new Set(["o2"]))).toEqual({ action: "drop-references", uids: ["o1"] });
  });

  it("deletes an unbound pod at once and a bound one gracefully (Background)", () => {
    const rs = mkRS("gone", 1);
    const unbound = mkPod("p1", { owner: rs });
    const bound = mkPod("p2", { owner: rs, node: "n1", ready: true });
    expect(gcOps("pods", unbound, { action: "delete" }, T0)).toEqual([{ op: "delete", resource: "pods", object: unbound, expectedRv: 10 }]);
    const [op] = gcOps("pods", bound, { action: "delete" }, T0);
    expect(op.op).toBe("update");
    expect(op.object.metadata.deletionTimestamp).toBe("2026-01-01T00:00:30Z");
  });

  it("orphaning removes only the owner's reference", () => {
    const op = withoutOwners("pods", obj("a", [ref("o1"), ref("o2", false)]), new Set(["o1"]));
    expect(op.object.metadata.ownerReferences).toEqual([ref("o2", false)]);
    expect(withoutOwners("pods", obj("b", [ref("o1")]), new Set(["o1"])).object.metadata.ownerReferences).toBeUndefined();
  });

  it("foreground: deletes dependents (in foreground for non-pods) and waits for the ones still there", () => {
    const owner = obj("owner", [], { uid: "o1", deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["foregroundDeletion"] });
    const rs = obj("rs", [ref("o1")]);
    const { ops, waiting } = foregroundOps(owner, [{ resource: "replicasets.apps", object: rs }], T0);
    expect(waiting).toBe(1);
    expect(ops[0].op).toBe("update");
    expect(ops[0].object.metadata.finalizers).toEqual(["foregroundDeletion"]);
    const pod = mkPod("p", { owner: mkRS("x", 1) });
    pod.metadata.ownerReferences![0].uid = "o1";
    const none = foregroundOps(owner, [{ resource: "pods", object: pod }], T0);
    expect(none).toEqual({ ops: [{ op: "delete", resource: "pods", object: pod, expectedRv: 10 }], waiting: 0 });
  });

  it("removing the last finalizer of an object being deleted removes it", () => {
    const owner = obj("o", [], { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["orphan"] });
    expect(finalizerRemovalOp("deployments.apps", owner, "orphan")?.op).toBe("delete");
    const two = obj("o", [], { deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["orphan", "custom"] });
    expect(finalizerRemovalOp("deployments.apps", two, "orphan")?.object.metadata.finalizers).toEqual(["custom"]);
    expect(finalizerRemovalOp("deployments.apps", two, "none")).toBeUndefined();
  });
});

describe("namespace deletion", () => {
  it("deletes workloads before pods, then everything else", () => {
    const order = namespacedResources();
    expect(order.slice(0, 6)).toEqual(["cronjobs.batch", "jobs.batch", "deployments.apps", "replicasets.apps", "replicationcontrollers", "pods"]);
    expect(order).toContain("events");
    expect(order).not.toContain("nodes");
  });

  it("counts what remains: graceful pods and objects held by finalizers", () => {
    const remaining: Remaining = { byResource: new Map(), byFinalizer: new Map() };
    const rs = mkRS("x", 1);
    const pods = [mkPod("unbound", { owner: rs }), mkPod("bound", { owner: rs, node: "n1", ready: true })];
    const groups = planNamespaceContent("pods", pods, T0, remaining);
    expect(groups.map((g) => g[0].op)).toEqual(["delete", "update"]);
    planNamespaceContent("deployments.apps", [obj("held", [], { finalizers: ["example.com/keep"] })], T0, remaining);
    const conds = remainingConditions(remaining, undefined, T0);
    const byType = Object.fromEntries(conds.map((c) => [c.type, c]));
    expect(byType.NamespaceContentRemaining).toMatchObject({ status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: deployments.apps has 1 resource instances, pods. has 1 resource instances" });
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({ status: "True", message: "Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances" });
    // Unchanged conditions keep their times, so an unchanged status writes nothing.
    expect(remainingConditions(remaining, conds, T0 + 60_000)).toEqual(conds);
  });
});
