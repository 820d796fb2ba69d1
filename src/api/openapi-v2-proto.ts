// The Swagger 2.0 document in the protobuf encoding client-go asks for (`Accept:
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's
// openapi.v2.Document message. kubectl 1.27 and 1.28 accept /openapi/v2 only in this
// form, and fail `apply` when it is missing.
//
// The table below is our own transcription of the messages the document uses, with
// the field numbers of gnostic's OpenAPIv2.proto; JSON keys map to fields the way
// gnostic's compiler maps them. Three shapes need more than a field number:
// - maps (paths, definitions, properties, responses) are repeated Named<X> {1 name,
//   2 value} entries, in the JSON's order;
// - one-of wrappers (a schema's `type` and `items`, a parameter's kind, a response or
//   a reference) are messages of their own;
// - `x-` keys, `default`, `enum` and `example` are Any {2 yaml}: the value as YAML text,
//   which kubectl decodes with a YAML parser; JSON text is YAML, so it is written as JSON.
// A key the table does not know is a programming error, thrown when the document is
// built (the unit test builds it), never silently dropped.
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

type Json = Record<string, unknown>;
type Kind = "string" | "bool" | "int64" | "double" | "any" | "message";

interface FieldSpec {
  n: number;
  kind: Kind;
  /** The message type of a `message` field. */
  of?: string;
  repeated?: boolean;
}

interface MessageSpec {
  fields: Record<string, FieldSpec>;
  /** Field number of `repeated NamedAny vendor_extension`, for the `x-` keys. */
  vendor?: number;
  /** Turns the JSON value into this message's own fields (wrappers and maps). */
  shape?: (v: unknown) => Json;
}

const s = (n: number): FieldSpec => ({ n, kind: "string" });
const strs = (n: number): FieldSpec => ({ n, kind: "string", repeated: true });
const b = (n: number): FieldSpec => ({ n, kind: "bool" });
const i64 = (n: number): FieldSpec => ({ n, kind: "int64" });
const dbl = (n: number): FieldSpec => ({ n, kind: "double" });
const any = (n: number): FieldSpec => ({ n, kind: "any" });
const anys = (n: number): FieldSpec => ({ n, kind: "any", repeated: true });
const m = (n: number, of: string): FieldSpec => ({ n, kind: "message", of });
const ms = (n: number, of: string): FieldSpec => ({ n, kind: "message", of, repeated: true });

/** A JSON object's non-extension entries as Named<X> {name, value} messages. */
function named(v: unknown): Json[] {
  return Object.entries(v as Json)
    .filter(([k]) => !k.startsWith("x-"))
    .map(([name, value]) => ({ name, value }));
}

/** The JSON object's `x-` keys, kept for the message's vendor_extension field. */
function extensions(v: unknown): Json {
  return Object.fromEntries(Object.entries(v as Json).filter(([k]) => k.startsWith("x-")));
}

const isRef = (v: unknown) => typeof v === "object" && v !== null && "$ref" in v;

/** Where a non-body parameter may be ("in"), naming its sub-schema in NonBodyParameter. */
const NON_BODY_KIND: Record<string, string> = { header: "header", formData: "formData", query: "query", path: "path" };

