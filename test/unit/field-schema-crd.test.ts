// Server-side apply over a CustomResourceDefinition's schema: its list types decide how
// two appliers' lists meet (x-kubernetes-list-type map merges by key, an unmarked list
// is atomic), its additionalProperties make a granular map, metadata is ObjectMeta's.
import { describe, it, expect } from "vitest";
import { applyConfiguration, ApplyConflicts, conflictReport, type Writer } from "../../src/model/managed-fields";
import { customSchemaNode } from "../../src/model/field-schema-crd";
import type { JSONSchemaProps } from "../../src/model/crd-types";
import type { KubeObject } from "../../src/model/types";

const SCHEMA: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        cronSpec: { type: "string" },
        ports: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], items: { type: "object", properties: { name: { type: "string" }, port: { type: "integer" } } } },
        tags: { type: "array", items: { type: "string" } },
        owners: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
        settings: { type: "object", additionalProperties: { type: "string" } },
      },
    },
  },
};
const schema = customSchemaNode(SCHEMA);
const at = (manager: string): Writer => ({ manager, apiVersion: "stable.example.com/v1", time: "2026-01-01T00:00:00Z" });
const ct = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "c", labels: { app: "x" } }, spec }) as KubeObject;
const apply = (live: KubeObject | undefined, cfg: KubeObject, manager: string, force = false) => applyConfiguration(live, cfg, schema, at(manager), "object", force).object;

function conflict(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApplyConflicts) return conflictReport(e.conflicts).message;
    throw e;
  }
  throw new Error("no conflict");
}

describe("server-side apply over a CRD's schema", () => {
  const first = apply(undefined, ct({ cronSpec: "* * * * */5", ports: [{ name: "a", port: 1 }], tags: ["x"], owners: ["ann"], settings: { k1: "v1" } }), "alpha");

  it("merges a list-map by its keys and a set by value: each applier owns its own items", () => {
    const both = apply(first, ct({ ports: [{ name: "b", port: 2 }], owners: ["bob"], settings: { k2: "v2" } }), "beta");
    const spec = both.spec as { ports: { name: string }[]; owners: string[]; settings: Record<string, string> };
    expect(spec.ports.map((p) => p.name).sort()).toEqual(["a", "b"]);
    expect([...spec.owners].sort()).toEqual(["ann", "bob"]);
    expect(spec.settings).toEqual({ k1: "v1", k2: "v2" });
    const beta = (both.metadata.managedFields as { manager: string; fieldsV1: Record<string, unknown> }[]).find((e) => e.manager === "beta")!;
    expect(Object.keys((beta.fieldsV1["f:spec"] as Record<string, Record<string, unknown>>)["f:ports"])).toContain('k:{"name":"b"}');
  });

  it("an unmarked list is atomic: another applier's different list conflicts, as upstream's words say", () => {
    expect(conflict(() => apply(first, ct({ tags: ["y"] }), "beta"))).toBe('Apply failed with 1 conflict: conflict with "alpha": .spec.tags');
    expect((apply(first, ct({ tags: ["y"] }), "beta", true).spec as { tags: string[] }).tags).toEqual(["y"]);
  });

  it("metadata is ObjectMeta's: labels are owned key by key", () => {
    const relabelled = apply(first, { ...ct({}), metadata: { name: "c", labels: { team: "t" } } } as KubeObject, "beta");
    expect(relabelled.metadata.labels).toEqual({ app: "x", team: "t" });
  });
});
