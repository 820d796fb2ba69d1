// The registry the controllers write through: the same strategies and validation as
// the API's, so an invalid object from a controller is refused with the 422 a user
// gets, and nothing of its batch is written; creates go only into active namespaces.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { ObjectStore } from "../../src/store/store";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { readConfig } from "../../src/config";
import { eventWrite } from "../../src/store/events";
import { ApiError } from "../../src/model/errors";
import type { KubeObject, Pod } from "../../src/model/types";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { ControllerContext } from "../../src/controllers/context";
import { callJson } from "./helpers";

function pod(name: string, namespace: string, containerName: string): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers: [{ name: containerName, image: "nginx:1.27" }] } };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error("expected the write to fail");
}

describe("registry", () => {
  it("refuses a controller's invalid pod with 422 Invalid and writes nothing of the batch", async () => {
    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "reg-invalid" } } })).status).toBe(201);
    const stub = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
    const err = await runInDurableObject(stub, async (instance: ControllerManager) => {
      const { registry } = (instance as unknown as { context: ControllerContext }).context;
      const good = pod("fine", "reg-invalid", "app");
      const bad = pod("broken", "reg-invalid", "Bad_Name");
      return failure(registry.commit([{ op: "create", resource: "pods", object: good }, { op: "create", resource: "pods", object: bad }, eventWrite(bad, { type: "Normal", reason: "Created", message: "m", source: { component: "test" } }, Date.now())]));
    });
    expect(err.code).toBe(422);
    expect(err.reason).toBe("Invalid");
    expect(err.message).toMatch(/^Pod "broken" is invalid: spec\.containers\[0\]\.name: Invalid value: "Bad_Name"/);
    expect(err.status.details?.causes?.map((c) => c.field)).toContain("spec.containers[0].name");
    // The same 422 a user gets for the same pod.
    const user = await callJson<{ reason: string; message: string }>("/api/v1/namespaces/reg-invalid/pods", { method: "POST", body: pod("broken", "reg-invalid", "Bad_Name") });
    expect(user.status).toBe(422);
    expect(user.body.message).toBe(err.message);
    const listed = await callJson<{ items: KubeObject[] }>("/api/v1/namespaces/reg-invalid/pods");
    expect(listed.body.items).toEqual([]);
    const events = await callJson<{ items: KubeObject[] }>("/api/v1/namespaces/reg-invalid/events");
    expect(events.body.items).toEqual([]);
  });

  it("prepares batch creates as the API does, and refuses them in a terminating namespace in the same transaction", async () => {
    const store = new ObjectStore(env.DB);
    const registry = new Registry(store, { now: () => Date.now(), defaults: defaultingFrom(readConfig({ DEFAULT_NOT_READY_TOLERATION_SECONDS: "7" })) });
    await registry.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "reg-ns" } });
    // No controller manager hears of this store's writes: the account pods run as is made here.
    await registry.create("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "reg-ns" } });
    const [created] = (await registry.commit([{ op: "create", resource: "pods", object: pod("p1", "reg-ns", "app") }])) as Pod[];
    expect(created.metadata.uid).toBeTruthy();
    expect(created.status?.phase).toBe("Pending");
    expect(created.spec.tolerations?.find((t) => t.key === "node.kubernetes.io/not-ready")?.tolerationSeconds).toBe(7);

    const ns = await store.mustGet("namespaces", "", "reg-ns");
    await store.update("namespaces", { ...ns, metadata: { ...ns.metadata, deletionTimestamp: new Date().toISOString() } });
    const err = await failure(registry.commit([{ op: "create", resource: "pods", object: pod("p2", "reg-ns", "app") }]));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "" is forbidden: unable to create new content in namespace reg-ns because it is being terminated');
    expect(await store.get("pods", "reg-ns", "p2")).toBeNull();
    const single = await failure(registry.create("pods", pod("p3", "reg-ns", "app")));
    expect(single.message).toBe(err.message);
    const missing = await failure(registry.commit([{ op: "create", resource: "pods", object: pod("p4", "reg-nowhere", "app") }]));
    expect(missing.code).toBe(404);
    expect(missing.message).toBe('namespaces "reg-nowhere" not found');
  });
});