const MESSAGES: Record<string, MessageSpec> = {
  Document: {
    fields: { swagger: s(1), info: m(2, "Info"), host: s(3), basePath: s(4), schemes: strs(5), consumes: strs(6), produces: strs(7), paths: m(8, "Paths"), definitions: m(9, "Definitions") },
    vendor: 16,
  },
  Info: { fields: { title: s(1), version: s(2), description: s(3), termsOfService: s(4) }, vendor: 7 },
  Paths: { fields: { path: ms(2, "NamedPathItem") }, vendor: 1, shape: (v) => ({ path: named(v), ...extensions(v) }) },
  NamedPathItem: { fields: { name: s(1), value: m(2, "PathItem") } },
  PathItem: {
    fields: { $ref: s(1), get: m(2, "Operation"), put: m(3, "Operation"), post: m(4, "Operation"), delete: m(5, "Operation"), options: m(6, "Operation"), head: m(7, "Operation"), patch: m(8, "Operation"), parameters: ms(9, "ParametersItem") },
    vendor: 10,
  },
  Operation: {
    fields: { tags: strs(1), summary: s(2), description: s(3), operationId: s(5), produces: strs(6), consumes: strs(7), parameters: ms(8, "ParametersItem"), responses: m(9, "Responses"), schemes: strs(10), deprecated: b(11) },
    vendor: 13,
  },
  ParametersItem: { fields: { parameter: m(1, "Parameter"), reference: m(2, "JsonReference") }, shape: (v) => (isRef(v) ? { reference: v } : { parameter: v }) },
  JsonReference: { fields: { $ref: s(1), description: s(2) } },
  Parameter: {
    fields: { body: m(1, "BodyParameter"), nonBody: m(2, "NonBodyParameter") },
    shape: (v) => ((v as Json).in === "body" ? { body: v } : { nonBody: v }),
  },
  BodyParameter: { fields: { description: s(1), name: s(2), in: s(3), required: b(4), schema: m(5, "Schema") }, vendor: 6 },
  NonBodyParameter: {
    fields: { header: m(1, "HeaderParameterSubSchema"), formData: m(2, "FormDataParameterSubSchema"), query: m(3, "QueryParameterSubSchema"), path: m(4, "PathParameterSubSchema") },
    shape: (v) => {
      const where = NON_BODY_KIND[String((v as Json).in)];
      if (!where) throw new Error(`openapi v2: a parameter "in" ${String((v as Json).in)}`);
      return { [where]: v };
    },
  },
  QueryParameterSubSchema: {
    fields: { required: b(1), in: s(2), description: s(3), name: s(4), allowEmptyValue: b(5), type: s(6), format: s(7), collectionFormat: s(9), default: any(10), uniqueItems: b(20), enum: anys(21) },
    vendor: 23,
  },
  FormDataParameterSubSchema: {
    fields: { required: b(1), in: s(2), description: s(3), name: s(4), allowEmptyValue: b(5), type: s(6), format: s(7), collectionFormat: s(9), default: any(10), uniqueItems: b(20), enum: anys(21) },
    vendor: 23,
  },
  HeaderParameterSubSchema: {
    fields: { required: b(1), in: s(2), description: s(3), name: s(4), type: s(5), format: s(6), collectionFormat: s(8), default: any(9), uniqueItems: b(19), enum: anys(20) },
    vendor: 22,
  },
  PathParameterSubSchema: {
    fields: { required: b(1), in: s(2), description: s(3), name: s(4), type: s(5), format: s(6), collectionFormat: s(8), default: any(9), uniqueItems: b(19), enum: anys(20) },
    vendor: 22,
  },
  Responses: { fields: { codes: ms(1, "NamedResponseValue") }, vendor: 2, shape: (v) => ({ codes: named(v), ...extensions(v) }) },
  NamedResponseValue: { fields: { name: s(1), value: m(2, "ResponseValue") } },
  ResponseValue: { fields: { response: m(1, "Response"), reference: m(2, "JsonReference") }, shape: (v) => (isRef(v) ? { reference: v } : { response: v }) },
  Response: { fields: { description: s(1), schema: m(2, "SchemaItem") }, vendor: 5 },
  SchemaItem: { fields: { schema: m(1, "Schema") }, shape: (v) => ({ schema: v }) },
  Definitions: { fields: { entries: ms(1, "NamedSchema") }, shape: (v) => ({ entries: named(v) }) },
  Properties: { fields: { entries: ms(1, "NamedSchema") }, shape: (v) => ({ entries: named(v) }) },
  NamedSchema: { fields: { name: s(1), value: m(2, "Schema") } },
  Schema: {
    fields: {
      $ref: s(1), format: s(2), title: s(3), description: s(4), default: any(5), multipleOf: dbl(6), maximum: dbl(7), exclusiveMaximum: b(8),
      minimum: dbl(9), exclusiveMinimum: b(10), maxLength: i64(11), minLength: i64(12), pattern: s(13), maxItems: i64(14), minItems: i64(15),
      uniqueItems: b(16), maxProperties: i64(17), minProperties: i64(18), required: strs(19), enum: anys(20),
      additionalProperties: m(21, "AdditionalPropertiesItem"), type: m(22, "TypeItem"), items: m(23, "ItemsItem"), allOf: ms(24, "Schema"),
      properties: m(25, "Properties"), discriminator: s(26), readOnly: b(27), example: any(30),
    },
    vendor: 31,
  },
  AdditionalPropertiesItem: { fields: { schema: m(1, "Schema"), boolean: b(2) }, shape: (v) => (typeof v === "boolean" ? { boolean: v } : { schema: v }) },
  TypeItem: { fields: { value: strs(1) }, shape: (v) => ({ value: Array.isArray(v) ? v : [v] }) },
  ItemsItem: { fields: { schema: ms(1, "Schema") }, shape: (v) => ({ schema: Array.isArray(v) ? v : [v] }) },
};

