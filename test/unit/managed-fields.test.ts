// Field ownership and server-side apply, case by case as the Server-Side Apply page and
// structured-merge-diff behave: apply, re-apply without a field, two appliers sharing a
// field, a conflict and its message, force, list-map merge of containers, an atomic
// list, an Update taking ownership from an applier, and what clients may send.
import { describe, it, expect } from "vitest";
import { applyConfiguration, ApplyConflicts, conflictReport, managedFromRequest, updateManagedFields, type ManagedFieldsEntry, type Writer } from "../../src/model/managed-fields";
import { schemaFor } from "../../src/model/field-schema";
import type { KubeObject } from "../../src/model/types";
import { prefixFromUserAgent } from "../../src/api/field-manager";

const schema = schemaFor("deployments.apps");
const at = (manager: string, time = "2026-01-01T00:00:00Z"): Writer => ({ manager, apiVersion: "apps/v1", time });

function config(replicas: number | undefined, containers: Record<string, unknown>[] = [{ name: "nginx", image: "nginx:1.27" }], labels: Record<string, string> = { app: "web" }): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels },
    spec: { ...(replicas !== undefined ? { replicas } : {}), selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers } } },
  } as KubeObject;
}

const apply = (live: KubeObject | undefined, cfg: KubeObject, manager: string, force = false) => applyConfiguration(live, cfg, schema, at(manager), "object-with-status-subresource", force).object;
const entries = (o: KubeObject) => o.metadata.managedFields as ManagedFieldsEntry[];
const owners = (o: KubeObject) => entries(o).map((e) => `${e.manager}/${e.operation}`);
const spec = (o: KubeObject) => o.spec as { replicas?: number; template: { spec: { containers: { name: string; image: string; args?: string[] }[] } } };

function conflictsOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApplyConflicts) return conflictReport(e.conflicts).message;
    throw e;
  }
  throw new Error("no conflict");
}

describe("apply", () => {
  it("creates with exactly the applied fields owned by the applier", () => {
    const o = apply(undefined, config(2), "kubectl");
    expect(spec(o).replicas).toBe(2);
    expect(entries(o)).toEqual([
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {} } } } },
          },
        },
      },
    ]);
  });

  it("re-applied without a field removes it when nobody else owns it", () => {
    const o = apply(apply(undefined, config(2), "kubectl"), config(undefined), "kubectl");
    expect(spec(o).replicas).toBeUndefined();
    expect(JSON.stringify(entries(o)[0].fieldsV1)).not.toContain("f:replicas");
  });

  it("re-applied without a label or a container removes exactly those", () => {
    const first = apply(undefined, config(2, [{ name: "a", image: "a" }, { name: "b", image: "b" }], { app: "web", tier: "x" }), "kubectl");
    const o = apply(first, config(2, [{ name: "a", image: "a" }]), "kubectl");
    expect(o.metadata.labels).toEqual({ app: "web" });
    expect(spec(o).template.spec.containers.map((c) => c.name)).toEqual(["a"]);
  });

  it("two appliers setting one value share it; the first giving it up leaves it to the second", () => {
    const shared = apply(apply(undefined, config(2), "alice"), config(2), "bob");
    expect(owners(shared)).toEqual(["alice/Apply", "bob/Apply"]);
    const o = apply(shared, config(undefined), "alice");
    expect(spec(o).replicas).toBe(2);
    expect(JSON.stringify(entries(o).find((e) => e.manager === "bob")!.fieldsV1)).toContain("f:replicas");
  });

  it("conflicts when changing a value another manager owns, with upstream's message", () => {
    const live = apply(undefined, config(2), "alice");
    expect(conflictsOf(() => apply(live, config(3), "bob"))).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    // A shared value changed by one of its owners conflicts too.
    const shared = apply(live, config(2), "bob");
    expect(conflictsOf(() => apply(shared, config(5), "bob"))).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  });

  it("lists several conflicts by manager, an Update manager with its version", () => {
    const created = updateManagedFields([], undefined, config(2), schema, at("kubectl-client-side-apply"), "object-with-status-subresource");
    const live = { ...config(2), metadata: { ...config(2).metadata, managedFields: created } } as KubeObject;
    const msg = conflictsOf(() => apply(live, config(3, [{ name: "nginx", image: "nginx:1.28" }]), "kubectl"));
    expect(msg).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
  });

  it("force takes the field: the value changes and the others lose it", () => {
    const o = apply(apply(undefined, config(2), "alice"), config(3), "bob", true);
    expect(spec(o).replicas).toBe(3);
    expect(JSON.stringify(entries(o).find((e) => e.manager === "alice")!.fieldsV1)).not.toContain("f:replicas");
    expect(JSON.stringify(entries(o).find((e) => e.manager === "bob")!.fieldsV1)).toContain("f:replicas");
  });

  it("merges list-map items by key: a second applier adds a container beside the first's", () => {
    const first = apply(undefined, config(1, [{ name: "app", image: "app:1", args: ["a"] }]), "alice");
    const sidecar: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } } } as KubeObject;
    const o = apply(first, sidecar, "bob");
    expect(spec(o).template.spec.containers).toEqual([{ name: "app", image: "app:1", args: ["a"] }, { name: "sidecar", image: "envoy" }]);
    // alice re-applies without knowing of the sidecar: it stays, being bob's.
    const again = apply(o, config(1, [{ name: "app", image: "app:2", args: ["a"] }]), "alice");
    expect(spec(again).template.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(["app=app:2", "sidecar=envoy"]);
  });

  it("replaces an atomic list whole and owns it whole", () => {
    const first = apply(undefined, config(1, [{ name: "app", image: "app", args: ["a", "b"] }]), "alice");
    const o = apply(first, config(1, [{ name: "app", image: "app", args: ["c"] }]), "alice");
    expect(spec(o).template.spec.containers[0].args).toEqual(["c"]);
    const argsOwner = { ...config(1), spec: { template: { spec: { containers: [{ name: "app", args: ["d"] }] } } } } as KubeObject;
    expect(conflictsOf(() => apply(o, argsOwner, "bob"))).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="app"].args');
  });

  it("an object nobody tracked is owned by before-first-apply", () => {
    const msg = conflictsOf(() => apply(config(2), config(4), "kubectl"));
    expect(msg).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  });

  it("an unchanged re-apply keeps the entry as it was, time included", () => {
    const first = apply(undefined, config(2), "kubectl");
    const again = applyConfiguration(first, config(2), schema, at("kubectl", "2026-02-02T00:00:00Z"), "object-with-status-subresource", false).object;
    expect(entries(again)).toEqual(entries(first));
  });
});

