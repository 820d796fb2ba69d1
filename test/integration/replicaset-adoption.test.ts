// A ReplicaSet adopting orphans when one of them changes between its list and the
// adoption (a kubelet writing the pod's status meanwhile): the failed sync is retried,
// the retry looks for orphans again and adopts the rest, and no pod is created in
// their place. Against a real D1 store, with the controller driven by hand.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { ObjectStore } from "../../src/store/store";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { readConfig } from "../../src/config";
import { ReplicaSetController } from "../../src/controllers/replicaset-controller";
import type { ControllerContext } from "../../src/controllers/context";
import type { WriteOp } from "../../src/registry/ops";
import type { KubeObject, Pod } from "../../src/model/types";

const NS = "adopting";
const T0 = Date.parse("2026-03-01T10:00:00Z");
const config = readConfig({});
const store = new ObjectStore(env.DB);
const registry = new Registry(store, { now: () => T0, defaults: defaultingFrom(config) });

/** Before the controller's `n`th commit, `meanwhile` writes: the commit then meets a changed pod. */
function interfering(n: number, meanwhile: () => Promise<unknown>): Registry {
  let commits = 0;
  const wrapped = Object.create(registry) as Registry;
  wrapped.commit = async (ops: WriteOp[]) => {
    if (++commits === n) await meanwhile();
    return registry.commit(ops);
  };
  return wrapped;
}

function orphan(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { app: "web" } },
    spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "app", image: "nginx:1.27" }] },
  };
}

async function pods(): Promise<Pod[]> {
  return (await store.list("pods", { namespace: NS })).items as Pod[];
}

describe("ReplicaSet adoption", () => {
  it("adopts the orphans left by a failed adoption on the retry instead of creating pods for them", async () => {
    await registry.commit([{ op: "create", resource: "namespaces", object: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } as KubeObject }]);
    await registry.commit([{ op: "create", resource: "serviceaccounts", object: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: NS } } as KubeObject }]);
    for (const name of ["a", "b", "c", "d"]) await registry.commit([{ op: "create", resource: "pods", object: orphan(name) }]);
    const rs = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web", namespace: NS },
      spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: orphan("template").spec } },
    } as KubeObject;
    const [created] = await registry.commit([{ op: "create", resource: "replicasets.apps", object: rs }]);

    // Between the controller's list and its adoption commit, pod "d" changes.
    const touchD = async () => {
      const d = (await store.get("pods", NS, "d")) as Pod;
      await registry.commit([{ op: "update", resource: "pods", object: { ...d, metadata: { ...d.metadata, annotations: { touched: "yes" } } }, expectedRv: Number(d.metadata.resourceVersion) }]);
    };
    const ctx: ControllerContext = { store, registry: interfering(1, touchD), now: () => T0, config, enqueue: () => {}, terminating: new Set(), podUsage: async () => new Map() };
    const controller = new ReplicaSetController(ctx);

    await expect(controller.reconcile({ namespace: NS, name: "web" })).rejects.toThrow();
    const afterFailure = await pods();
    expect(afterFailure.filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === created.metadata.uid)).length).toBeLessThan(4);

    // The retry, at the same moment (well within the orphan scan's throttle).
    await controller.reconcile({ namespace: NS, name: "web" });
    const after = await pods();
    expect(after.map((p) => p.metadata.name).sort()).toEqual(["a", "b", "c", "d"]);
    expect(after.every((p) => p.metadata.ownerReferences?.some((o) => o.controller && o.uid === created.metadata.uid))).toBe(true);
  });
});
