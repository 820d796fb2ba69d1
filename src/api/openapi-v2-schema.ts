// The OpenAPI v2 (Swagger 2.0) document, one for the whole API as the API server serves
// it at /openapi/v2, built from the same definitions as the v3 documents. kubectl 1.27
// and 1.28 read it (in protobuf: openapi-v2-proto.ts) before `apply`, `create -f` and
// `replace`: a kind's patch operation tells them the server validates fields itself
// (a `fieldValidation` query parameter), and the definitions, found by their
// x-kubernetes-group-version-kind, give `explain` its fields.
//
// Written as upstream writes v2: `$ref: #/definitions/<name>` beside a description (no
// allOf), scalars (Quantity, IntOrString, Time) as plain strings with a format, and no
// oneOf, which v2 lacks.
import { RESOURCES, type ResourceInfo } from "../model/resources";
import { definitionOfKind, type Definition, type Field, type FieldType } from "../model/api-schema";
import { closure, itemPath, patchExtensions, patchOperationId, structSchema } from "./openapi-schema";

const REF = "#/definitions/";

function typeSchema(t: FieldType): Record<string, unknown> {
  switch (t.k) {
    case "ref":
      return { $ref: REF + t.def };
    case "array":
      return { type: "array", items: typeSchema(t.of) };
    case "map":
      return { type: "object", additionalProperties: typeSchema(t.of) };
    case "integer":
      return { type: "integer", format: t.format };
    default:
      return { type: t.k };
  }
}

function fieldSchema(owner: string, name: string, f: Field): Record<string, unknown> {
  return { ...typeSchema(f.type), description: f.description, ...(f.enum ? { enum: f.enum } : {}), ...patchExtensions(owner, name, f) };
}

export function definitionSchemaV2(d: Definition): Record<string, unknown> {
  if (d.scalar) return { description: d.description, type: d.scalar.type, ...(d.scalar.format ? { format: d.scalar.format } : {}) };
  return structSchema(d, fieldSchema);
}

const query = (name: string, description: string) => ({ name, in: "query", description, type: "string", uniqueItems: true });
const pathParam = (name: string, description: string) => ({ name, in: "path", description, required: true, type: "string", uniqueItems: true });

function patchPath(r: ResourceInfo, def: Definition): Record<string, unknown> {
  return {
    // No `consumes` is advertised: kubectl then computes strategic-merge patches from
    // its compiled-in types, whose patch metadata is upstream's own (as with v3).
    patch: {
      description: `partially update the specified ${r.kind}`,
      operationId: patchOperationId(r),
      produces: ["application/json", "application/yaml"],
      schemes: ["https"],
      tags: [r.group ? `${r.group.replace(/\.k8s\.io$/, "")}_${r.version}` : `core_${r.version}`],
      parameters: [
        query("fieldValidation", "How the server treats unknown or duplicate fields: Ignore, Warn or Strict."),
        query("dryRun", "When present (All), the change is checked but not persisted."),
        query("fieldManager", "A name for the actor making the change."),
      ],
      responses: {
        "200": { description: "OK", schema: { $ref: REF + def.name } },
        "401": { description: "Unauthorized" },
      },
      "x-kubernetes-action": "patch",
      "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
    },
    parameters: [
      pathParam("name", `name of the ${r.kind}`),
      ...(r.namespaced ? [pathParam("namespace", "object name and auth scope, such as for teams and projects")] : []),
    ],
  };
}

/** The whole API's Swagger 2.0 document, as JSON-ready data. */
export function swaggerDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const roots: Definition[] = [];
  for (const r of RESOURCES) {
    const def = definitionOfKind(r.group, r.version, r.kind);
    if (!def) continue;
    roots.push(def);
    paths[itemPath(r)] = patchPath(r, def);
  }
  const sorted = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  const definitions = Object.fromEntries(closure(roots).map((d) => [d.name, definitionSchemaV2(d)]));
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths: sorted,
    definitions,
  };
}
