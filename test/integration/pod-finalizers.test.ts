// A terminating pod and its finalizers, through the API: an update that removes the
// last finalizer deletes the pod once its graceful period is over (deleted with grace
// 0, or its kubelet's final delete), never earlier, and a status write never does.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { callJson, pod } from "./helpers";
import { ObjectStore } from "../../src/store/store";
import type { Pod } from "../../src/model/types";

const NS = "pod-finalizers";
const PODS = `/api/v1/namespaces/${NS}/pods`;
const HOLD = "example.com/hold";
// Bound to a node with no kubelet running: no scheduler or kubelet writes these pods
// behind the test's back, and the grace period of a delete applies.
const NODE = "pod-finalizers-node";

async function create(name: string, extra: Record<string, unknown>): Promise<Pod> {
  const body = pod(name, extra);
  const res = await callJson<Pod>(PODS, { method: "POST", body: { ...body, metadata: { ...body.metadata, finalizers: [HOLD] } } });
  expect(res.status).toBe(201);
  return res.body;
}

async function del(name: string, gracePeriodSeconds: number): Promise<Pod> {
  const res = await callJson<Pod>(`${PODS}/${name}`, { method: "DELETE", body: { gracePeriodSeconds } });
  expect(res.status).toBe(200);
  return res.body;
}

function removeFinalizers(name: string) {
  return callJson<Pod>(`${PODS}/${name}`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { finalizers: null } } });
}

async function get(name: string): Promise<{ status: number; body: Pod }> {
  return callJson<Pod>(`${PODS}/${name}`);
}

/** A status write as a kubelet or controller makes it: PUT /status of the pod as read. */
async function writeStatus(name: string): Promise<Pod> {
  const current = (await get(name)).body;
  const next = { ...current, status: { ...current.status, conditions: [{ type: "DisruptionTarget", status: "True", reason: "TerminationByKubelet", message: "status write during termination" }] } };
  const res = await callJson<Pod>(`${PODS}/${name}/status`, { method: "PUT", body: next });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
});

describe("a terminating pod's finalizers", () => {
  it("deleted with grace 0, it stays Terminating until its last finalizer goes; then it is gone, with a DELETED", async () => {
    const created = await create("fin-zero", { nodeName: NODE });
    const terminating = await del("fin-zero", 0);
    expect(terminating.metadata.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(terminating.metadata.finalizers).toEqual([HOLD]);
    const still = await get("fin-zero");
    expect(still.status).toBe(200);
    expect(still.body.metadata.uid).toBe(created.metadata.uid);

    const patched = await removeFinalizers("fin-zero");
    expect(patched.status).toBe(200);
    expect((await get("fin-zero")).status).toBe(404);
    const log = await new ObjectStore(env.DB).changesSince("pods", Number(terminating.metadata.resourceVersion));
    const deleted = log.filter((c) => c.object.metadata.namespace === NS && c.object.metadata.name === "fin-zero");
    expect(deleted.map((c) => c.type)).toEqual(["DELETED"]);
    expect(deleted[0].object.metadata.uid).toBe(created.metadata.uid);
  });

  it("deleted with grace 30, it outlives its last finalizer and goes with its kubelet's delete at grace 0", async () => {
    const created = await create("fin-grace", { nodeName: NODE });
    const terminating = await del("fin-grace", 30);
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(30);

    const patched = await removeFinalizers("fin-grace");
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.finalizers).toBeUndefined();
    expect(patched.body.metadata.deletionGracePeriodSeconds).toBe(30);
    // Nor does a status write during the grace period remove it.
    expect((await writeStatus("fin-grace")).metadata.uid).toBe(created.metadata.uid);
    const still = await get("fin-grace");
    expect(still.status).toBe(200);
    expect(still.body.metadata.deletionTimestamp).toBe(terminating.metadata.deletionTimestamp);

    // The containers stopped: the kubelet deletes it with grace 0.
    await del("fin-grace", 0);
    expect((await get("fin-grace")).status).toBe(404);
  });

  it("a status write of a terminating pod that keeps its finalizers does not delete it", async () => {
    const created = await create("fin-status", { nodeName: NODE });
    await del("fin-status", 0);
    const written = await writeStatus("fin-status");
    expect(written.metadata.finalizers).toEqual([HOLD]);
    const still = await get("fin-status");
    expect(still.status).toBe(200);
    expect(still.body.metadata.uid).toBe(created.metadata.uid);
    expect(still.body.status?.conditions?.map((c) => c.type)).toContain("DisruptionTarget");
  });
});
