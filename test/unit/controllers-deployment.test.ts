import { describe, it, expect } from "vitest";
import { planDeployment, type DeploymentPlan } from "../../src/controllers/deployment-plan";
import { computeHash } from "../../src/controllers/hash";
import { maxSurge, maxUnavailable } from "../../src/controllers/deployment-util";
import type { Deployment, ReplicaSet } from "../../src/model/types";
import { iso, mkDeployment, T0, uid } from "../../src/controllers/testing/fixtures";

/** A deployment and its ReplicaSets, with a stand-in ReplicaSet controller. */
class Sim {
  rss: ReplicaSet[] = [];
  now = T0;
  /** Whether new pods become available at once. */
  healthy = true;
  events: string[] = [];
  rv = 100;
  constructor(public d: Deployment) {}

  step(): DeploymentPlan {
    const plan = planDeployment({ deployment: this.d, replicaSets: this.rss, now: this.now, podsByReplicaSet: new Map() });
    for (const rs of plan.create) {
      rs.metadata.uid = uid("rs");
      rs.metadata.generation = 1;
      rs.metadata.resourceVersion = String(++this.rv);
      rs.status = { replicas: 0 };
      this.rss.push(rs);
    }
    for (const rs of plan.update) this.rss = this.rss.map((r) => (r.metadata.name === rs.metadata.name ? { ...rs, metadata: { ...rs.metadata, resourceVersion: String(++this.rv) } } : r));
    const gone = new Set(plan.remove.map((r) => r.metadata.name));
    this.rss = this.rss.filter((r) => !gone.has(r.metadata.name));
    if (plan.deployment) this.d = plan.deployment;
    this.events.push(...plan.events.map((e) => e.message));
    return plan;
  }

  /** The ReplicaSet controller: pods follow spec at once; available if healthy (old pods stay available). */
  replicaSetController(): void {
    const newest = this.newRS();
    for (const rs of this.rss) {
      const n = rs.spec.replicas ?? 0;
      const wasAvailable = rs.status?.availableReplicas ?? 0;
      const available = this.healthy || rs !== newest ? n : Math.min(wasAvailable, n);
      rs.status = { replicas: n, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata.generation };
    }
  }

  newRS(): ReplicaSet | undefined {
    return this.rss.find((rs) => rs.metadata.name === `${this.d.metadata.name}-${computeHash(this.d.spec.template, this.d.status?.collisionCount)}`);
  }

  sizes(): number[] {
    return [...this.rss].sort((a, b) => (a.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "").localeCompare(b.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "")).map((r) => r.spec.replicas ?? 0);
  }

  /** Steps until nothing changes, checking the rolling-update bounds on every step. */
  converge(max = 50): number[][] {
    const trace: number[][] = [];
    for (let i = 0; i < max; i++) {
      const plan = this.step();
      const total = this.rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      expect(total).toBeLessThanOrEqual((this.d.spec.replicas ?? 1) + maxSurge(this.d));
      this.replicaSetController();
      const available = this.rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      if (this.healthy) expect(available).toBeGreaterThanOrEqual(Math.min(this.d.spec.replicas ?? 1, trace.length ? (this.d.spec.replicas ?? 1) - maxUnavailable(this.d) : 0));
      trace.push(this.sizes());
      if (!plan.create.length && !plan.update.length && !plan.remove.length && !plan.deployment) return trace;
      this.now += 1000;
    }
    throw new Error("did not converge");
  }

  setImage(image: string): void {
    this.d = structuredClone(this.d);
    this.d.spec.template.spec.containers[0].image = image;
    this.d.metadata.generation = (this.d.metadata.generation ?? 1) + 1;
  }
}

const dedupe = (t: number[][]) => t.filter((s, i) => i === 0 || JSON.stringify(s) !== JSON.stringify(t[i - 1]));

