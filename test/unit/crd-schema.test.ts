// A custom object against its CRD's structural schema: validation in the API server's
// words, pruning of unknown fields and defaulting, one table each.
import { describe, it, expect } from "vitest";
import { validateAgainstSchema } from "../../src/model/schema-validation";
import { applyDefaults, prune } from "../../src/model/schema-defaulting";
import type { JSONSchemaProps } from "../../src/model/crd-types";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["cronSpec"],
      properties: {
        cronSpec: { type: "string", pattern: "^\\d+$" },
        replicas: { type: "integer", minimum: 1, maximum: 10 },
        ratio: { type: "number", minimum: 0, exclusiveMinimum: true },
        mode: { type: "string", enum: ["a", "b"] },
        name: { type: "string", minLength: 2, maxLength: 4 },
        tags: { type: "array", minItems: 1, maxItems: 2, items: { type: "string" } },
        port: { "x-kubernetes-int-or-string": true },
        note: { type: "string", nullable: true },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        enabled: { type: "boolean" },
      },
    },
  },
};

const lines = (spec: Record<string, unknown>) => validateAgainstSchema(schema, { spec: { cronSpec: "1", ...spec } }).map((c) => `${c.field}: ${c.message}`);

describe("schema validation", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["valid", { replicas: 3, ratio: 0.5, mode: "a", name: "abc", tags: ["x"], port: "http", note: null, free: { any: { thing: 1 } }, labels: { a: "b" }, enabled: true }, []],
    ["integer given a string", { replicas: "three" }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    ["integer given a fraction", { replicas: 1.5 }, ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']],
    ["below minimum", { replicas: 0 }, ["spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"]],
    ["above maximum", { replicas: 11 }, ["spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"]],
    ["exclusive minimum", { ratio: 0 }, ["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"]],
    ["enum", { mode: "c" }, ['spec.mode: Unsupported value: "c": supported values: "a", "b"']],
    ["pattern", { cronSpec: "x" }, ["spec.cronSpec: Invalid value: \"x\": spec.cronSpec in body should match '^\\d+$'"]],
    ["minLength", { name: "a" }, ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']],
    ["maxLength", { name: "abcde" }, ["spec.name: Too long: must have at most 4 bytes"]],
    ["minItems", { tags: [] }, ["spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"]],
    ["maxItems", { tags: ["a", "b", "c"] }, ["spec.tags: Too many: 3: must have at most 2 items"]],
    ["item type", { tags: [1] }, ['spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer"']],
    ["int-or-string", { port: 8080 }, []],
    ["int-or-string given a bool", { port: true }, ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']],
    ["null where not nullable", { name: null }, ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"']],
    ["map values", { labels: { a: 1 } }, ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']],
    ["boolean", { enabled: "yes" }, ['spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string"']],
  ];
  for (const [name, spec, want] of cases) it(name, () => expect(lines(spec)).toEqual(want));

  it("reports a required field that is missing", () => {
    expect(validateAgainstSchema(schema, { spec: {} }).map((c) => `${c.field}: ${c.message}`)).toEqual(["spec.cronSpec: Required value"]);
  });

  it("does not descend into a value of the wrong type", () => {
    expect(validateAgainstSchema(schema, { spec: "x" }).map((c) => c.field)).toEqual(["spec"]);
  });
});

describe("pruning", () => {
  it("drops unknown fields, keeps type meta, metadata and preserved subtrees, and reports the paths", () => {
    const obj = { apiVersion: "v1", kind: "K", metadata: { name: "n", anything: 1 }, spec: { cronSpec: "1", bogus: 1, free: { x: { y: 1 } }, labels: { a: "b" } }, top: 1 };
    expect(prune(schema, obj)).toEqual(["spec.bogus", "top"]);
    expect(obj).toEqual({ apiVersion: "v1", kind: "K", metadata: { name: "n", anything: 1 }, spec: { cronSpec: "1", free: { x: { y: 1 } }, labels: { a: "b" } } });
  });

  it("prunes inside array items and keeps an embedded resource's type meta", () => {
    const s: JSONSchemaProps = { type: "object", properties: { items: { type: "array", items: { type: "object", properties: { a: { type: "string" } } } }, embedded: { type: "object", "x-kubernetes-embedded-resource": true, properties: { spec: { type: "object" } } } } };
    const obj = { items: [{ a: "x", b: 1 }], embedded: { apiVersion: "v1", kind: "Pod", metadata: {}, spec: {}, other: 1 } };
    expect(prune(s, obj)).toEqual(["items[0].b", "embedded.other"]);
    expect(obj.embedded).toEqual({ apiVersion: "v1", kind: "Pod", metadata: {}, spec: {} });
  });
});

describe("defaulting", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        default: {},
        properties: {
          replicas: { type: "integer", default: 1 },
          mode: { type: "string", default: "a" },
          ports: { type: "array", items: { type: "object", properties: { protocol: { type: "string", default: "TCP" } } } },
          note: { type: "string", nullable: true, default: "n" },
        },
      },
    },
  };
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["fills absent fields, outermost first", {}, { spec: { replicas: 1, mode: "a", note: "n" } }],
    ["keeps what was sent", { spec: { replicas: 3 } }, { spec: { replicas: 3, mode: "a", note: "n" } }],
    ["a null where null is not allowed counts as absent", { spec: { replicas: null } }, { spec: { replicas: 1, mode: "a", note: "n" } }],
    ["a null that is allowed stays", { spec: { note: null } }, { spec: { replicas: 1, mode: "a", note: null } }],
    ["inside array items", { spec: { ports: [{}, { protocol: "UDP" }] } }, { spec: { replicas: 1, mode: "a", note: "n", ports: [{ protocol: "TCP" }, { protocol: "UDP" }] } }],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      const obj = structuredClone(input);
      applyDefaults(s, obj);
      expect(obj).toEqual(want);
    });
  }
});
