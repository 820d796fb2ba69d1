import { describe, it, expect } from "vitest";
import { planEviction } from "../../src/registry/eviction-plan";
import { evictionsViolateBudgets, splitByBudgetViolation } from "../../src/model/disruption-budget";
import type { Pod, PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from "../../src/model/types";

const NOW = Date.parse("2026-01-01T00:00:00Z");

function pod(name: string, opts: { ready?: boolean; phase?: "Pending" | "Running" | "Succeeded" | "Failed"; terminating?: boolean; labels?: Record<string, string> } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: opts.labels ?? { app: "web" }, ...(opts.terminating ? { deletionTimestamp: "2026-01-01T00:00:30Z" } : {}) },
    spec: { containers: [{ name: "c", image: "nginx" }] },
    status: { phase: opts.phase ?? "Running", conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
  };
}

function pdb(name: string, status: Partial<PodDisruptionBudgetStatus>, spec: PodDisruptionBudgetSpec = {}, generation = 1): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: "default", generation },
    spec: { selector: { matchLabels: { app: "web" } }, minAvailable: 2, ...spec },
    status: { disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1, ...status },
  };
}

describe("planEviction", () => {
  it("spends one disruption and records the pod, in the budget to write with the deletion", () => {
    const plan = planEviction(pod("a"), [pdb("web-pdb", { disruptionsAllowed: 1 })], NOW);
    expect(plan.evict).toBe(true);
    const status = plan.evict ? plan.budget?.status : undefined;
    expect(status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { a: "2026-01-01T00:00:00Z" } });
    // Down to zero: the condition says so at once.
    expect(status?.conditions).toEqual([{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: 1, lastTransitionTime: "2026-01-01T00:00:00Z" }]);
  });

  it("refuses with 429 and the budget's counts when none is left", () => {
    const plan = planEviction(pod("a"), [pdb("web-pdb", { disruptionsAllowed: 0, currentHealthy: 2 })], NOW);
    expect(plan.evict).toBe(false);
    if (plan.evict) return;
    expect(plan.error.status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: "TooManyRequests",
      details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb needs 2 healthy pods and has 2 currently" }] },
      code: 429,
    });
  });

  it("answers 500 for a pod under two budgets", () => {
    const plan = planEviction(pod("a"), [pdb("one", { disruptionsAllowed: 1 }), pdb("two", { disruptionsAllowed: 1 })], NOW);
    expect(plan.evict).toBe(false);
    if (plan.evict) return;
    expect(plan.error.code).toBe(500);
    expect(plan.error.status.message).toBe("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    expect(plan.error.status.reason).toBeUndefined();
  });

  it("answers 429 'still being processed' while the controller has not seen the budget's spec", () => {
    const plan = planEviction(pod("a"), [pdb("web-pdb", { disruptionsAllowed: 1, observedGeneration: 1 }, {}, 2)], NOW);
    expect(plan.evict).toBe(false);
    if (plan.evict) return;
    expect(plan.error.code).toBe(429);
    expect(plan.error.status.details).toEqual({ retryAfterSeconds: 10, causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb is still being processed by the server." }] });
  });

  const free: [string, Pod][] = [
    ["a finished pod", pod("a", { phase: "Succeeded" })],
    ["a failed pod", pod("a", { phase: "Failed" })],
    ["a pending pod", pod("a", { phase: "Pending", ready: false })],
    ["a terminating pod", pod("a", { terminating: true })],
    ["a pod no budget selects", pod("a", { labels: { app: "other" } })],
  ];
  it.each(free)("lets %s go without spending anything", (_, p) => {
    expect(planEviction(p, [pdb("web-pdb", { disruptionsAllowed: 0 })], NOW)).toEqual({ evict: true });
  });

  it("an unready pod: IfHealthyBudget lets it go free only while the budget is met", () => {
    const unready = pod("a", { ready: false });
    expect(planEviction(unready, [pdb("web-pdb", { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })], NOW)).toEqual({ evict: true });
    expect(planEviction(unready, [pdb("web-pdb", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 })], NOW).evict).toBe(false);
  });

  it("an unready pod: AlwaysAllow lets it go free even below the budget", () => {
    const plan = planEviction(pod("a", { ready: false }), [pdb("web-pdb", { disruptionsAllowed: 0, currentHealthy: 1 }, { unhealthyPodEvictionPolicy: "AlwaysAllow" })], NOW);
    expect(plan).toEqual({ evict: true });
  });

  it("an empty selector guards nothing", () => {
    expect(planEviction(pod("a"), [pdb("all", { disruptionsAllowed: 0 }, { selector: {} })], NOW)).toEqual({ evict: true });
  });

  it("dry run: allowed, nothing to write", () => {
    expect(planEviction(pod("a"), [pdb("web-pdb", { disruptionsAllowed: 1 })], NOW, true)).toEqual({ evict: true });
  });
});

describe("splitByBudgetViolation (for preemption)", () => {
  it("each pod spends one from every budget guarding it; past zero it violates", () => {
    const budget = pdb("web-pdb", { disruptionsAllowed: 1 });
    const pods = [pod("a"), pod("b"), pod("x", { labels: { app: "other" } })];
    const { violating, nonViolating } = splitByBudgetViolation(pods, [budget]);
    expect(violating.map((p) => p.metadata.name)).toEqual(["b"]);
    expect(nonViolating.map((p) => p.metadata.name)).toEqual(["a", "x"]);
    expect(evictionsViolateBudgets([pod("a")], [budget])).toBe(false);
    expect(evictionsViolateBudgets([pod("a"), pod("b")], [budget])).toBe(true);
  });

  it("a pod the budget already counts as disrupted spends nothing", () => {
    const budget = pdb("web-pdb", { disruptionsAllowed: 0, disruptedPods: { a: "2026-01-01T00:00:00Z" } });
    expect(evictionsViolateBudgets([pod("a")], [budget])).toBe(false);
    expect(evictionsViolateBudgets([pod("b")], [budget])).toBe(true);
  });
});
