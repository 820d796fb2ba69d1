// The published OpenAPI schemas: every served kind has one, named as upstream names it
// and tagged with its group-version-kind; every reference resolves; every field says
// what it is; and list fields carry exactly the strategic-merge keys patch-meta uses.
import { describe, it, expect } from "vitest";
import { RESOURCES, storageKey } from "../../src/model/resources";
import { DEFINITIONS, definitionOfKind, type Definition, type FieldType } from "../../src/model/api-schema";
import { definitionSchema, groupDocument, groupPath, groupVersions } from "../../src/api/openapi-schema";
import { patchMetaFor, type StructMeta } from "../../src/model/patch-meta";

type Json = Record<string, unknown>;

function target(t: FieldType): string | undefined {
  return t.k === "ref" ? t.def : t.k === "array" || t.k === "map" ? target(t.of) : undefined;
}

describe("schemas", () => {
  it("has a schema for every served kind, named after its upstream package", () => {
    for (const r of RESOURCES) {
      const d = definitionOfKind(r.group, r.version, r.kind);
      expect(d, r.kind).toBeDefined();
      expect(d!.name.endsWith(`.${r.version}.${r.kind}`)).toBe(true);
      expect(d!.name).toMatch(/^io\.k8s\.(api|apiextensions-apiserver\.pkg\.apis\.apiextensions\.v1)\./);
      const s = definitionSchema(d!);
      expect(s["x-kubernetes-group-version-kind"]).toEqual([{ group: r.group, version: r.version, kind: r.kind }]);
      expect(Object.keys(s.properties as Json)).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata"]));
    }
  });

  it("resolves every reference and describes every definition and field", () => {
    for (const d of DEFINITIONS.values()) {
      expect(d.description.length, d.name).toBeGreaterThan(10);
      for (const [name, f] of Object.entries(d.properties)) {
        expect(f.description.length, `${d.name}.${name}`).toBeGreaterThan(3);
        const t = target(f.type);
        if (t) expect(DEFINITIONS.has(t), `${d.name}.${name} -> ${t}`).toBe(true);
      }
    }
  });

  it("puts patch-meta's merge keys on the list fields, as upstream's list-map keys", () => {
    let checked = 0;
    const walk = (d: Definition, meta: StructMeta, path: string) => {
      const props = definitionSchema(d).properties as Record<string, Json>;
      for (const [name, fm] of Object.entries(meta)) {
        const field = d.properties[name];
        if (!field) continue; // a field the schema does not publish (status lists it only patches)
        if (fm.strategy === "merge") {
          expect(props[name]["x-kubernetes-patch-strategy"], `${path}.${name}`).toBe("merge");
          if (fm.mergeKey) {
            expect(props[name]["x-kubernetes-patch-merge-key"], `${path}.${name}`).toBe(fm.mergeKey);
            expect(props[name]["x-kubernetes-list-type"]).toBe("map");
            expect((props[name]["x-kubernetes-list-map-keys"] as string[])[0]).toBe(fm.mergeKey);
          } else {
            expect(props[name]["x-kubernetes-list-type"]).toBe("set");
          }
          checked++;
        }
        const t = target(field.type);
        if (fm.sub && t) walk(DEFINITIONS.get(t)!, fm.sub, `${path}.${name}`);
      }
    };
    for (const r of RESOURCES) walk(definitionOfKind(r.group, r.version, r.kind)!, patchMetaFor(storageKey(r)), r.kind);
    expect(checked).toBeGreaterThan(20);
    // A list patch-meta does not merge is not marked as one.
    const container = definitionSchema(DEFINITIONS.get("io.k8s.api.core.v1.Container")!).properties as Record<string, Json>;
    expect(container.args["x-kubernetes-patch-strategy"]).toBeUndefined();
    expect(container.ports["x-kubernetes-list-map-keys"]).toEqual(["containerPort", "protocol"]);
  });
});

describe("group documents", () => {
  it("lists each kind's patch operation with its group-version-kind and the fieldValidation parameter", () => {
    expect(groupVersions().map((gv) => groupPath(gv.group, gv.version)).sort()).toEqual(["api/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/autoscaling/v1", "apis/autoscaling/v2", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/networking.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1", "apis/storage.k8s.io/v1"]);
    const doc = groupDocument("apps", "v1");
    const op = (doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"] as { patch: Json }).patch;
    expect(op["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect((op.parameters as { name: string }[]).map((p) => p.name)).toContain("fieldValidation");
    // The document carries what its kinds refer to, in other groups too.
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.PodSpec", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]));
    const probe = doc.components.schemas["io.k8s.api.core.v1.Probe"] as { properties: Record<string, Json> };
    expect(probe.properties.httpGet.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.api.core.v1.HTTPGetAction" }]);
  });
});