describe("update", () => {
  it("takes ownership of what it changed from an applier, which keeps the rest", () => {
    const live = apply(undefined, config(2), "kubectl");
    const next = { ...structuredClone(live), spec: { ...structuredClone(live.spec as object), replicas: 5 } } as KubeObject;
    const managed = updateManagedFields(entries(live), live, next, schema, at("kube-controller-manager"), "object-with-status-subresource");
    expect(managed.map((e) => `${e.manager}/${e.operation}`)).toEqual(["kubectl/Apply", "kube-controller-manager/Update"]);
    expect(managed[1].fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(JSON.stringify(managed[0].fieldsV1)).not.toContain("f:replicas");
  });

  it("records nothing when nothing changed, and no status on the main resource", () => {
    const live = apply(undefined, config(2), "kubectl");
    expect(updateManagedFields(entries(live), live, structuredClone(live), schema, at("x"), "object-with-status-subresource")).toBe(entries(live));
    const withStatus = { ...structuredClone(live), status: { replicas: 2 } } as KubeObject;
    expect(updateManagedFields(entries(live), live, withStatus, schema, at("x"), "object-with-status-subresource")).toBe(entries(live));
    const status = updateManagedFields(entries(live), live, withStatus, schema, { ...at("kube-controller-manager"), subresource: "status" }, "status");
    expect(status.find((e) => e.subresource === "status")!.fieldsV1).toEqual({ "f:status": { "f:replicas": {} } });
  });

  it("merges writes of one manager into its one entry", () => {
    const a = updateManagedFields([], undefined, config(1), schema, at("m"), "object-with-status-subresource");
    const b = updateManagedFields(a, config(1), config(1, undefined, { app: "web", x: "y" }), schema, at("m", "2026-03-03T00:00:00Z"), "object-with-status-subresource");
    expect(b).toHaveLength(1);
    expect(b[0].time).toBe("2026-03-03T00:00:00Z");
    expect(b[0].fieldsV1["f:metadata"]).toEqual({ "f:labels": { ".": {}, "f:app": {}, "f:x": {} } });
  });

  it("takes managedFields from the request as upstream does: [] or [{}] resets, absent keeps", () => {
    const live: ManagedFieldsEntry[] = [{ manager: "m", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } }];
    expect(managedFromRequest([], live)).toEqual([]);
    expect(managedFromRequest([{}], live)).toEqual([]);
    expect(managedFromRequest(undefined, live)).toBe(live);
    expect(managedFromRequest("junk", live)).toBe(live);
    const sent = [{ manager: "n", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } }];
    expect(managedFromRequest(sent, live)[0].manager).toBe("n");
  });
});

describe("the manager of a write without fieldManager", () => {
  it.each([
    ["kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9", "kubectl"],
    ["OpenAPI-Generator/22.0.0/python", "OpenAPI-Generator"],
    ["kube\u0007ctl/1", "kubectl"],
    ["", ""],
  ])("User-Agent %j is recorded as %j", (ua, manager) => expect(prefixFromUserAgent(ua)).toBe(manager));

  it("is at most 128 characters", () => expect(prefixFromUserAgent("x".repeat(300))).toHaveLength(128));
});
