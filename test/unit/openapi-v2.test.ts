// /openapi/v2 in gnostic's protobuf encoding, read back with a generic protobuf walker
// that knows nothing of our field table: only the field numbers of gnostic's
// OpenAPIv2.proto, as kubectl's decoder knows them. Extensions are read with a YAML
// parser, as kube-openapi reads them. Also the Accept negotiation.
import { describe, it, expect } from "vitest";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { parse as parseYaml } from "yaml";
import { swaggerDocument } from "../../src/api/openapi-v2-schema";
import { encodeOpenAPIv2 } from "../../src/api/openapi-v2-proto";
import { negotiateOpenAPIv2 } from "../../src/api/openapi-v2";

/** One decoded message: field number -> the values met, in order (bytes for length-delimited). */
type Msg = Map<number, (Uint8Array | bigint | number)[]>;

function walk(bytes: Uint8Array): Msg {
  const r = new BinaryReader(bytes);
  const out: Msg = new Map();
  while (r.pos < r.len) {
    const [n, wt] = r.tag();
    const v = wt === WireType.LengthDelimited ? r.bytes() : wt === WireType.Varint ? BigInt(r.uint64()) : wt === WireType.Bit64 ? r.double() : undefined;
    if (v === undefined) throw new Error(`unexpected wire type ${wt} for field ${n}`);
    out.set(n, [...(out.get(n) ?? []), v]);
  }
  return out;
}

const all = (m: Msg, n: number) => (m.get(n) ?? []).map((v) => walk(v as Uint8Array));
const one = (m: Msg, n: number): Msg => {
  const v = m.get(n);
  expect(v, `field ${n}`).toHaveLength(1);
  return walk(v![0] as Uint8Array);
};
const text = (m: Msg, n: number): string | undefined => {
  const v = m.get(n);
  return v ? new TextDecoder().decode(v[v.length - 1] as Uint8Array) : undefined;
};
const texts = (m: Msg, n: number) => (m.get(n) ?? []).map((v) => new TextDecoder().decode(v as Uint8Array));

// gnostic's numbers: Document 8 paths, 9 definitions; Named* 1 name, 2 value;
// Schema 1 _ref, 4 description, 19 required, 21 additionalProperties, 22 type, 23 items,
// 25 properties, 31 vendor_extension; NamedAny 2 value -> Any 2 yaml.
const SCHEMA = { ref: 1, description: 4, type: 22, items: 23, additionalProperties: 21, properties: 25, vendor: 31 };

/** name -> value message, for the repeated Named<X> entries of a map message. */
function namedMap(m: Msg, n: number): Map<string, Msg> {
  return new Map(all(m, n).map((e) => [text(e, 1)!, one(e, 2)]));
}

function extensions(m: Msg, n: number): Record<string, unknown> {
  return Object.fromEntries(all(m, n).map((e) => [text(e, 1)!, parseYaml(text(one(e, 2), 2)!) as unknown]));
}

const doc = swaggerDocument();
const bytes = encodeOpenAPIv2(doc);
const top = walk(bytes);
const definitions = namedMap(one(top, 9), 1);