describe("Deployment planner", () => {
  it("creates a ReplicaSet named with the pod-template-hash, at full size, with revision 1", () => {
    const sim = new Sim(mkDeployment("kubernetes-bootcamp", 3));
    const plan = sim.step();
    expect(plan.create).toHaveLength(1);
    const rs = plan.create[0];
    const hash = computeHash(sim.d.spec.template);
    expect(rs.metadata.name).toBe(`kubernetes-bootcamp-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: "kubernetes-bootcamp", "pod-template-hash": hash });
    expect(rs.spec.selector.matchLabels).toEqual({ app: "kubernetes-bootcamp", "pod-template-hash": hash });
    expect(rs.spec.template.metadata?.labels).toEqual({ app: "kubernetes-bootcamp", "pod-template-hash": hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "kubernetes-bootcamp", uid: sim.d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs.spec.replicas).toBe(3);
    expect(rs.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" });
    expect(sim.d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(sim.events).toEqual([`Scaled up replica set kubernetes-bootcamp-${hash} to 3 from 0`]);
    const progressing = sim.d.status?.conditions?.find((c) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "kubernetes-bootcamp-${hash}"` });
  });

  it("reports availability and completion as kubectl rollout status reads them", () => {
    const sim = new Sim(mkDeployment("web", 3));
    sim.step();
    sim.replicaSetController();
    sim.step();
    const name = sim.rss[0].metadata.name;
    expect(sim.d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(sim.d.status?.unavailableReplicas).toBeUndefined();
    const byType = Object.fromEntries((sim.d.status?.conditions ?? []).map((c) => [c.type, c]));
    expect(byType.Available).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
    expect(byType.Progressing).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${name}" has successfully progressed.` });
    // Converged: another pass writes nothing.
    const again = sim.step();
    expect(again).toMatchObject({ create: [], update: [], remove: [], events: [] });
    expect(again.deployment).toBeUndefined();
  });

  it("rolls 3 replicas at 25%/25% one pod at a time (surge 1, unavailable 0)", () => {
    const sim = new Sim(mkDeployment("web", 3));
    sim.converge();
    sim.setImage("web:v2");
    const trace = dedupe(sim.converge());
    expect(trace).toEqual([[3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3]]);
    expect(sim.events.slice(1)).toEqual([
      expect.stringMatching(/^Scaled up replica set web-\w+ to 1 from 0$/),
      expect.stringMatching(/^Scaled down replica set web-\w+ to 2 from 3$/),
      expect.stringMatching(/^Scaled up replica set web-\w+ to 2 from 1$/),
      expect.stringMatching(/^Scaled down replica set web-\w+ to 1 from 2$/),
      expect.stringMatching(/^Scaled up replica set web-\w+ to 3 from 2$/),
      expect.stringMatching(/^Scaled down replica set web-\w+ to 0 from 1$/),
    ]);
    expect(sim.d.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(sim.d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
  });

  it("rolls 10 replicas at 30%/30% three at a time, never above 13 nor below 7 available", () => {
    const sim = new Sim(mkDeployment("web", 10, { maxSurge: "30%", maxUnavailable: "30%" }));
    sim.converge();
    sim.setImage("web:v2");
    const trace = dedupe(sim.converge());
    expect(trace[0]).toEqual([7, 3]);
    expect(trace[trace.length - 1]).toEqual([0, 10]);
  });

  it("rolls an odd count with integer fenceposts (5 replicas, surge 2, unavailable 1)", () => {
    const sim = new Sim(mkDeployment("web", 5, { maxSurge: 2, maxUnavailable: 1 }));
    sim.converge();
    sim.setImage("web:v2");
    const trace = dedupe(sim.converge());
    expect(trace[0]).toEqual([4, 2]);
    expect(trace[trace.length - 1]).toEqual([0, 5]);
  });

  it("stalls when new pods never become available, then reports ProgressDeadlineExceeded", () => {
    const sim = new Sim(mkDeployment("web", 10, { maxSurge: "30%", maxUnavailable: "30%" }));
    sim.converge();
    sim.healthy = false;
    sim.setImage("web:broken");
    const trace = dedupe(sim.converge());
    // The new ReplicaSet grows to the surge limit (13 = 7 + 6) and no further.
    expect(trace[trace.length - 1]).toEqual([7, 6]);
    const plan = sim.step();
    expect(plan.requeueAfterMs).toBeGreaterThan(0);
    sim.now += 601_000;
    sim.step();
    const cond = sim.d.status?.conditions?.find((c) => c.type === "Progressing");
    expect(cond).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${sim.newRS()!.metadata.name}" has timed out progressing.` });
  });

  it("reuses the old ReplicaSet on rollback and gives it the next revision", () => {
    const sim = new Sim(mkDeployment("web", 2));
    sim.converge();
    const v1 = sim.rss[0].metadata.name;
    sim.setImage("web:v2");
    sim.converge();
    expect(sim.rss).toHaveLength(2);
    // kubectl rollout undo: the old ReplicaSet's template, minus the hash label.
    const old = sim.rss.find((r) => r.metadata.name === v1)!;
    const template = structuredClone(old.spec.template);
    delete template.metadata!.labels!["pod-template-hash"];
    sim.d = { ...structuredClone(sim.d), spec: { ...sim.d.spec, template } };
    sim.d.metadata.generation = 3;
    sim.converge();
    expect(sim.rss).toHaveLength(2);
    const back = sim.rss.find((r) => r.metadata.name === v1)!;
    expect(back.spec.replicas).toBe(2);
    expect(back.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect(sim.d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(sim.rss.find((r) => r.metadata.name !== v1)!.spec.replicas).toBe(0);
  });

  it("scales the active ReplicaSet on a scaling event, with the replica annotations", () => {
    const sim = new Sim(mkDeployment("web", 1));
    sim.converge();
    sim.d = structuredClone(sim.d);
    sim.d.spec.replicas = 4;
    sim.d.metadata.generation = 2;
    sim.converge();
    expect(sim.rss[0].spec.replicas).toBe(4);
    expect(sim.rss[0].metadata.annotations).toMatchObject({ "deployment.kubernetes.io/desired-replicas": "4", "deployment.kubernetes.io/max-replicas": "5" });
    expect(sim.events[sim.events.length - 1]).toMatch(/^Scaled up replica set web-\w+ to 4 from 1$/);
    sim.d = structuredClone(sim.d);
    sim.d.spec.replicas = 2;
    sim.converge();
    expect(sim.events[sim.events.length - 1]).toMatch(/^Scaled down replica set web-\w+ to 2 from 4$/);
  });

  it("scales proportionally in the middle of a rollout", () => {
    const sim = new Sim(mkDeployment("web", 10, { maxSurge: "30%", maxUnavailable: "30%" }));
    sim.converge();
    sim.healthy = false;
    sim.setImage("web:v2");
    sim.converge();
    expect(sim.sizes()).toEqual([7, 6]);
    sim.d = structuredClone(sim.d);
    sim.d.spec.replicas = 20;
    sim.d.metadata.generation = 3;
    sim.step();
    // 26 allowed (20 + 30%), spread 7:6 as the 13 were → 14 and 12.
    expect(sim.sizes()).toEqual([14, 12]);
    expect(sim.events.slice(-2)).toEqual([expect.stringMatching(/^Scaled up replica set web-\w+ to 14 from 7$/), expect.stringMatching(/^Scaled up replica set web-\w+ to 12 from 6$/)]);
  });

  it("Recreate scales the old ReplicaSet to zero before creating the new one", () => {
    const sim = new Sim(mkDeployment("web", 3, { strategy: "Recreate" }));
    sim.converge();
    sim.setImage("web:v2");
    let plan = sim.step();
    expect(plan.create).toEqual([]);
    expect(sim.sizes()).toEqual([0]);
    // The old pods still exist (status.replicas 3): still no new ReplicaSet.
    plan = sim.step();
    expect(plan.create).toEqual([]);
    sim.replicaSetController();
    plan = sim.step();
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0].spec.replicas).toBe(3);
  });

  it("cleans up old empty ReplicaSets beyond revisionHistoryLimit, oldest revision first", () => {
    const sim = new Sim(mkDeployment("web", 1, { revisionHistoryLimit: 1 }));
    sim.converge();
    for (const v of ["v2", "v3", "v4"]) {
      sim.setImage(`web:${v}`);
      sim.converge();
    }
    const revisions = sim.rss.map((r) => r.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort();
    expect(revisions).toEqual(["3", "4"]);
  });

  it("adopts an orphan ReplicaSet matching its selector and leaves others alone", () => {
    const d = mkDeployment("web", 1);
    const sim = new Sim(d);
    sim.converge();
    const orphan = structuredClone(sim.rss[0]);
    delete orphan.metadata.ownerReferences;
    const foreign = structuredClone(sim.rss[0]);
    foreign.metadata.name = "someone-elses";
    foreign.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "Deployment", name: "x", uid: "other", controller: true }];
    const plan = planDeployment({ deployment: sim.d, replicaSets: [orphan, foreign], now: sim.now });
    expect(plan.update.map((r) => r.metadata.name)).toEqual([orphan.metadata.name]);
    expect(plan.update[0].metadata.ownerReferences?.[0].uid).toBe(d.metadata.uid);
  });

  it("bumps collisionCount when its ReplicaSet name is taken by another template", () => {
    const d = mkDeployment("web", 1);
    const squatter = structuredClone(new Sim(d).step().create[0]);
    squatter.metadata.uid = "squatter";
    squatter.metadata.creationTimestamp = iso(T0);
    squatter.metadata.ownerReferences = undefined;
    squatter.metadata.labels = { other: "x" };
    squatter.spec.template.spec.containers[0].image = "other:1";
    const plan = planDeployment({ deployment: d, replicaSets: [squatter], now: T0 });
    expect(plan.create).toEqual([]);
    expect(plan.deployment?.status?.collisionCount).toBe(1);
    const next = planDeployment({ deployment: plan.deployment!, replicaSets: [squatter], now: T0 });
    expect(next.create[0].metadata.name).toBe(`web-${computeHash(d.spec.template, 1)}`);
  });
});
