import { describe, it, expect } from "vitest";
import { planStatefulSet, type StatefulSetPlan } from "../../src/controllers/statefulset-plan";
import { planStatefulHistory, revisionData, revisionTemplate } from "../../src/controllers/statefulset-history";
import { parentAndOrdinal, statefulClaims, statefulPodSpec } from "../../src/controllers/stateful-pods";
import { mkPod, T0, iso, uid } from "../../src/controllers/testing/fixtures";
import type { ControllerRevision, Pod, StatefulSet, StatefulSetSpec } from "../../src/model/types";

function mkSet(replicas: number, o: Partial<StatefulSetSpec> & { image?: string; currentRevision?: string; currentReplicas?: number } = {}): StatefulSet {
  const { image, currentRevision, currentReplicas, ...spec } = o;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: uid("sts"), resourceVersion: "3", generation: 2, creationTimestamp: iso(T0) },
    spec: {
      replicas,
      selector: { matchLabels: { app: "nginx" } },
      serviceName: "nginx",
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: image ?? "nginx:1.27", volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }] } },
      volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      ...spec,
    },
    status: { replicas: 0, availableReplicas: 0, ...(currentRevision ? { currentRevision } : {}), ...(currentReplicas ? { currentReplicas } : {}) },
  };
}

function revision(set: StatefulSet, name: string, n: number, image?: string): ControllerRevision {
  const data = image ? revisionData({ ...set, spec: { ...set.spec, template: { ...set.spec.template, spec: { containers: [{ name: "nginx", image }] } } } }) : revisionData(set);
  return { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name, namespace: "default", resourceVersion: "7" }, data, revision: n };
}

type State = "ready" | "pending" | "running" | "terminating" | "failed";

/** A pod of the set at `ordinal`, in `state`, made from revision `rev`. */
function pod(ordinal: number, state: State = "ready", rev = "web-new"): Pod {
  const p = mkPod(`web-${ordinal}`, {
    node: "n1",
    ready: state === "ready" || state === "terminating",
    phase: state === "pending" ? "Pending" : state === "failed" ? "Failed" : "Running",
    deleting: state === "terminating",
    labels: { app: "nginx", "controller-revision-hash": rev },
  });
  if (state === "running") p.status!.conditions = [{ type: "Ready", status: "False" }];
  return p;
}

interface Case {
  name: string;
  replicas: number;
  pods: Pod[];
  spec?: Partial<StatefulSetSpec> & { currentReplicas?: number };
  claims?: string[];
  /** Names created, deleted, claims created. */
  create: string[];
  remove: string[];
  claimsMade?: string[];
}

const CASES: Case[] = [
  { name: "OrderedReady: an empty set creates web-0 and its claim, nothing else", replicas: 3, pods: [], create: ["web-0"], remove: [], claimsMade: ["www-web-0"] },
  { name: "OrderedReady: web-1 waits until web-0 is Running and Ready", replicas: 3, pods: [pod(0, "running")], claims: ["www-web-0"], create: [], remove: [] },
  { name: "OrderedReady: web-0 Pending blocks, and gets its missing claim back", replicas: 3, pods: [pod(0, "pending")], claims: [], create: [], remove: [], claimsMade: ["www-web-0"] },
  { name: "OrderedReady: web-0 ready, web-1 is next", replicas: 3, pods: [pod(0)], claims: ["www-web-0"], create: ["web-1"], remove: [], claimsMade: ["www-web-1"] },
  { name: "OrderedReady: a claim that exists is not made again", replicas: 2, pods: [pod(0)], claims: ["www-web-0", "www-web-1"], create: ["web-1"], remove: [] },
  { name: "OrderedReady: a gap is filled at its ordinal", replicas: 3, pods: [pod(0), pod(2)], create: ["web-1"], remove: [], claimsMade: ["www-web-1"] },
  { name: "OrderedReady: a terminating web-1 holds its name and blocks web-2", replicas: 3, pods: [pod(0), pod(1, "terminating")], create: [], remove: [] },
  { name: "Parallel: a terminating web-1 holds its name, web-2 is created", replicas: 3, pods: [pod(0), pod(1, "terminating")], spec: { podManagementPolicy: "Parallel" }, create: ["web-2"], remove: [], claimsMade: ["www-web-2"] },
  { name: "Parallel: every missing pod at once", replicas: 3, pods: [], spec: { podManagementPolicy: "Parallel" }, create: ["web-0", "web-1", "web-2"], remove: [], claimsMade: ["www-web-0", "www-web-1", "www-web-2"] },
  { name: "a failed pod is deleted (recreated once gone)", replicas: 2, pods: [pod(0, "failed"), pod(1)], create: [], remove: ["web-0"] },
  { name: "OrderedReady scale down: the highest ordinal first, one at a time", replicas: 1, pods: [pod(0), pod(1), pod(2)], create: [], remove: ["web-2"] },
  { name: "OrderedReady scale down waits for a terminating condemned pod", replicas: 1, pods: [pod(0), pod(1), pod(2, "terminating")], create: [], remove: [] },
  { name: "OrderedReady scale down waits for the replicas to be ready", replicas: 1, pods: [pod(0, "running"), pod(1)], create: [], remove: [] },
  { name: "OrderedReady scale down: an unhealthy condemned pod goes first", replicas: 1, pods: [pod(0), pod(1, "running"), pod(2)], create: [], remove: ["web-2"] },
  { name: "Parallel scale down: all condemned at once", replicas: 1, pods: [pod(0), pod(1), pod(2)], spec: { podManagementPolicy: "Parallel" }, create: [], remove: ["web-2", "web-1"] },
  { name: "rolling update: the highest old pod is deleted", replicas: 3, pods: [pod(0, "ready", "web-old"), pod(1, "ready", "web-old"), pod(2, "ready", "web-old")], create: [], remove: ["web-2"] },
  { name: "rolling update: waits for the updated pod to be ready", replicas: 3, pods: [pod(0, "ready", "web-old"), pod(1, "ready", "web-old"), pod(2, "running")], create: [], remove: [] },
  { name: "rolling update: the next one down once the one above is ready", replicas: 3, pods: [pod(0, "ready", "web-old"), pod(1, "ready", "web-old"), pod(2)], create: [], remove: ["web-1"] },
  { name: "rolling update: the partition keeps lower ordinals", replicas: 3, pods: [pod(0, "ready", "web-old"), pod(1, "ready", "web-old"), pod(2)], spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }, create: [], remove: [] },
  { name: "OnDelete: old pods stay", replicas: 2, pods: [pod(0, "ready", "web-old"), pod(1, "ready", "web-old")], spec: { updateStrategy: { type: "OnDelete" } }, create: [], remove: [] },
  { name: "a pod of another name pattern is left alone", replicas: 1, pods: [pod(0), { ...pod(5), metadata: { ...pod(5).metadata, name: "other-5" } }], create: [], remove: [] },
];

