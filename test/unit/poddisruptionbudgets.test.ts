import { describe, it, expect } from "vitest";
import { strictUnknownFields, validateObject } from "../../src/model/validation";
import { toTable } from "../../src/api/printers";
import type { KubeObject, PodDisruptionBudget } from "../../src/model/types";

const PDBS = "poddisruptionbudgets.policy";

function pdb(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "zk-pdb", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" }, spec, ...(status ? { status } : {}) } as KubeObject;
}
const selector = { matchLabels: { app: "zookeeper" } };

describe("PodDisruptionBudget validation", () => {
  it("accepts a count, a percentage, and either eviction policy", () => {
    expect(validateObject(PDBS, pdb({ minAvailable: 2, selector }))).toEqual([]);
    expect(validateObject(PDBS, pdb({ maxUnavailable: "100%", selector, unhealthyPodEvictionPolicy: "AlwaysAllow" }))).toEqual([]);
    expect(validateObject(PDBS, pdb({ minAvailable: "0%", selector, unhealthyPodEvictionPolicy: "IfHealthyBudget" }))).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, { field: string; reason: string; message: string }][] = [
    ["both bounds", { minAvailable: 1, maxUnavailable: 1, selector }, { field: "spec", reason: "FieldValueInvalid", message: "minAvailable and maxUnavailable cannot be both set" }],
    ["a negative count", { minAvailable: -1, selector }, { field: "spec.minAvailable", reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0" }],
    ["a string that is no percentage", { maxUnavailable: "half", selector }, { field: "spec.maxUnavailable", reason: "FieldValueInvalid", message: "a valid percent string must be a numeric string followed by an ending '%'" }],
    ["over 100%", { minAvailable: "150%", selector }, { field: "spec.minAvailable", reason: "FieldValueInvalid", message: "Invalid value: 150%: must not be greater than 100%" }],
    ["an unknown eviction policy", { minAvailable: 1, selector, unhealthyPodEvictionPolicy: "Never" }, { field: "spec.unhealthyPodEvictionPolicy", reason: "FieldValueNotSupported", message: 'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"' }],
    ["a bad selector operator", { minAvailable: 1, selector: { matchExpressions: [{ key: "app", operator: "Near" }] } }, { field: "spec.selector.matchExpressions[0].operator", reason: "FieldValueInvalid", message: "not a valid selector operator" }],
  ];
  it.each(cases)("refuses %s", (_, spec, want) => {
    const causes = validateObject(PDBS, pdb(spec));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ field: want.field, reason: want.reason });
    expect(causes[0].message).toContain(want.message);
  });

  it("refuses negative counts and malformed conditions in the status", () => {
    const causes = validateObject(PDBS, pdb({ minAvailable: 1, selector }, { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, conditions: [{ type: "DisruptionAllowed", status: "Maybe" }] }));
    expect(causes.map((c) => c.field)).toEqual(["status.conditions[0].status", "status.conditions[0].lastTransitionTime", "status.conditions[0].reason", "status.disruptionsAllowed"]);
  });

  it("knows its fields for fieldValidation=Strict", () => {
    expect(strictUnknownFields(PDBS, pdb({ minAvailable: 1, selector, minAvailble: 2 }))).toEqual(["spec.minAvailble"]);
  });
});

describe("kubectl get pdb", () => {
  it("prints NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE, N/A for the bound not set", () => {
    const obj = pdb({ minAvailable: 2, selector }, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 }) as PodDisruptionBudget;
    const t = toTable(PDBS, [obj, { ...obj, metadata: { ...obj.metadata, name: "pct" }, spec: { maxUnavailable: "50%", selector } }], { now: Date.parse("2026-01-01T00:05:00Z") });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ["zk-pdb", "2", "N/A", 1, "5m"],
      ["pct", "N/A", "50%", 1, "5m"],
    ]);
  });
});
