import { describe, it, expect } from "vitest";
import { planDisruption, type ControllerScale } from "../../src/controllers/disruption-plan";
import type { OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from "../../src/model/types";

const NOW = Date.parse("2026-01-01T00:10:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const rsRef: OwnerReference = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "rs-uid", controller: true };

function pod(name: string, opts: { ready?: boolean; terminating?: boolean; owner?: OwnerReference | null } = {}): Pod {
  const owner = opts.owner === undefined ? rsRef : opts.owner;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" }, ...(owner ? { ownerReferences: [owner] } : {}), ...(opts.terminating ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: "c", image: "nginx" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
  };
}

function pdb(spec: PodDisruptionBudgetSpec, status?: PodDisruptionBudgetStatus, generation = 1): PodDisruptionBudget {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web-pdb", namespace: "default", generation, uid: "pdb-uid" }, spec: { selector: { matchLabels: { app: "web" } }, ...spec }, ...(status ? { status } : {}) };
}

const deploymentScale = (replicas: number) => new Map<string, ControllerScale | null>([["rs-uid", { uid: "deploy-uid", replicas }]]);
const three = [pod("a"), pod("b"), pod("c")];

describe("planDisruption: the counts of a budget's status", () => {
  const cases: { name: string; spec: PodDisruptionBudgetSpec; pods: Pod[]; replicas: number; want: Partial<PodDisruptionBudgetStatus> }[] = [
    { name: "integer minAvailable counts the pods selected", spec: { minAvailable: 2 }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
    { name: "integer minAvailable ignores the controller's scale", spec: { minAvailable: 2 }, pods: three, replicas: 10, want: { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: "percent minAvailable rounds up over the controller's scale", spec: { minAvailable: "50%" }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { name: "maxUnavailable counts from the scale, not the pods", spec: { maxUnavailable: 1 }, pods: three, replicas: 5, want: { expectedPods: 5, desiredHealthy: 4, currentHealthy: 3, disruptionsAllowed: 0 } },
    { name: "maxUnavailable percent", spec: { maxUnavailable: "34%" }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 1, disruptionsAllowed: 2 } },
    { name: "maxUnavailable 0 allows nothing", spec: { maxUnavailable: 0 }, pods: three, replicas: 3, want: { desiredHealthy: 3, disruptionsAllowed: 0 } },
    { name: "an unready pod is not healthy", spec: { minAvailable: 2 }, pods: [pod("a"), pod("b", { ready: false }), pod("c")], replicas: 3, want: { currentHealthy: 2, disruptionsAllowed: 0 } },
    { name: "a terminating pod is not healthy", spec: { minAvailable: 1 }, pods: [pod("a"), pod("b", { terminating: true }), pod("c")], replicas: 3, want: { expectedPods: 3, currentHealthy: 2, disruptionsAllowed: 1 } },
    { name: "no pods: nothing allowed", spec: { minAvailable: 0 }, pods: [], replicas: 3, want: { expectedPods: 0, currentHealthy: 0, disruptionsAllowed: 0 } },
  ];
  it.each(cases)("$name", ({ spec, pods, replicas, want }) => {
    const plan = planDisruption({ pdb: pdb(spec), pods, scales: deploymentScale(replicas), now: NOW });
    expect(plan.status).toMatchObject({ observedGeneration: 1, ...want });
  });

  it("sets DisruptionAllowed: True SufficientPods when one is allowed, False InsufficientPods when none", () => {
    const ok = planDisruption({ pdb: pdb({ minAvailable: 2 }), pods: three, scales: deploymentScale(3), now: NOW }).status!;
    expect(ok.conditions).toEqual([{ type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", observedGeneration: 1, lastTransitionTime: iso(NOW) }]);
    const later = NOW + 60_000;
    const none = planDisruption({ pdb: pdb({ minAvailable: 3 }, ok), pods: three, scales: deploymentScale(3), now: later }).status!;
    expect(none.conditions).toEqual([{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: 1, lastTransitionTime: iso(later) }]);
  });

  it("writes nothing when the status is already right, and again when the spec moved on", () => {
    const first = planDisruption({ pdb: pdb({ minAvailable: 2 }), pods: three, scales: deploymentScale(3), now: NOW }).status!;
    expect(planDisruption({ pdb: pdb({ minAvailable: 2 }, first), pods: three, scales: deploymentScale(3), now: NOW + 5000 }).status).toBeNull();
    const bumped = planDisruption({ pdb: pdb({ minAvailable: 2 }, first, 2), pods: three, scales: deploymentScale(3), now: NOW + 5000 }).status!;
    expect(bumped.observedGeneration).toBe(2);
    expect(bumped.conditions?.[0].lastTransitionTime).toBe(iso(NOW));
  });

  it("keeps a recent eviction out of the healthy count and asks to look again when it expires", () => {
    const at = NOW - 30_000;
    const status = { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1, disruptedPods: { a: iso(at) } };
    const plan = planDisruption({ pdb: pdb({ minAvailable: 2 }, status), pods: three, scales: deploymentScale(3), now: NOW });
    expect(plan.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0, disruptedPods: { a: iso(at) } });
    expect(plan.recheckAfterMs).toBe(90_000);
    expect(plan.events).toEqual([]);
  });

  it("drops an eviction once its pod terminates, or after 2 minutes with a NotDeleted event on the pod", () => {
    const status = { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1, disruptedPods: { a: iso(NOW - 121_000), b: iso(NOW - 1000) } };
    const pods = [pod("a"), pod("b", { terminating: true }), pod("c")];
    const plan = planDisruption({ pdb: pdb({ minAvailable: 1 }, status), pods, scales: deploymentScale(3), now: NOW });
    expect(plan.status?.disruptedPods).toBeUndefined();
    expect(plan.status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    expect(plan.recheckAfterMs).toBeUndefined();
    expect(plan.events).toEqual([{ pod: "a", type: "Warning", reason: "NotDeleted", message: "Pod was expected by PDB default/web-pdb to be deleted but it wasn't" }]);
  });

  it("a pod whose controller is not found fails safe: nothing allowed, SyncFailed, retried", () => {
    const status = { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 };
    const plan = planDisruption({ pdb: pdb({ maxUnavailable: 1 }, status), pods: three, scales: new Map([["rs-uid", null]]), now: NOW });
    expect(plan.failed).toBe(true);
    expect(plan.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 3, observedGeneration: 1 });
    expect(plan.status?.conditions).toEqual([{ type: "DisruptionAllowed", status: "False", reason: "SyncFailed", message: 'found no controllers for pod "a"', observedGeneration: 1, lastTransitionTime: iso(NOW) }]);
    expect(plan.events).toEqual([{ type: "Warning", reason: "CalculateExpectedPodCountFailed", message: 'Failed to calculate the number of expected pods: found no controllers for pod "a"' }]);
    // Said once: the next failed sync writes nothing (its own write would wake it again).
    const again = planDisruption({ pdb: pdb({ maxUnavailable: 1 }, plan.status!), pods: three, scales: new Map([["rs-uid", null]]), now: NOW + 10_000 });
    expect(again).toMatchObject({ status: null, failed: true });
  });

  it("a controller without a scale (a Job) fails with why", () => {
    const plan = planDisruption({ pdb: pdb({ maxUnavailable: 1 }), pods: three, scales: new Map([["rs-uid", { error: "jobs.batch does not implement the scale subresource" }]]), now: NOW });
    expect(plan.status?.conditions?.[0]).toMatchObject({ reason: "SyncFailed", message: "jobs.batch does not implement the scale subresource" });
  });

  it("pods without a controller under a percentage: counted out, with an UnmanagedPods warning", () => {
    const pods = [pod("a"), pod("b"), pod("bare", { owner: null })];
    const plan = planDisruption({ pdb: pdb({ maxUnavailable: "50%" }), pods, scales: deploymentScale(2), now: NOW });
    expect(plan.status).toMatchObject({ expectedPods: 2, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2 });
    expect(plan.events.map((e) => e.reason)).toEqual(["UnmanagedPods"]);
    expect(plan.events[0].message).toContain('To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
  });

  it("no matching pods: a NoPods event", () => {
    expect(planDisruption({ pdb: pdb({ minAvailable: 1 }), pods: [], scales: new Map(), now: NOW }).events).toEqual([{ type: "Normal", reason: "NoPods", message: "No matching pods found" }]);
  });
});
