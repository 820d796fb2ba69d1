import { describe, it, expect } from "vitest";
import { applyPatch } from "../../src/api/patch";
import { ApiError } from "../../src/model/errors";
import type { KubeObject } from "../../src/model/types";

const JSON_PATCH = "application/json-patch+json";
const MERGE = "application/merge-patch+json";
const SMP = "application/strategic-merge-patch+json";

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("expected an ApiError");
}

function deployment(containers: unknown[] = [{ name: "app", image: "nginx:1.25" }]): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" }, annotations: { "deployment.kubernetes.io/revision": "1" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
    },
  };
}

const tpl = (o: KubeObject) => (o.spec as { template: { spec: { containers: Record<string, unknown>[]; tolerations?: unknown[] } } }).template.spec;

describe("content types", () => {
  it.each(["application/apply-patch+yaml", "application/json", "text/plain", ""])("%j -> 415", (ct) => {
    const e = errorOf(() => applyPatch(ct, deployment(), {}, "deployments.apps"));
    expect(e.code).toBe(415);
    expect(e.reason).toBe("UnsupportedMediaType");
  });

  it("ignores parameters and case", () => {
    const out = applyPatch("Application/Merge-Patch+JSON; charset=utf-8", deployment(), { spec: { replicas: 3 } }, "deployments.apps");
    expect((out.spec as { replicas: number }).replicas).toBe(3);
  });
});

describe("JSON patch", () => {
  it("applies operations (rollout undo shape)", () => {
    const d = deployment();
    const out = applyPatch(
      JSON_PATCH,
      d,
      [
        { op: "replace", path: "/spec/template", value: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.24" }] } } },
        { op: "replace", path: "/metadata/annotations", value: { "deployment.kubernetes.io/revision": "3" } },
        { op: "add", path: "/metadata/labels/tier", value: "front" },
        { op: "remove", path: "/spec/strategy/rollingUpdate" },
      ],
      "deployments.apps",
    );
    expect(tpl(out).containers[0].image).toBe("nginx:1.24");
    expect(out.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "3" });
    expect(out.metadata.labels).toEqual({ app: "web", tier: "front" });
    expect((out.spec as { strategy: unknown }).strategy).toEqual({ type: "RollingUpdate" });
    expect(tpl(d).containers[0].image).toBe("nginx:1.25"); // input untouched
  });

  it.each([
    [[{ op: "test", path: "/spec/replicas", value: 5 }], "TEST_OPERATION_FAILED"],
    [[{ op: "replace", path: "/spec/missing/deeper", value: 1 }], "OPERATION_PATH_UNRESOLVABLE"],
    [[{ op: "remove", path: "/metadata/nope" }], "OPERATION_PATH_UNRESOLVABLE"],
    [[{ op: "explode", path: "/spec" }], "OPERATION_OP_INVALID"],
    [[{ op: "replace", path: "", value: [1] }], "not an object"],
  ])("%j -> 422 Invalid", (ops, detail) => {
    const e = errorOf(() => applyPatch(JSON_PATCH, deployment(), ops, "deployments.apps"));
    expect(e.code).toBe(422);
    expect(e.reason).toBe("Invalid");
    expect(e.message).toBe("the server rejected our request due to an error in our request");
    expect(e.status.details?.causes?.[0].message).toContain(detail);
  });

  it.each([
    [{ op: "add" }, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"],
    [["add"], "json: cannot unmarshal string into Go value of type jsonpatch.Operation"],
  ])("%j -> 400", (body, msg) => {
    const e = errorOf(() => applyPatch(JSON_PATCH, deployment(), body, "deployments.apps"));
    expect(e.code).toBe(400);
    expect(e.message).toBe(msg);
  });
});

describe("JSON merge patch", () => {
  it("label/annotate: null removes, others set", () => {
    const out = applyPatch(MERGE, deployment(), { metadata: { labels: { app: null, tier: "x" }, annotations: { a: "b" } } }, "deployments.apps");
    expect(out.metadata.labels).toEqual({ tier: "x" });
    expect(out.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", a: "b" });
  });

  it("replaces lists wholesale and prunes nulls in new objects", () => {
    const out = applyPatch(MERGE, deployment(), { spec: { template: { spec: { containers: [{ name: "b", image: "x", args: null }] } }, paused: { deep: null, keep: 1 } } }, "deployments.apps");
    expect(tpl(out).containers).toEqual([{ name: "b", image: "x" }]);
    expect((out.spec as { paused: unknown }).paused).toEqual({ keep: 1 });
  });

  it("scale subresource patch", () => {
    const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 1 } } as KubeObject;
    expect(applyPatch(MERGE, scale, { spec: { replicas: 4 } }, "scale").spec).toEqual({ replicas: 4 });
  });

  it.each([[[1]], ["x"], [null]])("non-object %j -> 400", (body) => {
    const e = errorOf(() => applyPatch(MERGE, deployment(), body, "deployments.apps"));
    expect(e.code).toBe(400);
    expect(e.message).toBe("Invalid JSON Patch");
  });
});

