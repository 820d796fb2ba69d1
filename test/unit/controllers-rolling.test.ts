import { describe, it, expect } from "vitest";
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue, newRSNewReplicas, setNewReplicaSetAnnotations } from "../../src/controllers/deployment-util";
import { mkDeployment, mkRS } from "../../src/controllers/testing/fixtures";

describe("rolling-update arithmetic", () => {
  it("scales percentages: surge rounds up, unavailable rounds down", () => {
    expect(scaledValue("25%", 3, true)).toBe(1);
    expect(scaledValue("25%", 3, false)).toBe(0);
    expect(scaledValue("30%", 10, true)).toBe(3);
    expect(scaledValue("30%", 10, false)).toBe(3);
    expect(scaledValue("33%", 7, true)).toBe(3);
    expect(scaledValue("33%", 7, false)).toBe(2);
    expect(scaledValue(2, 7, false)).toBe(2);
    expect(() => scaledValue("2", 7, false)).toThrow(/not a percentage/);
  });

  it("resolves fenceposts like upstream", () => {
    expect(resolveFenceposts("25%", "25%", 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts("30%", "30%", 10)).toEqual({ surge: 3, unavailable: 3 });
    expect(resolveFenceposts("25%", "25%", 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts("25%", "25%", 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(resolveFenceposts("25%", "25%", 5)).toEqual({ surge: 2, unavailable: 1 });
    expect(resolveFenceposts(0, "10%", 5)).toEqual({ surge: 0, unavailable: 1 }); // both zero: one may be unavailable
    expect(resolveFenceposts("0%", "0%", 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(2, 0, 9)).toEqual({ surge: 2, unavailable: 0 });
  });

  it("caps maxUnavailable at replicas and is zero for Recreate or zero replicas", () => {
    expect(maxUnavailable(mkDeployment("a", 2, { maxSurge: 0, maxUnavailable: 5 }))).toBe(2);
    expect(maxUnavailable(mkDeployment("a", 0))).toBe(0);
    expect(maxUnavailable(mkDeployment("a", 5, { strategy: "Recreate" }))).toBe(0);
    expect(maxSurge(mkDeployment("a", 5, { strategy: "Recreate" }))).toBe(0);
    expect(maxSurge(mkDeployment("a", 10, { maxSurge: "30%", maxUnavailable: "30%" }))).toBe(3);
  });

  it("sizes the new ReplicaSet within replicas + surge", () => {
    const d = mkDeployment("a", 10, { maxSurge: "30%", maxUnavailable: "30%" });
    const old = mkRS("old", 10);
    const fresh = mkRS("new", 0);
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(3);
    old.spec.replicas = 7;
    fresh.spec.replicas = 3;
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(6);
    expect(newRSNewReplicas(mkDeployment("a", 4, { strategy: "Recreate" }), [old, fresh], fresh)).toBe(4);
  });

  it("gives a reused ReplicaSet the next revision and remembers the old ones", () => {
    const d = mkDeployment("a", 1);
    d.metadata.annotations = { "kubernetes.io/change-cause": "undo", "kubectl.kubernetes.io/last-applied-configuration": "{}" };
    const rs = mkRS("a-1", 0);
    rs.metadata.annotations = { "deployment.kubernetes.io/revision": "1" };
    expect(setNewReplicaSetAnnotations(d, rs, 3, true)).toBe(true);
    expect(rs.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1", "kubernetes.io/change-cause": "undo" });
    expect(setNewReplicaSetAnnotations(d, rs, 3, true)).toBe(false);
    setNewReplicaSetAnnotations(d, rs, 5, true);
    expect(rs.metadata.annotations["deployment.kubernetes.io/revision-history"]).toBe("1,3");
  });
});