describe("openapi v2 in protobuf", () => {
  it("is a Swagger 2.0 Document with every definition of the JSON document", () => {
    expect(text(top, 1)).toBe("2.0");
    expect(text(one(top, 2), 1)).toBe("Kubernetes");
    expect([...definitions.keys()]).toEqual(Object.keys(doc.definitions as object));
    expect(definitions.size).toBeGreaterThan(80);
  });

  it("describes a kind: type object, its fields, references by #/definitions/, its group-version-kind", () => {
    const pod = definitions.get("io.k8s.api.core.v1.Pod")!;
    expect(texts(one(pod, SCHEMA.type), 1)).toEqual(["object"]);
    expect(text(pod, SCHEMA.description)).toMatch(/smallest thing Kubernetes runs/);
    expect(extensions(pod, SCHEMA.vendor)["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
    const props = namedMap(one(pod, SCHEMA.properties), 1);
    expect([...props.keys()]).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
    const spec = props.get("spec")!;
    expect(text(spec, SCHEMA.ref)).toBe("#/definitions/io.k8s.api.core.v1.PodSpec");
    // A reference carries no type: kube-openapi rejects a $ref with one.
    expect(spec.get(SCHEMA.type)).toBeUndefined();
    expect(text(spec, SCHEMA.description)).toMatch(/desired behaviour/);
  });

  it("carries the list and patch keys kubectl merges by", () => {
    const podSpec = namedMap(one(definitions.get("io.k8s.api.core.v1.PodSpec")!, SCHEMA.properties), 1);
    const containers = podSpec.get("containers")!;
    expect(texts(one(containers, SCHEMA.type), 1)).toEqual(["array"]);
    const items = all(one(containers, SCHEMA.items), 1);
    expect(items).toHaveLength(1);
    expect(text(items[0], SCHEMA.ref)).toBe("#/definitions/io.k8s.api.core.v1.Container");
    expect(extensions(containers, SCHEMA.vendor)).toEqual({
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "name",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    });
    const ports = namedMap(one(definitions.get("io.k8s.api.core.v1.Container")!, SCHEMA.properties), 1).get("ports")!;
    expect(extensions(ports, SCHEMA.vendor)["x-kubernetes-list-map-keys"]).toEqual(["containerPort", "protocol"]);
    // A map of strings: type object with additionalProperties {type string}.
    const labels = namedMap(one(definitions.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")!, SCHEMA.properties), 1).get("labels")!;
    expect(texts(one(labels, SCHEMA.type), 1)).toEqual(["object"]);
    expect(texts(one(one(one(labels, SCHEMA.additionalProperties), 1), SCHEMA.type), 1)).toEqual(["string"]);
  });

  it("publishes scalars as strings with a format, as v2 has no oneOf", () => {
    const ios = definitions.get("io.k8s.apimachinery.pkg.util.intstr.IntOrString")!;
    expect(texts(one(ios, SCHEMA.type), 1)).toEqual(["string"]);
    expect(text(ios, 2)).toBe("int-or-string");
    expect(ios.get(SCHEMA.properties)).toBeUndefined();
  });

  it("resolves every reference to a definition of the document", () => {
    const refs: string[] = [];
    const visit = (s: Msg) => {
      const ref = text(s, SCHEMA.ref);
      if (ref) refs.push(ref);
      if (s.has(SCHEMA.properties)) for (const p of namedMap(one(s, SCHEMA.properties), 1).values()) visit(p);
      if (s.has(SCHEMA.items)) all(one(s, SCHEMA.items), 1).forEach(visit);
      if (s.has(SCHEMA.additionalProperties)) all(one(s, SCHEMA.additionalProperties), 1).forEach(visit);
    };
    definitions.forEach(visit);
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of refs) {
      expect(ref.startsWith("#/definitions/"), ref).toBe(true);
      expect(definitions.has(ref.slice("#/definitions/".length)), ref).toBe(true);
    }
  });

  it("has a patch operation per kind with its group-version-kind and the fieldValidation query parameter", () => {
    const paths = namedMap(one(top, 8), 2);
    const deploy = paths.get("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")!;
    const patch = one(deploy, 8);
    expect(text(patch, 5)).toBe("patchAppsV1NamespacedDeployment");
    expect(extensions(patch, 13)["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    // Operation 8 parameters -> ParametersItem 1 parameter -> Parameter 2 non_body -> NonBodyParameter 3 query -> 4 name.
    const queries = all(patch, 8).map((p) => one(one(one(p, 1), 2), 3));
    expect(queries.map((q) => text(q, 4))).toContain("fieldValidation");
    expect(queries.every((q) => text(q, 2) === "query")).toBe(true);
    // Responses 1 NamedResponseValue -> ResponseValue 1 Response -> 2 SchemaItem -> 1 Schema.
    const ok = namedMap(one(patch, 9), 1).get("200")!;
    expect(text(one(one(one(ok, 1), 2), 1), SCHEMA.ref)).toBe("#/definitions/io.k8s.api.apps.v1.Deployment");
    // Cluster-scoped kinds have no namespace in their path.
    expect(paths.has("/api/v1/nodes/{name}")).toBe(true);
    expect(paths.size).toBe(Object.keys(doc.paths as object).length);
  });

  it("refuses a key it has no field for, rather than dropping it", () => {
    expect(() => encodeOpenAPIv2({ swagger: "2.0", definitions: { X: { type: "object", oneOf: [] } } })).toThrow(/Schema has no field for .*oneOf/);
  });
});

describe("openapi v2 negotiation", () => {
  it("picks what the Accept header prefers, JSON for anything", () => {
    expect(negotiateOpenAPIv2("application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).toBe("application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    expect(negotiateOpenAPIv2("application/com.github.proto-openapi.spec.v2.v1.0+protobuf, application/json")).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    expect(negotiateOpenAPIv2("application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf")).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    expect(negotiateOpenAPIv2("application/json, */*")).toBe("application/json");
    expect(negotiateOpenAPIv2(undefined)).toBe("application/json");
    expect(negotiateOpenAPIv2("text/html")).toBeUndefined();
  });
});
