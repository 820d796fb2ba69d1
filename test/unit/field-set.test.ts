// Field sets in FieldsV1 form: the set algebra, and an object's fields along its schema
// (list-maps by key, sets by value, atomic values whole, unknown kinds deduced).
import { describe, it, expect } from "vitest";
import { difference, has, insert, intersection, members, normalize, pathString, union, type FieldSet } from "../../src/model/field-set";
import { fieldSetOf, compareFields } from "../../src/model/field-walk";
import { schemaFor } from "../../src/model/field-schema";

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "u", resourceVersion: "5", labels: { app: "web" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }], args: ["-g", "daemon off;"] }],
        tolerations: [{ key: "k", operator: "Exists" }],
      },
    },
  },
};

describe("set algebra", () => {
  const a: FieldSet = { "f:spec": { "f:replicas": {}, "f:paused": {} }, "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } };
  const b: FieldSet = { "f:spec": { "f:replicas": {} }, "f:metadata": { "f:labels": { "f:app": {} } } };
  const cases: [string, FieldSet, FieldSet][] = [
    ["union adds members and keeps the node marker", union(b, { "f:spec": { "f:paused": {} } }), { "f:spec": { "f:paused": {}, "f:replicas": {} }, "f:metadata": { "f:labels": { "f:app": {} } } }],
    ["difference takes B's members only, not the node it does not own", difference(a, b), { "f:spec": { "f:paused": {} }, "f:metadata": { "f:labels": {} } }],
    ["intersection keeps what both own", intersection(a, b), { "f:spec": { "f:replicas": {} }, "f:metadata": { "f:labels": { "f:app": {} } } }],
    ["a leaf owned whole meets its children", union({ "f:a": {} }, { "f:a": { "f:b": {} } }), { "f:a": { ".": {}, "f:b": {} } }],
    ["difference with everything is empty", difference(a, a), {}],
  ];
  it.each(cases)("%s", (_name, got, want) => expect(got).toEqual(want));

  it("answers membership, inserts paths and lists members", () => {
    expect(has(a, ["f:metadata", "f:labels"])).toBe(true);
    expect(has(b, ["f:metadata", "f:labels"])).toBe(false);
    expect(has(b, ["f:spec"])).toBe(false);
    const s = insert({}, ["f:spec", 'k:{"name":"x"}', "f:image"]);
    expect(members(s)).toEqual([["f:spec", 'k:{"name":"x"}', "f:image"]]);
  });

  it("orders elements as upstream serialises them, the node marker first", () => {
    expect(JSON.stringify(normalize({ "f:b": {}, "f:a": { "f:z": {}, ".": {}, "f:y": {} } }))).toBe('{"f:a":{".":{},"f:y":{},"f:z":{}},"f:b":{}}');
  });

  it.each([
    [["f:spec", "f:replicas"], ".spec.replicas"],
    [["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"], '.spec.template.spec.containers[name="nginx"].image'],
    [["f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}'], '.spec.ports[port=80,protocol="TCP"]'],
    [["f:metadata", "f:finalizers", 'v:"a/b"'], '.metadata.finalizers[="a/b"]'],
  ])("prints %j as %s", (path, text) => expect(pathString(path)).toBe(text));
});

describe("the fields of an object", () => {
  it("walks a Deployment along its schema", () => {
    expect(fieldSetOf(deployment, schemaFor("deployments.apps"))).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {}, // LabelSelector is atomic
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:name": {},
                "f:image": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
                "f:args": {}, // an atomic list
              },
            },
            "f:tolerations": {},
          },
        },
      },
    });
  });

  it("owns finalizers one by one and an empty map whole", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", finalizers: ["a", "b"], annotations: {} }, data: { k: "v" } };
    expect(fieldSetOf(cm, schemaFor("configmaps"))).toEqual({ "f:metadata": { "f:finalizers": { 'v:"a"': {}, 'v:"b"': {} }, "f:annotations": {} }, "f:data": { "f:k": {} } });
  });

  it("deduces a kind without a schema: maps granular, lists atomic", () => {
    expect(fieldSetOf({ spec: { a: { b: 1 }, l: [{ name: "x" }] } }, schemaFor("no-such-resource"))).toEqual({ "f:spec": { "f:a": { "f:b": {} }, "f:l": {} } });
  });
});

describe("what changed", () => {
  const schema = schemaFor("deployments.apps");
  it("on create: everything, open maps and list items owned as nodes too", () => {
    const { changed, removed } = compareFields(undefined, deployment, schema);
    expect(removed).toEqual({});
    expect(changed["f:metadata"]).toEqual({ "f:labels": { ".": {}, "f:app": {} } });
    expect(has(changed, ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}'])).toBe(true);
    expect(has(changed, ["f:spec"])).toBe(false);
  });

  it("on update: modified and added fields, removed items whole", () => {
    const next = structuredClone(deployment);
    next.spec.replicas = 3;
    next.spec.template.spec.containers = [{ name: "envoy", image: "envoy", ports: [], args: [] }];
    const { changed, removed } = compareFields(deployment, next, schema);
    expect(members(changed).map(pathString)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="envoy"]', '.spec.template.spec.containers[name="envoy"].name', '.spec.template.spec.containers[name="envoy"].image', '.spec.template.spec.containers[name="envoy"].ports', '.spec.template.spec.containers[name="envoy"].args']);
    expect(has(removed, ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"])).toBe(true);
    expect(has(removed, ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}'])).toBe(true);
  });

  it("nothing when nothing changed but server metadata", () => {
    const next = structuredClone(deployment);
    next.metadata.resourceVersion = "6";
    expect(compareFields(deployment, next, schema)).toEqual({ changed: {}, removed: {} });
  });
});