function run(c: Case): StatefulSetPlan {
  const set = mkSet(c.replicas, { ...c.spec, currentRevision: "web-old" });
  return planStatefulSet({ set, pods: c.pods, claims: new Set(c.claims ?? c.pods.map((p) => `www-${p.metadata.name}`)), current: revision(set, "web-old", 1, "nginx:1.26"), update: revision(set, "web-new", 2), now: T0 + 60_000 });
}

describe("the StatefulSet planner", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = run(c);
      expect(plan.create.map((p) => p.name)).toEqual(c.create);
      expect(plan.remove.map((p) => p.metadata.name)).toEqual(c.remove);
      expect(plan.claims.map((x) => x.claim.metadata.name)).toEqual(c.claimsMade ?? []);
    });
  }

  it("creates below the partition from the current revision, above it from the update revision", () => {
    const set = mkSet(3, { podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } }, currentRevision: "web-old" });
    const plan = planStatefulSet({ set, pods: [], claims: new Set(), current: revision(set, "web-old", 1, "nginx:1.26"), update: revision(set, "web-new", 2), now: T0 });
    expect(plan.create.map((p) => [p.name, p.revision, p.template.spec.containers[0].image])).toEqual([
      ["web-0", "web-old", "nginx:1.26"],
      ["web-1", "web-old", "nginx:1.26"],
      ["web-2", "web-new", "nginx:1.27"],
    ]);
  });

  it("reports the status as apps/v1 writes it, and completes a rolling update", () => {
    const set = mkSet(2, { currentRevision: "web-old" });
    const mid = planStatefulSet({ set, pods: [pod(0, "ready", "web-old"), pod(1)], claims: new Set(), current: revision(set, "web-old", 1, "nginx:1.26"), update: revision(set, "web-new", 2), now: T0 });
    // web-0 (the last old pod) is deleted in this pass: no current replica is left to count.
    expect(mid.status).toEqual({ observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2, currentRevision: "web-old", updateRevision: "web-new", collisionCount: 0 });
    expect(mid.remove.map((p) => p.metadata.name)).toEqual(["web-0"]);
    const done = planStatefulSet({ set, pods: [pod(0), pod(1)], claims: new Set(), current: revision(set, "web-old", 1, "nginx:1.26"), update: revision(set, "web-new", 2), now: T0 });
    expect(done.status).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, currentRevision: "web-new", updateRevision: "web-new" });
    expect(done.statusChanged).toBe(true);
  });

  it("counts a terminating pod as a replica but not as current or updated; a set being deleted only reports", () => {
    const set = mkSet(2, { currentRevision: "web-new" });
    set.metadata.deletionTimestamp = iso(T0);
    const plan = planStatefulSet({ set, pods: [pod(0), pod(1, "terminating")], claims: new Set(), current: revision(set, "web-new", 2), update: revision(set, "web-new", 2), now: T0 });
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 1 });
  });

  it("waits minReadySeconds before the next pod, and asks to be woken then", () => {
    const set = mkSet(2, { minReadySeconds: 10 });
    const young = pod(0);
    young.status!.conditions = [{ type: "Ready", status: "True", lastTransitionTime: iso(T0) }];
    const plan = planStatefulSet({ set, pods: [young], claims: new Set(["www-web-0"]), current: revision(set, "web-new", 1), update: revision(set, "web-new", 1), now: T0 + 4_000 });
    expect(plan.create).toEqual([]);
    expect(plan.requeueAfterMs).toBe(6_100);
    const later = planStatefulSet({ set, pods: [young], claims: new Set(["www-web-0"]), current: revision(set, "web-new", 1), update: revision(set, "web-new", 1), now: T0 + 10_000 });
    expect(later.create.map((p) => p.name)).toEqual(["web-1"]);
  });
});

