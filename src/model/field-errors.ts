// Field-level validation errors in the shape of k8s.io/apimachinery/pkg/util/validation/field:
// each becomes a StatusCause whose `reason` is the error type, `field` the path and
// `message` the "error body" ("Invalid value: \"x\": detail"), which is what the API
// server puts in Status.details.causes and joins into the Invalid message.
import type { StatusCause } from "./types";

/** A value already rendered the way Go's %#v (or a Stringer) would print it. */
export class GoRepr {
  constructor(readonly text: string) {}
}

export type BadValue = string | number | boolean | null | undefined | GoRepr;

/** Strings print quoted (%q), numbers and booleans plain, nil as "null". */
function goValue(v: BadValue): string {
  if (v instanceof GoRepr) return v.text;
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

const body = (head: string, detail: string) => (detail ? `${head}: ${detail}` : head);

export const required = (field: string, detail = ""): StatusCause => ({ reason: "FieldValueRequired", message: body("Required value", detail), field });

export const invalidField = (field: string, value: BadValue, detail: string): StatusCause => ({
  reason: "FieldValueInvalid",
  message: body(`Invalid value: ${goValue(value)}`, detail),
  field,
});

export const typeInvalid = (field: string, value: BadValue, detail: string): StatusCause => ({
  reason: "FieldValueTypeInvalid",
  message: body(`Invalid value: ${goValue(value)}`, detail),
  field,
});

export const notSupported = (field: string, value: BadValue, valid: readonly string[]): StatusCause => ({
  reason: "FieldValueNotSupported",
  message: body(`Unsupported value: ${goValue(value)}`, valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(", ")}` : ""),
  field,
});

export const forbidden = (field: string, detail: string): StatusCause => ({ reason: "FieldValueForbidden", message: body("Forbidden", detail), field });

export const duplicate = (field: string, value: BadValue, detail = ""): StatusCause => ({
  reason: "FieldValueDuplicate",
  message: body(`Duplicate value: ${goValue(value)}`, detail),
  field,
});

export const notFound = (field: string, value: BadValue): StatusCause => ({ reason: "FieldValueNotFound", message: `Not found: ${goValue(value)}`, field });

export const tooLong = (field: string, maxBytes: number): StatusCause => ({
  reason: "FieldValueTooLong",
  message: `Too long: must have at most ${maxBytes} bytes`,
  field,
});

// Paths print like field.Path: children joined with ".", indices and keys in brackets.
export const child = (path: string, ...names: string[]): string => [path, ...names].filter((p) => p !== "").join(".");
export const index = (path: string, i: number | string): string => `${path}[${i}]`;

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  return typeof value === "number" && value < 0 ? [invalidField(field, value, "must be greater than or equal to 0")] : [];
}
