import { describe, it, expect } from "vitest";
import { validateObject } from "../../src/model/validation";
import { defaultReplicationController } from "../../src/registry/defaults";
import { planReplicaSet } from "../../src/controllers/replicaset-plan";
import { mkPod, T0, uid } from "../../src/controllers/testing/fixtures";
import { replicationControllerPrinter } from "../../src/api/printers/replicationcontrollers";
import type { ReplicationController, StatusCause } from "../../src/model/types";

function rc(spec: Record<string, unknown> = {}, templateLabels: Record<string, string> | undefined = { app: "web" }): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name: "web", namespace: "default", uid: uid("rc"), resourceVersion: "5", generation: 1, creationTimestamp: new Date(T0).toISOString() },
    spec: {
      replicas: 2,
      selector: { app: "web" },
      template: { metadata: { labels: templateLabels }, spec: { containers: [{ name: "app", image: "nginx" }], restartPolicy: "Always" } },
      ...spec,
    },
  } as ReplicationController;
}

const byField = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("ReplicationController validation", () => {
  const cases: { name: string; obj: ReplicationController; want: string[] }[] = [
    { name: "a valid one", obj: rc(), want: [] },
    { name: "a selector that is a subset of the template's labels", obj: rc({}, { app: "web", tier: "front" }), want: [] },
    { name: "an empty selector", obj: rc({ selector: {} }), want: ["spec.selector: Required value"] },
    {
      name: "a selector the template does not match",
      obj: rc({ selector: { app: "db" } }),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
    },
    {
      name: "negative replicas and minReadySeconds",
      obj: rc({ replicas: -1, minReadySeconds: -3 }),
      want: ["spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0", "spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    },
    { name: "no template", obj: rc({ template: undefined }), want: ["spec.template: Required value"] },
    {
      name: "a restartPolicy other than Always",
      obj: rc({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }], restartPolicy: "OnFailure" } } }),
      want: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    },
    {
      name: "activeDeadlineSeconds",
      obj: rc({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }], restartPolicy: "Always", activeDeadlineSeconds: 5 } } }),
      want: ["spec.template.spec.activeDeadlineSeconds: Invalid value: 5: must not be specified"],
    },
    {
      name: "a selector given as a LabelSelector (wrong JSON type)",
      obj: rc({ selector: { matchLabels: { app: "web" } } }),
      want: ['spec.selector.matchLabels: Invalid value: "{\\"app\\":\\"web\\"}": must be of type string'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(byField(validateObject("replicationcontrollers", c.obj))).toEqual(c.want);
    });
  }

  it("lets the selector change on update (no apps/v1 immutability)", () => {
    const old = rc();
    const next = rc({ selector: { app: "web", tier: "front" } }, { app: "web", tier: "front" });
    next.metadata.uid = old.metadata.uid;
    expect(validateObject("replicationcontrollers", next, old)).toEqual([]);
  });
});

describe("ReplicationController defaults", () => {
  it("take an empty selector, empty labels and missing replicas from the template", () => {
    const obj = rc({ selector: undefined, replicas: undefined }, { app: "web", tier: "front" });
    defaultReplicationController(obj);
    expect(obj.spec.selector).toEqual({ app: "web", tier: "front" });
    expect(obj.metadata.labels).toEqual({ app: "web", tier: "front" });
    expect(obj.spec.replicas).toBe(1);
    expect(validateObject("replicationcontrollers", obj)).toEqual([]);
  });

  it("keep a selector and labels that were given", () => {
    const obj = rc({ replicas: 0 }, { app: "web", tier: "front" });
    obj.metadata.labels = { owner: "me" };
    defaultReplicationController(obj);
    expect(obj.spec.selector).toEqual({ app: "web" });
    expect(obj.metadata.labels).toEqual({ owner: "me" });
    expect(obj.spec.replicas).toBe(0);
  });
});

describe("ReplicationController planning (the ReplicaSet planner over an equality selector)", () => {
  it("creates what is missing, adopts matching orphans with a ReplicationController reference, releases what stopped matching", () => {
    const owner = rc({ replicas: 3 });
    const ref = { apiVersion: "v1", kind: "ReplicationController", name: "web", uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const owned = mkPod("web-1", { ready: true });
    owned.metadata.ownerReferences = [ref];
    const relabelled = mkPod("web-2", { labels: { app: "debug" } });
    relabelled.metadata.ownerReferences = [ref];
    const plan = planReplicaSet({ rs: owner, owned: [owned, relabelled], orphans: [mkPod("orphan"), mkPod("db", { labels: { app: "db" } })], now: T0 });
    expect(plan.adopt.map((p) => p.metadata.name)).toEqual(["orphan"]);
    expect(plan.adopt[0].metadata.ownerReferences).toEqual([ref]);
    expect(plan.release.map((p) => p.metadata.name)).toEqual(["web-2"]);
    expect(plan.create).toBe(1);
    expect(plan.status).toEqual({ replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
  });

  it("deletes the extra pods when scaled down", () => {
    const owner = rc({ replicas: 1 });
    const pods = ["a", "b", "c"].map((n) => {
      const p = mkPod(n, { ready: n === "a" });
      p.metadata.ownerReferences = [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: owner.metadata.uid!, controller: true }];
      return p;
    });
    const plan = planReplicaSet({ rs: owner, owned: pods, now: T0 });
    expect(plan.remove.map((p) => p.metadata.name).sort()).toEqual(["b", "c"]);
  });
});

describe("ReplicationController printer", () => {
  it("prints NAME DESIRED CURRENT READY AGE, and the selector as label pairs in -o wide", () => {
    expect(replicationControllerPrinter.columns.map((c) => `${c.name}${c.priority ? "*" : ""}`)).toEqual(["Name", "Desired", "Current", "Ready", "Age", "Containers*", "Images*", "Selector*"]);
    const obj = rc({ selector: { tier: "front", app: "web" } }, { app: "web", tier: "front" });
    obj.status = { replicas: 2, readyReplicas: 1 };
    expect(replicationControllerPrinter.cells(obj, T0 + 65_000)).toEqual(["web", 2, 2, 1, "65s", "app", "nginx", "app=web,tier=front"]);
  });
});
