// ReplicationControllers end to end inside workerd: served at /api/v1 with defaults,
// validation, Table columns and the scale subresource; kept at N pods by the
// ReplicaSet controller's logic over the equality selector; adoption and release by
// labels; the garbage collector deletes its pods when it goes. Pods are kept
// unschedulable (a nodeSelector no node has) so their deletion is immediate.
import { describe, it, expect } from "vitest";
import { callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Event, Pod, ReplicationController } from "../../src/model/types";

const NS = "rc-it";
const RCS = `/api/v1/namespaces/${NS}/replicationcontrollers`;
const PODS = `/api/v1/namespaces/${NS}/pods`;
const UNSCHEDULABLE = { "edgekube.test/unschedulable": "yes" };

function rc(name: string, replicas: number, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas,
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: UNSCHEDULABLE, containers: [{ name: "app", image: "nginx:1.27" }] } },
      ...spec,
    },
  };
}

async function podsOf(app: string): Promise<Pod[]> {
  const res = await callJson<{ items: Pod[] }>(`${PODS}?labelSelector=app%3D${app}`);
  expect(res.status).toBe(200);
  return res.body.items.filter((p) => !p.metadata.deletionTimestamp);
}

const ownedBy = (p: Pod, owner: ReplicationController) => p.metadata.ownerReferences?.find((r) => r.controller)?.uid === owner.metadata.uid;

describe("ReplicationControllers", () => {
  it("are created with upstream defaults, keep N pods, report status and scale through /scale", { timeout: 120_000 }, async () => {
    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
    // No selector and no labels: both come from the template.
    const created = await callJson<ReplicationController>(RCS, { method: "POST", body: rc("web", 3) });
    expect(created.status).toBe(201);
    expect(created.body.spec.selector).toEqual({ app: "web" });
    expect(created.body.metadata.labels).toEqual({ app: "web" });
    expect(created.body.metadata.generation).toBe(1);
    expect(created.body.status).toEqual({ replicas: 0 });

    const pods = await waitFor(async () => {
      const l = await podsOf("web");
      return l.length === 3 && l;
    }, "3 pods");
    for (const p of pods) {
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: created.body.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.metadata.generateName).toBe("web-");
    }
    await waitFor(async () => (await callJson<ReplicationController>(`${RCS}/web`)).body.status?.replicas === 3, "status.replicas 3");
    const events = (await callJson<{ items: Event[] }>(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items;
    const creates = events.filter((e) => e.reason === "SuccessfulCreate");
    expect(creates.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(creates.every((e) => e.source?.component === "replication-controller" && e.involvedObject.kind === "ReplicationController")).toBe(true);

    // kubectl scale: a merge patch of the Scale.
    const scaled = await callJson<{ kind: string; spec: { replicas: number }; status: { selector: string } }>(`${RCS}/web/scale`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 1 } },
    });
    expect(scaled.status).toBe(200);
    expect(scaled.body).toMatchObject({ kind: "Scale", spec: { replicas: 1 }, status: { selector: "app=web" } });
    await waitFor(async () => (await podsOf("web")).length === 1, "1 pod after scaling down");
    const after = (await callJson<ReplicationController>(`${RCS}/web`)).body;
    expect(after.metadata.generation).toBe(2);
    await waitFor(async () => (await callJson<ReplicationController>(`${RCS}/web`)).body.status?.observedGeneration === 2, "observedGeneration 2");

    // kubectl get rc: the upstream columns.
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(RCS, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name).slice(0, 5)).toEqual(["Name", "Desired", "Current", "Ready", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 4)).toEqual(["web", 1, 1, 0]);
  });

  it("reject an invalid one with upstream's 422 and store nothing", async () => {
    const bad = await callJson<{ code: number; reason: string; message: string }>(RCS, { method: "POST", body: rc("bad", 1, { selector: { app: "other" } }) });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.message).toBe('ReplicationController "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad"}: `selector` does not match template `labels`');
    expect((await callJson(`${RCS}/bad`)).status).toBe(404);
  });

  it("adopt matching orphans, release pods relabelled away, and lose their pods to the garbage collector when deleted", { timeout: 120_000 }, async () => {
    const orphan = await callJson<Pod>(PODS, { method: "POST", body: { apiVersion: "v1", kind: "Pod", metadata: { name: "stray", labels: { app: "db" } }, spec: { nodeSelector: UNSCHEDULABLE, containers: [{ name: "app", image: "redis" }] } } });
    expect(orphan.status).toBe(201);
    const db = (await callJson<ReplicationController>(RCS, { method: "POST", body: rc("db", 2) })).body;
    // The orphan counts towards the two: one more is created, not two.
    const pods = await waitFor(async () => {
      const l = await podsOf("db");
      return l.length === 2 && l.every((p) => ownedBy(p, db)) && l;
    }, "the orphan adopted and one pod created");
    expect(pods.map((p) => p.metadata.name)).toContain("stray");
    await settleControllers();
    expect(await podsOf("db")).toHaveLength(2);

    // Relabelled away: released (no owner reference) and replaced.
    const relabel = await callJson<Pod>(`${PODS}/stray`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { app: "debug" } } } });
    expect(relabel.status).toBe(200);
    await waitFor(async () => {
      const stray = (await callJson<Pod>(`${PODS}/stray`)).body;
      const mine = await podsOf("db");
      return !stray.metadata.ownerReferences && mine.length === 2 && !mine.some((p) => p.metadata.name === "stray");
    }, "the relabelled pod released and replaced");

    const del = await callJson(`${RCS}/db`, { method: "DELETE", body: { propagationPolicy: "Background" } });
    expect(del.status).toBe(200);
    await waitFor(async () => (await podsOf("db")).length === 0, "the garbage collector to delete its pods");
    // The released pod is no longer its dependent.
    expect((await callJson(`${PODS}/stray`)).status).toBe(200);
  });
});