const NAMED_ANY = { name: 1, value: 2 };
const ANY_YAML = 2;

function writeAny(w: BinaryWriter, n: number, value: unknown): void {
  w.tag(n, WireType.LengthDelimited).fork().tag(ANY_YAML, WireType.LengthDelimited).string(JSON.stringify(value)).join();
}

function writeValue(w: BinaryWriter, f: FieldSpec, v: unknown, path: string): void {
  switch (f.kind) {
    case "string":
      if (typeof v !== "string") throw new Error(`openapi v2: ${path} is not a string`);
      if (v !== "") w.tag(f.n, WireType.LengthDelimited).string(v);
      return;
    case "bool":
      if (v === true) w.tag(f.n, WireType.Varint).bool(true);
      return;
    case "int64":
      if (v !== 0) w.tag(f.n, WireType.Varint).int64(Number(v));
      return;
    case "double":
      if (v !== 0) w.tag(f.n, WireType.Bit64).double(Number(v));
      return;
    case "any":
      writeAny(w, f.n, v);
      return;
    case "message":
      // Written even when empty: an empty `properties` still makes an object a kind.
      w.tag(f.n, WireType.LengthDelimited).fork();
      writeMessage(w, f.of!, v, path);
      w.join();
  }
}

function writeMessage(w: BinaryWriter, name: string, json: unknown, path: string): void {
  const spec = MESSAGES[name];
  const obj = spec.shape ? spec.shape(json) : (json as Json);
  const fields: [FieldSpec, string, unknown][] = [];
  const vendor: [string, unknown][] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (key.startsWith("x-") && spec.vendor) {
      vendor.push([key, value]);
      continue;
    }
    const f = spec.fields[key];
    if (!f) throw new Error(`openapi v2: ${name} has no field for ${path}.${key}`);
    fields.push([f, key, value]);
  }
  // In field-number order, as protobuf encoders write them.
  fields.sort((a, c) => a[0].n - c[0].n);
  for (const [f, key, value] of fields) {
    if (f.repeated) {
      if (!Array.isArray(value)) throw new Error(`openapi v2: ${path}.${key} is not a list`);
      value.forEach((v, i) => writeValue(w, f, v, `${path}.${key}[${i}]`));
    } else {
      writeValue(w, f, value, `${path}.${key}`);
    }
  }
  for (const [key, value] of vendor) {
    w.tag(spec.vendor!, WireType.LengthDelimited).fork();
    w.tag(NAMED_ANY.name, WireType.LengthDelimited).string(key);
    writeAny(w, NAMED_ANY.value, value);
    w.join();
  }
}

/** A Swagger 2.0 document (as JSON data) in gnostic's openapi.v2.Document encoding. */
export function encodeOpenAPIv2(doc: Json): Uint8Array {
  const w = new BinaryWriter();
  writeMessage(w, "Document", doc, "");
  return w.finish();
}
