// The OpenAPI v3 document of one group-version: a patch operation per kind (what
// `kubectl apply` looks up) and the components.schemas of its kinds and everything
// they refer to (what `kubectl explain` reads), built from src/model/api-schema.
// List fields carry the strategic-merge keys of src/model/patch-meta.ts, written the way
// upstream publishes them (x-kubernetes-patch-strategy/-merge-key, list-type map).
import { RESOURCES, storageKey, type ResourceInfo } from "../model/resources";
import { DEFINITIONS, definitionOfKind, type Definition, type Field, type FieldType } from "../model/api-schema";
import { listMapKeys, lookupField, patchMetaFor, type FieldMeta, type StructMeta } from "../model/patch-meta";

const REF = "#/components/schemas/";

export function groupPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function itemPath(r: ResourceInfo): string {
  const base = "/" + groupPath(r.group, r.version);
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
}

function refTarget(t: FieldType): string | undefined {
  if (t.k === "ref") return t.def;
  if (t.k === "array" || t.k === "map") return refTarget(t.of);
  return undefined;
}

/** Patch annotations per "<definition>.<field>", found by walking each kind's patch meta along the schema. */
function patchAnnotations(): Map<string, FieldMeta> {
  const out = new Map<string, FieldMeta>();
  const walk = (d: Definition | undefined, meta: StructMeta | undefined) => {
    if (!d || !meta) return;
    for (const [name, field] of Object.entries(d.properties)) {
      const fm = lookupField(meta, name);
      if (fm.strategy) out.set(`${d.name}.${name}`, fm);
      const target = refTarget(field.type);
      if (fm.sub && target) walk(DEFINITIONS.get(target), fm.sub);
    }
  };
  for (const r of RESOURCES) walk(definitionOfKind(r.group, r.version, r.kind), patchMetaFor(storageKey(r)));
  return out;
}

let annotations: Map<string, FieldMeta> | undefined;

function typeSchema(t: FieldType): Record<string, unknown> {
  switch (t.k) {
    case "ref":
      return { allOf: [{ $ref: REF + t.def }], ...(DEFINITIONS.get(t.def)?.scalar ? {} : { default: {} }) };
    case "array":
      return { type: "array", items: { ...typeSchema(t.of), ...(t.of.k === "string" ? { default: "" } : {}) } };
    case "map":
      return { type: "object", additionalProperties: { ...typeSchema(t.of), ...(t.of.k === "string" ? { default: "" } : {}) } };
    case "integer":
      return { type: "integer", format: t.format };
    default:
      return { type: t.k };
  }
}

function fieldSchema(owner: string, name: string, f: Field): Record<string, unknown> {
  const s: Record<string, unknown> = { ...typeSchema(f.type), description: f.description };
  if (f.enum) s.enum = f.enum;
  const pm = (annotations ??= patchAnnotations()).get(`${owner}.${name}`);
  if (pm?.strategy) {
    s["x-kubernetes-patch-strategy"] = pm.strategy;
    if (pm.mergeKey) {
      s["x-kubernetes-patch-merge-key"] = pm.mergeKey;
      s["x-kubernetes-list-type"] = "map";
      s["x-kubernetes-list-map-keys"] = listMapKeys(owner, name, pm.mergeKey);
    } else if (f.type.k === "array") {
      s["x-kubernetes-list-type"] = "set";
    }
  }
  return s;
}

export function definitionSchema(d: Definition): Record<string, unknown> {
  if (d.scalar) {
    // A value of two JSON types is published as a oneOf without a type, as upstream does:
    // `kubectl explain` then shows the schema's name (<Quantity>) rather than <string>.
    const types = d.scalar.oneOf ? { oneOf: d.scalar.oneOf.map((type) => ({ type })) } : { type: d.scalar.type };
    return { description: d.description, ...types, ...(d.scalar.format ? { format: d.scalar.format } : {}), ...(d.scalar.intOrString ? { "x-kubernetes-int-or-string": true } : {}) };
  }
  const properties = Object.fromEntries(
    Object.keys(d.properties)
      .sort()
      .map((k) => [k, fieldSchema(d.name, k, d.properties[k])]),
  );
  return {
    description: d.description,
    type: "object",
    ...(d.required ? { required: d.required } : {}),
    properties,
    ...(d.gvk ? { "x-kubernetes-group-version-kind": [d.gvk] } : {}),
  };
}

/** The definitions reachable from these roots. */
function closure(roots: Definition[]): Definition[] {
  const seen = new Map<string, Definition>();
  const visit = (d: Definition | undefined) => {
    if (!d || seen.has(d.name)) return;
    seen.set(d.name, d);
    for (const f of Object.values(d.properties)) {
      const target = refTarget(f.type);
      if (target) visit(DEFINITIONS.get(target));
    }
  };
  roots.forEach(visit);
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupPath(r.group, r.version), { group: r.group, version: r.version });
  return [...seen.values()];
}

const param = (name: string, description: string) => ({ name, in: "query", description, schema: { type: "string", uniqueItems: true } });

export function groupDocument(group: string, version: string) {
  const served = RESOURCES.filter((x) => x.group === group && x.version === version);
  const paths: Record<string, unknown> = {};
  for (const r of served) {
    paths[itemPath(r)] = {
      // No strategic-merge-patch request body is advertised: kubectl then computes its
      // apply patches from its compiled-in types, whose patch metadata is upstream's own.
      patch: {
        description: `partially update the specified ${r.kind}`,
        operationId: `patch${r.group ? r.group.split(".")[0] : "Core"}${r.version}${r.namespaced ? "Namespaced" : ""}${r.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          param("fieldValidation", "How the server treats unknown or duplicate fields: Ignore, Warn or Strict."),
          param("dryRun", "When present (All), the change is checked but not persisted."),
          param("fieldManager", "A name for the actor making the change."),
        ],
        responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: REF + (definitionOfKind(r.group, r.version, r.kind)?.name ?? "") } } } } },
      },
    };
  }
  const roots = served.map((r) => definitionOfKind(r.group, r.version, r.kind)).filter((d): d is Definition => !!d);
  const schemas = Object.fromEntries(closure(roots).map((d) => [d.name, definitionSchema(d)]));
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas } };
}
