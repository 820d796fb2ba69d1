// The OpenAPI v3 document of one group-version: a patch operation per kind (what
// `kubectl apply` looks up) and the components.schemas of its kinds and everything
// they refer to (what `kubectl explain` reads), built from src/model/api-schema.
// List fields carry the strategic-merge keys of src/model/patch-meta.ts, written the way
// upstream publishes them (x-kubernetes-patch-strategy/-merge-key, list-type map).
import { RESOURCES, storageKey, type ResourceInfo } from "../model/resources";
import { DEFINITIONS, definitionOfKind, type Definition, type Field, type FieldType } from "../model/api-schema";
import { applyOnlyListMapKeys, listMapKeys, lookupField, patchMetaFor, type FieldMeta, type StructMeta } from "../model/patch-meta";

const REF = "#/components/schemas/";

export function groupPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function itemPath(r: ResourceInfo): string {
  const base = "/" + groupPath(r.group, r.version);
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
}

export function refTarget(t: FieldType): string | undefined {
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

/**
 * The strategic-merge and list-type extensions of one field (both OpenAPI versions carry
 * the same): a list merged by key is a map, one merged by value a set, any other list
 * atomic (replaced whole), as upstream marks every list of its built-in types.
 */
export function patchExtensions(owner: string, name: string, f: Field): Record<string, unknown> {
  const s: Record<string, unknown> = {};
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
  } else if (f.type.k === "array") {
    const keys = applyOnlyListMapKeys(owner, name);
    if (keys) {
      s["x-kubernetes-list-type"] = "map";
      s["x-kubernetes-list-map-keys"] = keys;
    } else {
      s["x-kubernetes-list-type"] = "atomic";
    }
  }
  return s;
}

function fieldSchema(owner: string, name: string, f: Field): Record<string, unknown> {
  return { ...typeSchema(f.type), description: f.description, ...(f.enum ? { enum: f.enum } : {}), ...patchExtensions(owner, name, f) };
}

export function definitionSchema(d: Definition): Record<string, unknown> {
  if (d.scalar) {
    // A value of two JSON types is published as a oneOf without a type, as upstream does:
    // `kubectl explain` then shows the schema's name (<Quantity>) rather than <string>.
    const types = d.scalar.oneOf ? { oneOf: d.scalar.oneOf.map((type) => ({ type })) } : { type: d.scalar.type };
    return { description: d.description, ...types, ...(d.scalar.format ? { format: d.scalar.format } : {}), ...(d.scalar.intOrString ? { "x-kubernetes-int-or-string": true } : {}) };
  }
  return structSchema(d, fieldSchema);
}

/** A struct definition's schema, its fields (sorted) written by `field` (v3's or v2's). */
export function structSchema(d: Definition, field: (owner: string, name: string, f: Field) => Record<string, unknown>): Record<string, unknown> {
  const properties = Object.fromEntries(
    Object.keys(d.properties)
      .sort()
      .map((k) => [k, field(d.name, k, d.properties[k])]),
  );
  return {
    description: d.description,
    type: "object",
    ...(d.required ? { required: d.required } : {}),
    properties,
    ...(d.gvk ? { "x-kubernetes-group-version-kind": [d.gvk] } : {}),
    ...(d.atomic ? { "x-kubernetes-map-type": "atomic" } : {}),
  };
}

/** The definitions reachable from these roots. */
export function closure(roots: Definition[]): Definition[] {
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

/** Upstream's operationId of a kind's patch: patchCoreV1NamespacedPod, patchAppsV1NamespacedDeployment. */
export function patchOperationId(r: ResourceInfo): string {
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const group = r.group ? r.group.replace(/\.k8s\.io$/, "").split(".").map(cap).join("") : "Core";
  return `patch${group}${cap(r.version)}${r.namespaced ? "Namespaced" : ""}${r.kind}`;
}

const param = (name: string, description: string) => ({ name, in: "query", description, schema: { type: "string", uniqueItems: true } });

function patchPaths(served: readonly ResourceInfo[], schemaName: (r: ResourceInfo) => string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of served) {
    paths[itemPath(r)] = {
      // No strategic-merge-patch request body is advertised: kubectl then computes its
      // apply patches from its compiled-in types, whose patch metadata is upstream's own.
      patch: {
        description: `partially update the specified ${r.kind}`,
        operationId: patchOperationId(r),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          param("fieldValidation", "How the server treats unknown or duplicate fields: Ignore, Warn or Strict."),
          param("dryRun", "When present (All), the change is checked but not persisted."),
          param("fieldManager", "A name for the actor making the change."),
        ],
        responses: { "200": { description: "OK", content: { "application/json": { schema: { $ref: REF + schemaName(r) } } } } },
      },
    };
  }
  return paths;
}

export function groupDocument(group: string, version: string) {
  const served = RESOURCES.filter((x) => x.group === group && x.version === version);
  const paths = patchPaths(served, (r) => definitionOfKind(r.group, r.version, r.kind)?.name ?? "");
  const roots = served.map((r) => definitionOfKind(r.group, r.version, r.kind)).filter((d): d is Definition => !!d);
  const schemas = Object.fromEntries(closure(roots).map((d) => [d.name, definitionSchema(d)]));
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas } };
}

/** Upstream's schema name of a custom kind: the group reversed, then version and kind (com.example.stable.v1.CronTab). */
export function customSchemaName(r: Pick<ResourceInfo, "group" | "version" | "kind">): string {
  return [...r.group.split(".").reverse(), r.version, r.kind].join(".");
}

/**
 * The document of a custom resource group-version: each kind's CRD schema (what
 * `kubectl explain` reads and kubectl validates with), metadata as ObjectMeta.
 */
export function customGroupDocument(served: readonly ResourceInfo[]) {
  const paths = patchPaths(served, customSchemaName);
  const objectMeta = DEFINITIONS.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")!;
  const schemas: Record<string, unknown> = Object.fromEntries(closure([objectMeta]).map((d) => [d.name, definitionSchema(d)]));
  for (const r of served) {
    const schema = structuredClone(r.custom?.version.schema ?? { type: "object" }) as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, unknown>;
    schema.properties = {
      ...properties,
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
      metadata: { allOf: [{ $ref: REF + objectMeta.name }], description: "Standard object's metadata." },
    };
    schema["x-kubernetes-group-version-kind"] = [{ group: r.group, version: r.version, kind: r.kind }];
    schemas[customSchemaName(r)] = schema;
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes CRD Swagger", version: "v0.1.0" }, paths, components: { schemas } };
}