describe("strategic merge patch", () => {
  it("kubectl set image: merge containers by name, order from $setElementOrder", () => {
    const d = deployment([
      { name: "a", image: "a:1", ports: [{ containerPort: 80 }] },
      { name: "b", image: "b:1" },
    ]);
    const out = applyPatch(
      SMP,
      d,
      { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }], containers: [{ name: "b", image: "b:2" }] } } } },
      "deployments.apps",
    );
    expect(tpl(out).containers).toEqual([
      { name: "a", image: "a:1", ports: [{ containerPort: 80 }] },
      { name: "b", image: "b:2" },
    ]);
    expect(tpl(d).containers[1].image).toBe("b:1");
  });

  it("a new container is placed before existing ones (as upstream)", () => {
    const out = applyPatch(SMP, deployment([{ name: "patch-demo-ctr", image: "nginx" }]), { spec: { template: { spec: { containers: [{ name: "patch-demo-ctr-2", image: "redis" }] } } } }, "deployments.apps");
    expect(tpl(out).containers.map((c) => c.name)).toEqual(["patch-demo-ctr-2", "patch-demo-ctr"]);
  });

  it("$setElementOrder reorders and places new items", () => {
    const d = deployment([
      { name: "a", image: "1" },
      { name: "b", image: "1" },
    ]);
    const out = applyPatch(
      SMP,
      d,
      { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "c" }, { name: "a" }], containers: [{ name: "c", image: "2" }] } } } },
      "deployments.apps",
    );
    expect(tpl(out).containers.map((c) => c.name)).toEqual(["b", "c", "a"]);
  });

  it("tolerations have no merge key: the list is replaced", () => {
    const d = deployment();
    tpl(d).tolerations = [{ key: "dedicated", value: "test-team", effect: "NoSchedule" }];
    const out = applyPatch(SMP, d, { spec: { template: { spec: { tolerations: [{ key: "disktype", value: "ssd", effect: "NoSchedule" }] } } } }, "deployments.apps");
    expect(tpl(out).tolerations).toEqual([{ key: "disktype", value: "ssd", effect: "NoSchedule" }]);
  });

  it("nested lists merge by their keys: env by name, ports by containerPort, volumeMounts by mountPath", () => {
    const d = deployment([
      {
        name: "app",
        image: "x",
        env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
        ports: [{ containerPort: 80, name: "http" }],
        volumeMounts: [{ name: "data", mountPath: "/data" }],
      },
    ]);
    const out = applyPatch(
      SMP,
      d,
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: "app",
                  env: [{ name: "B", value: "20" }],
                  ports: [{ containerPort: 80, protocol: "TCP" }],
                  volumeMounts: [{ mountPath: "/data", readOnly: true }],
                },
              ],
            },
          },
        },
      },
      "deployments.apps",
    );
    const c = tpl(out).containers[0];
    expect(c.env).toEqual([{ name: "A", value: "1" }, { name: "B", value: "20" }]);
    expect(c.ports).toEqual([{ containerPort: 80, name: "http", protocol: "TCP" }]);
    expect(c.volumeMounts).toEqual([{ name: "data", mountPath: "/data", readOnly: true }]);
  });

  it("$patch: delete and $patch: replace in lists", () => {
    const d = deployment([
      { name: "a", image: "1" },
      { name: "b", image: "1" },
    ]);
    const del = applyPatch(SMP, d, { spec: { template: { spec: { containers: [{ name: "a", $patch: "delete" }] } } } }, "deployments.apps");
    expect(tpl(del).containers.map((c) => c.name)).toEqual(["b"]);
    const rep = applyPatch(SMP, d, { spec: { template: { spec: { containers: [{ name: "z", image: "9" }, { $patch: "replace" }] } } } }, "deployments.apps");
    expect(tpl(rep).containers).toEqual([{ name: "z", image: "9" }]);
  });

  it("$patch on maps: replace and delete", () => {
    const out = applyPatch(SMP, deployment(), { metadata: { labels: { $patch: "replace", only: "this" } }, spec: { strategy: { $patch: "delete" } } }, "deployments.apps");
    expect(out.metadata.labels).toEqual({ only: "this" });
    expect((out.spec as { strategy: unknown }).strategy).toEqual({});
  });

  it("$retainKeys clears fields not retained (apply switching to Recreate)", () => {
    const out = applyPatch(SMP, deployment(), { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } } }, "deployments.apps");
    expect((out.spec as { strategy: unknown }).strategy).toEqual({ type: "Recreate" });
    const e = errorOf(() => applyPatch(SMP, deployment(), { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } }, "deployments.apps"));
    expect([e.code, e.message]).toEqual([400, "invalid patch format of retainKeys"]);
  });

  it("finalizers merge as a set; $deleteFromPrimitiveList removes", () => {
    const d = deployment();
    d.metadata.finalizers = ["a", "b"];
    const added = applyPatch(SMP, d, { metadata: { finalizers: ["b", "c"] } }, "deployments.apps");
    // Patch items in patch order, interleaved with server-only items by live position.
    expect(added.metadata.finalizers).toEqual(["a", "b", "c"]);
    expect(applyPatch(SMP, d, { metadata: { finalizers: ["c"] } }, "deployments.apps").metadata.finalizers).toEqual(["c", "a", "b"]);
    const removed = applyPatch(SMP, d, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, "deployments.apps");
    expect(removed.metadata.finalizers).toEqual(["b"]);
    const ordered = applyPatch(SMP, d, { metadata: { "$setElementOrder/finalizers": ["b", "a"] } }, "deployments.apps");
    expect(ordered.metadata.finalizers).toEqual(["b", "a"]);
  });

  it("ownerReferences merge by uid", () => {
    const d = deployment();
    d.metadata.ownerReferences = [{ apiVersion: "v1", kind: "X", name: "x", uid: "1" }];
    const out = applyPatch(SMP, d, { metadata: { ownerReferences: [{ uid: "1", controller: true }, { apiVersion: "v1", kind: "Y", name: "y", uid: "2" }] } }, "deployments.apps");
    expect(out.metadata.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "X", name: "x", uid: "1", controller: true },
      { apiVersion: "v1", kind: "Y", name: "y", uid: "2" },
    ]);
  });

  it("cordon / uncordon a node; conditions and addresses merge by type", () => {
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n" },
      spec: { taints: [{ key: "a", effect: "NoSchedule" }] },
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "MemoryPressure", status: "False" },
        ],
        addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
      },
    };
    const cordoned = applyPatch(SMP, node, { spec: { unschedulable: true } }, "nodes");
    expect(cordoned.spec).toEqual({ taints: [{ key: "a", effect: "NoSchedule" }], unschedulable: true });
    expect(applyPatch(SMP, cordoned, { spec: { unschedulable: null } }, "nodes").spec).toEqual({ taints: [{ key: "a", effect: "NoSchedule" }] });
    const st = applyPatch(
      SMP,
      node,
      { status: { conditions: [{ type: "Ready", status: "Unknown" }], addresses: [{ type: "Hostname", address: "n" }] } },
      "nodes",
    ).status as { conditions: { type: string; status: string }[]; addresses: unknown[] };
    expect(st.conditions).toEqual([
      { type: "Ready", status: "Unknown" },
      { type: "MemoryPressure", status: "False" },
    ]);
    expect(st.addresses).toEqual([{ type: "Hostname", address: "n" }, { type: "InternalIP", address: "10.0.0.1" }]);
    // taints have no merge key: replaced
    expect(applyPatch(SMP, node, { spec: { taints: [{ key: "b", effect: "NoExecute" }] } }, "nodes").spec).toEqual({ taints: [{ key: "b", effect: "NoExecute" }] });
  });

  it("pod status conditions merge by type", () => {
    const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, status: { conditions: [{ type: "PodScheduled", status: "True" }] } };
    const out = applyPatch(SMP, pod, { status: { conditions: [{ type: "Ready", status: "False" }] } }, "pods");
    expect((out.status as { conditions: { type: string }[] }).conditions.map((c) => c.type)).toEqual(["Ready", "PodScheduled"]);
  });

  it("new values lose nulls and directives", () => {
    const out = applyPatch(SMP, deployment(), { spec: { paused: null, extra: { a: null, b: { $patch: "delete" }, c: 1 } } }, "deployments.apps");
    expect((out.spec as { extra: unknown }).extra).toEqual({ c: 1 });
  });

  // Errors the API server leaves unclassified (a 500 there) are the patch's fault: 400 here.
  it.each([
    [{ spec: { template: { spec: { containers: [{ image: "x" }] } } } }, 400, "map: map[image:x] does not contain declared merge key: name"],
    [{ spec: { strategy: { $patch: "explode" } } }, 400, "unknown patch type: explode in map: map[$patch:explode]"],
    [{ spec: { template: { spec: { containers: [{ name: "a", $patch: "merge" }] } } } }, 400, "merging lists cannot yet be specified in the patch"],
    [{ metadata: { "$deleteFromPrimitiveListfinalizers": ["a"] } }, 400, "invalid patch format of primitive list"],
    [{ spec: { template: { spec: { $setElementOrderX: [] } } } }, 400, "invalid patch format of setElementOrder list"],
    [
      { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "app" }], containers: [{ name: "other", image: "x" }] } } } },
      400,
      "The order in patch list:",
    ],
    [{ metadata: { finalizers: [["a"]] } }, 422, "lists of lists are not supported", []],
    [{ metadata: { finalizers: [1] } }, 400, "list element types are not identical"],
    [[1], 400, "json: cannot unmarshal array into Go value of type map[string]interface {}"],
  ])("error %#", (patch, code, msg, finalizers: string[] = ["z"]) => {
    const d = deployment();
    d.metadata.finalizers = finalizers;
    const e = errorOf(() => applyPatch(SMP, d, patch, "deployments.apps"));
    expect(e.code).toBe(code);
    if (code === 422) expect(e.status.details?.causes?.[0].message).toContain(msg);
    else expect(e.message).toContain(msg);
  });

  it("does not modify its inputs, so a conflict retry can re-apply the same patch", () => {
    const d = deployment();
    const patch = { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "app" }], containers: [{ name: "app", image: "v2" }] } } } };
    const before = JSON.stringify([d, patch]);
    const first = applyPatch(SMP, d, patch, "deployments.apps");
    const second = applyPatch(SMP, d, patch, "deployments.apps");
    expect(JSON.stringify([d, patch])).toBe(before);
    expect(second).toEqual(first);
  });

  it("null body is an empty patch; unknown resources merge like maps", () => {
    expect(applyPatch(SMP, deployment(), null, "deployments.apps")).toEqual(deployment());
    const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 1 } } as KubeObject;
    expect(applyPatch(SMP, scale, { spec: { replicas: 2 } }, "scale").spec).toEqual({ replicas: 2 });
  });

  it("a __proto__ key stays data", () => {
    const out = applyPatch(SMP, deployment(), JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}'), "deployments.apps");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out.metadata.labels)).toBe(Object.prototype);
  });
});

describe("strategic merge of Services", () => {
  it("merges spec.ports by port number, keeping what the server allocated", () => {
    const svc: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { type: "NodePort", ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080, nodePort: 31000 }] },
    };
    const out = applyPatch("application/strategic-merge-patch+json", svc, { spec: { ports: [{ name: "metrics", port: 9090 }, { port: 8080, name: "web" }] } }, "services");
    // Without $setElementOrder the patch's items come first, in its order.
    expect((out.spec as { ports: unknown[] }).ports).toEqual([
      { name: "metrics", port: 9090 },
      { name: "web", port: 8080, protocol: "TCP", targetPort: 8080, nodePort: 31000 },
    ]);
  });
});
