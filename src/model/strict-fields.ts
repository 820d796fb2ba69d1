// Unknown fields, for fieldValidation=Strict (what `kubectl apply/create -f` asks for):
// a field the API does not define is reported as
// `strict decoding error: unknown field "spec.foo"`. The fields a kind defines are
// those its published schema lists (src/model/api-schema), so `kubectl explain`, the
// OpenAPI documents, server-side apply and this check know one set of fields.
//
// Two parts are taken as they come: a kind's status (written by the controllers and
// kubelets of this cluster, whose schemas publish only what they report) and values
// of schema type "object" (a RawExtension such as a ControllerRevision's data).
import { DEFINITIONS, definitionOfKind, type Definition, type FieldType } from "./api-schema";
import { RESOURCES, storageKey } from "./resources";

/**
 * Kinds whose request bodies are not checked: a CRD's openAPIV3Schema is a
 * JSON Schema of its own (checked by the CRD's validation), and reviews are
 * questions the server answers rather than objects it stores.
 */
const UNCHECKED = new Set(["customresourcedefinitions.apiextensions.k8s.io"]);

function walkType(t: FieldType, value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  switch (t.k) {
    case "ref": {
      const d = DEFINITIONS.get(t.def);
      if (d && !d.scalar && !Array.isArray(value)) walkStruct(d, value as Record<string, unknown>, path, out, false);
      return;
    }
    case "array":
      if (Array.isArray(value)) value.forEach((v, i) => walkType(t.of, v, `${path}[${i}]`, out));
      return;
    case "map":
      if (!Array.isArray(value)) for (const [k, v] of Object.entries(value)) walkType(t.of, v, `${path}[${k}]`, out);
      return;
    default:
      return;
  }
}

function walkStruct(d: Definition, value: Record<string, unknown>, path: string, out: string[], top: boolean): void {
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const f = Object.hasOwn(d.properties, k) ? d.properties[k] : undefined;
    if (!f) out.push(p);
    else if (!(top && k === "status")) walkType(f.type, v, p, out);
  }
}

/** The schema a request body is checked against, by storage key, or "<storage key>/<version>" for a kind served in several versions. */
function schemaOf(resource: string): Definition | undefined {
  const [key, version] = resource.split("/");
  if (UNCHECKED.has(key)) return undefined;
  const r = RESOURCES.find((x) => storageKey(x) === key && !x.review && (version ? x.version === version : !x.storedAs));
  return r && definitionOfKind(r.group, r.version, r.kind);
}

/**
 * Unknown field paths in a request body, in document order ("spec.foo",
 * "spec.template.spec.containers[0].imagee"). Resources without a schema report nothing.
 */
export function strictUnknownFields(resource: string, obj: unknown): string[] {
  const d = schemaOf(resource);
  if (!d || obj === null || typeof obj !== "object" || Array.isArray(obj)) return [];
  const out: string[] = [];
  walkStruct(d, obj as Record<string, unknown>, "", out, true);
  return out;
}