describe("StatefulSet revisions", () => {
  it("makes the first revision, reuses it, and on a template change makes a second", () => {
    const set = mkSet(1);
    const first = planStatefulHistory(set, [], []);
    expect(first.create?.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(first.create?.revision).toBe(1);
    expect(first.current).toBe(first.update);
    const stored = { ...first.create!, metadata: { ...first.create!.metadata, resourceVersion: "9" } };
    const same = planStatefulHistory({ ...set, status: { replicas: 1, availableReplicas: 1, currentRevision: stored.metadata.name } }, [stored], []);
    expect(same.create).toBeUndefined();
    expect(same.update).toBe(stored);
    const changed = mkSet(1, { image: "nginx:1.28", currentRevision: stored.metadata.name });
    const second = planStatefulHistory(changed, [stored], []);
    expect(second.create?.revision).toBe(2);
    expect(second.current).toBe(stored);
    expect(revisionTemplate(second.create!).spec.containers[0].image).toBe("nginx:1.28");
  });

  it("moves an older equal revision to the newest number (rollback), and drops history past the limit no pod runs", () => {
    const set = mkSet(1, { revisionHistoryLimit: 1 });
    const r1 = revision(set, "web-a", 1);
    const r2 = revision(set, "web-b", 2, "nginx:1.28");
    const r3 = revision(set, "web-c", 3, "nginx:1.29");
    const h = planStatefulHistory({ ...set, status: { replicas: 1, availableReplicas: 1, currentRevision: "web-c" } }, [r3, r1, r2], []);
    expect(h.bump?.metadata.name).toBe("web-a");
    expect(h.bump?.revision).toBe(4);
    expect(h.remove).toEqual([]);
    const r4 = revision(set, "web-d", 4, "nginx:1.30");
    const trimmed = planStatefulHistory({ ...set, status: { replicas: 1, availableReplicas: 1, currentRevision: "web-a" } }, [r1, r2, r3, r4], [pod(0, "ready", "web-b")]);
    // Live: web-a (current and update), web-b (a pod runs it); of web-c and web-d one may stay.
    expect(trimmed.remove.map((r) => r.metadata.name)).toEqual(["web-c"]);
  });

  it("reports a collision when the new revision's name holds another template", () => {
    const set = mkSet(1);
    const name = planStatefulHistory(set, [], []).create!.metadata.name!;
    const squatter = revision(set, name, 1, "nginx:0.1");
    expect(planStatefulHistory(set, [squatter], []).collision).toBe(true);
    const next = planStatefulHistory({ ...set, status: { replicas: 0, availableReplicas: 0, collisionCount: 1 } }, [squatter], []);
    expect(next.collision).toBe(false);
    expect(next.create?.metadata.name).not.toBe(name);
  });
});

describe("a StatefulSet pod's identity", () => {
  it("parses ordinals as upstream's regexp does", () => {
    expect(parentAndOrdinal("web-12")).toEqual({ parent: "web", ordinal: 12 });
    expect(parentAndOrdinal("my-web-0")).toEqual({ parent: "my-web", ordinal: 0 });
    expect(parentAndOrdinal("web")).toEqual({ parent: "", ordinal: -1 });
    expect(parentAndOrdinal("web-99999999999")).toEqual({ parent: "web", ordinal: -1 });
  });

  it("gets hostname, subdomain and a volume on its own claim per template", () => {
    const set = mkSet(2);
    set.spec.template.spec.volumes = [{ name: "www", emptyDir: {} }, { name: "cache", emptyDir: {} }];
    const spec = statefulPodSpec(set, set.spec.template, 1);
    expect(spec.hostname).toBe("web-1");
    expect(spec.subdomain).toBe("nginx");
    expect(spec.volumes).toEqual([{ name: "www", persistentVolumeClaim: { claimName: "www-web-1" } }, { name: "cache", emptyDir: {} }]);
  });

  it("makes claims labelled with the selector, owned by the set only with whenDeleted: Delete", () => {
    const set = mkSet(1);
    const [claim] = statefulClaims(set, 0);
    expect(claim.metadata).toMatchObject({ name: "www-web-0", namespace: "default", labels: { app: "nginx" } });
    expect(claim.metadata.ownerReferences).toBeUndefined();
    expect(claim.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
    const deleting = mkSet(1, { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } });
    expect(statefulClaims(deleting, 0)[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: "StatefulSet", name: "web", controller: true });
  });
});
