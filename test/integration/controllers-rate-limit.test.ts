// The controller manager's client-side rate limit (--kube-api-qps / --kube-api-burst)
// inside workerd: a ReplicaSet far larger than the burst still gets exactly its replicas,
// its writes wait their turn in the token bucket, and events never count as requests.
// Each controller is its own client with its own bucket, as upstream's ClientBuilder
// makes one clientset (and one token bucket) per controller.
// The suite runs without a limit (vitest.config.ts); this file turns one on.
import { describe, it, expect, afterAll } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Event, Pod, ReplicaSet } from "../../src/model/types";
import type { ControllerManager } from "../../src/controllers/controller-manager";

const NS = "rate-limit";
const controllerManager = () => env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
const useRateLimit = (qps: number, burst: number) => runInDurableObject(controllerManager(), (cm: ControllerManager) => cm.useRateLimit(qps, burst));
const state = () => runInDurableObject(controllerManager(), (cm: ControllerManager) => cm.state());
const writes = async () => (await state()).writes;

function replicaSet(name: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        // No node has this label: the pods stay unbound, so only the controller writes them.
        spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"] }] },
      },
    },
  };
}

const livePods = async (app: string, ns = NS) =>
  ((await callJson<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items ?? []).filter((p) => !p.metadata.deletionTimestamp);
const createNamespace = async (name: string) =>
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } })).status).toBe(201);

describe("controller manager client rate limit", () => {
  afterAll(() => useRateLimit(0, 1));

  it("creates and deletes exactly the replicas asked for, each write waiting its turn, events aside", { timeout: 120_000 }, async () => {
    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
    await settleControllers();
    // Slow enough that writes outrun the refill however busy the machine (each pod's
    // create costs far less than 100 ms), fast enough for a test, with a burst far below
    // the 60 pods asked for.
    await useRateLimit(10, 5);

    const created = await callJson<ReplicaSet>(`/apis/apps/v1/namespaces/${NS}/replicasets`, { method: "POST", body: replicaSet("paced", 60) });
    expect(created.status).toBe(201);
    await waitFor(async () => (await livePods("paced")).length === 60, "60 pods");
    await settleControllers();
    expect(await livePods("paced")).toHaveLength(60);
    const events = (await callJson<{ items: Event[] }>(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dpaced`)).body.items;
    expect(events.filter((e) => e.reason === "SuccessfulCreate")).toHaveLength(60);

    const up = await writes();
    // One request per pod and a few status updates; the 60 events did not count.
    expect(up.requests).toBeGreaterThanOrEqual(60);
    expect(up.requests).toBeLessThan(120);
    // Past the burst of 5, writes waited for tokens (the bucket refills meanwhile, so not every one).
    expect(up.throttled).toBeGreaterThanOrEqual(20);
    expect(up.waitedMs).toBeGreaterThan(0);

    // Scale down: the deletes go through the same bucket.
    const scaled = await callJson(`/apis/apps/v1/namespaces/${NS}/replicasets/paced/scale`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 10 } },
    });
    expect(scaled.status).toBe(200);
    await waitFor(async () => (await livePods("paced")).length === 10, "10 pods left");
    await settleControllers();
    expect(await livePods("paced")).toHaveLength(10);
    const down = await writes();
    expect(down.requests - up.requests).toBeGreaterThanOrEqual(50);
    expect(down.throttled).toBeGreaterThan(up.throttled);
  });

  it("without a limit nothing waits", { timeout: 120_000 }, async () => {
    await useRateLimit(0, 1);
    const created = await callJson(`/apis/apps/v1/namespaces/${NS}/replicasets`, { method: "POST", body: replicaSet("unpaced", 40) });
    expect(created.status).toBe(201);
    await waitFor(async () => (await livePods("unpaced")).length === 40, "40 pods");
    await settleControllers();
    expect(await livePods("unpaced")).toHaveLength(40);
    const w = await writes();
    expect(w.requests).toBeGreaterThanOrEqual(40);
    expect(w.throttled).toBe(0);
  });

  it("a namespace being emptied does not hold back another controller's writes", { timeout: 120_000 }, async () => {
    const drained = `${NS}-drained`;
    const fresh = `${NS}-fresh`;
    await useRateLimit(0, 1);
    await createNamespace(drained);
    expect((await callJson(`/apis/apps/v1/namespaces/${drained}/replicasets`, { method: "POST", body: replicaSet("doomed", 40) })).status).toBe(201);
    await waitFor(async () => (await livePods("doomed", drained)).length === 40, "40 pods");
    await settleControllers();

    // The namespace controller's 40 deletes take its bucket's tokens for seconds; the
    // ServiceAccount controller's one create in the next namespace has its own.
    await useRateLimit(10, 5);
    expect((await callJson(`/api/v1/namespaces/${drained}`, { method: "DELETE" })).status).toBe(200);
    await createNamespace(fresh);
    await waitFor(async () => (await callJson(`/api/v1/namespaces/${fresh}/serviceaccounts/default`)).status === 200, "the default ServiceAccount");
    await waitFor(async () => (await callJson(`/api/v1/namespaces/${drained}`)).status === 404, "the namespace gone");
    await settleControllers();

    const { clients } = await state();
    expect(clients["namespace-controller"].requests).toBeGreaterThanOrEqual(40);
    expect(clients["namespace-controller"].throttled).toBeGreaterThan(0);
    expect(clients["service-account-controller"].requests).toBeGreaterThanOrEqual(1);
    expect(clients["service-account-controller"].throttled).toBe(0);
  });
});
