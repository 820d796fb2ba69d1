// What the API server does to a custom object before validating it: drop the fields
// its structural schema does not know (pruning; kept where the schema says
// x-kubernetes-preserve-unknown-fields) and fill in the schema's `default`s.
import type { JSONSchemaProps } from "./crd-types";

type JMap = Record<string, unknown>;

const isMap = (v: unknown): v is JMap => v !== null && typeof v === "object" && !Array.isArray(v);

/** Fields every object (and every embedded resource) has whatever its schema says. */
const TYPE_META = ["apiVersion", "kind", "metadata"];

const childPath = (path: string, name: string) => (path ? `${path}.${name}` : name);

/**
 * Removes from `value` (in place) every field `schema` does not specify and returns
 * their paths ("spec.foo"), which fieldValidation=Strict reports as unknown fields.
 * `root`: the object itself, whose apiVersion, kind and metadata always stay.
 */
export function prune(schema: JSONSchemaProps, value: unknown, root = true): string[] {
  const out: string[] = [];
  pruneAt(schema, value, "", root, out);
  return out;
}

function pruneAt(s: JSONSchemaProps, v: unknown, path: string, keepTypeMeta: boolean, out: string[]): void {
  if (Array.isArray(v)) {
    if (s.items) for (const [i, e] of v.entries()) pruneAt(s.items, e, `${path}[${i}]`, !!s.items["x-kubernetes-embedded-resource"], out);
    return;
  }
  if (!isMap(v)) return;
  const preserve = !!s["x-kubernetes-preserve-unknown-fields"];
  for (const k of Object.keys(v)) {
    if (keepTypeMeta && TYPE_META.includes(k)) continue;
    const prop = s.properties?.[k] ?? (isMap(s.additionalProperties) ? s.additionalProperties : undefined);
    if (prop) {
      pruneAt(prop, v[k], childPath(path, k), !!prop["x-kubernetes-embedded-resource"], out);
    } else if (!preserve && s.additionalProperties !== true) {
      out.push(childPath(path, k));
      delete v[k];
    }
  }
}

/** Fills in `default`s of `schema` into `value` (in place), outermost first. */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const e of value) applyDefaults(schema.items, e);
    return;
  }
  if (!isMap(value)) return;
  for (const [k, prop] of Object.entries(schema.properties ?? {})) {
    // A null where the field may not be null counts as absent (it is pruned upstream).
    if (prop.default !== undefined && (value[k] === undefined || (value[k] === null && !prop.nullable))) value[k] = structuredClone(prop.default);
  }
  for (const [k, v] of Object.entries(value)) {
    const prop = schema.properties?.[k] ?? (isMap(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (prop) applyDefaults(prop, v);
  }
}
