// Validation of a custom object against its CRD's structural schema, in the API
// server's words (kube-openapi's validate package, turned into field errors by the
// apiextensions server): `spec.replicas: Invalid value: "string": spec.replicas in body
// must be of type integer: "string"`, `Required value`, `Unsupported value`, ...
import type { StatusCause } from "./types";
import type { JSONSchemaProps } from "./crd-types";
import { child, index, invalidField, notSupported, required, tooLong, type BadValue } from "./field-errors";

type JMap = Record<string, unknown>;

const isMap = (v: unknown): v is JMap => v !== null && typeof v === "object" && !Array.isArray(v);

/** The JSON type of a value as kube-openapi names it. */
export function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(schema: JSONSchemaProps, v: unknown): boolean {
  if (schema["x-kubernetes-int-or-string"]) return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
  switch (schema.type) {
    case undefined:
    case "":
      return true;
    case "object":
      return isMap(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

/** A value as field.Invalid prints it: strings quoted, numbers and booleans plain. */
function bad(v: unknown): BadValue {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) return v;
  return JSON.stringify(v);
}

const fmtNum = (n: number) => String(n);

/** The label kube-openapi gives a path: the path itself, or "body" at the root. */
const label = (path: string) => (path === "" ? "body" : `${path} in body`);

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Field causes for `value` at `path` under `schema`. `value` undefined means absent
 * (nothing to check). The embedded ObjectMeta at the root is validated elsewhere.
 */
export function validateAgainstSchema(schema: JSONSchemaProps, value: unknown, path = ""): StatusCause[] {
  const errs: StatusCause[] = [];
  walk(schema, value, path, errs);
  return errs;
}

function walk(s: JSONSchemaProps, v: unknown, path: string, errs: StatusCause[]): void {
  if (v === undefined) return;
  if (v === null) {
    if (s.nullable || !s.type) return;
    errs.push(invalidField(path, "null", `${label(path)} must be of type ${s.type}: "null"`));
    return;
  }
  if (!typeMatches(s, v)) {
    const want = s["x-kubernetes-int-or-string"] ? "integer,string" : (s.type ?? "");
    errs.push(invalidField(path, jsonTypeOf(v), `${label(path)} must be of type ${want}: ${JSON.stringify(jsonTypeOf(v))}`));
    return;
  }
  if (s.enum && !s.enum.some((e) => deepEqual(e, v))) {
    errs.push(notSupported(path, bad(v), s.enum.map((e) => (typeof e === "string" ? e : JSON.stringify(e)))));
  }
  if (typeof v === "string") strings(s, v, path, errs);
  else if (typeof v === "number") numbers(s, v, path, errs);
  else if (Array.isArray(v)) arrays(s, v, path, errs);
  else if (isMap(v)) objects(s, v, path, errs);
  for (const sub of s.allOf ?? []) walk(sub, v, path, errs);
  if (s.anyOf && !s.anyOf.some((sub) => validateAgainstSchema(sub, v, path).length === 0)) {
    errs.push(invalidField(path, bad(v), `${label(path)} must validate at least one schema (anyOf)`));
  }
  if (s.oneOf && s.oneOf.filter((sub) => validateAgainstSchema(sub, v, path).length === 0).length !== 1) {
    errs.push(invalidField(path, bad(v), `${label(path)} must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateAgainstSchema(s.not, v, path).length === 0) {
    errs.push(invalidField(path, bad(v), `${label(path)} must not validate the schema (not)`));
  }
}

function strings(s: JSONSchemaProps, v: string, path: string, errs: StatusCause[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(tooLong(path, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(invalidField(path, v, `${label(path)} should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !patternMatches(s.pattern, v)) errs.push(invalidField(path, v, `${label(path)} should match '${s.pattern}'`));
}

function patternMatches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, "u").test(v);
  } catch {
    // A pattern the CRD's validation let through but this engine cannot read: no verdict.
    return true;
  }
}

function numbers(s: JSONSchemaProps, v: number, path: string, errs: StatusCause[]): void {
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      errs.push(invalidField(path, v, `${label(path)} should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${fmtNum(s.minimum)}`));
    }
  }
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      errs.push(invalidField(path, v, `${label(path)} should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${fmtNum(s.maximum)}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
    errs.push(invalidField(path, v, `${label(path)} should be a multiple of ${fmtNum(s.multipleOf)}`));
  }
}

function arrays(s: JSONSchemaProps, v: unknown[], path: string, errs: StatusCause[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    errs.push({ reason: "FieldValueTooMany", message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, field: path });
  }
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalidField(path, v.length, `${label(path)} should have at least ${s.minItems} items`));
  if (s.uniqueItems) {
    const seen = new Set<string>();
    for (const [i, e] of v.entries()) {
      const k = JSON.stringify(e);
      if (seen.has(k)) errs.push({ reason: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(e)}`, field: index(path, i) });
      seen.add(k);
    }
  }
  if (s.items) for (const [i, e] of v.entries()) walk(s.items, e, index(path, i), errs);
}

function objects(s: JSONSchemaProps, v: JMap, path: string, errs: StatusCause[]): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    errs.push({ reason: "FieldValueTooMany", message: `Too many: ${n}: must have at most ${s.maxProperties} items`, field: path });
  }
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(invalidField(path, n, `${label(path)} should have at least ${s.minProperties} properties`));
  for (const r of s.required ?? []) if (v[r] === undefined) errs.push(required(child(path, r)));
  for (const [k, e] of Object.entries(v)) {
    const prop = s.properties?.[k];
    if (prop) walk(prop, e, child(path, k), errs);
    else if (isMap(s.additionalProperties)) walk(s.additionalProperties, e, child(path, k), errs);
  }
}
