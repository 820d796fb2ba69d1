// CustomResourceDefinition validation and naming, as the apiextensions server words them.
import { describe, it, expect } from "vitest";
import { validateCustomResourceDefinition } from "../../src/model/validate-crd";
import { calculateNames } from "../../src/model/crd-names";
import { compareKubeVersions, CustomResourceCatalog } from "../../src/model/custom-resources";
import { evalSimpleJsonPath, setSimpleJsonPath } from "../../src/model/simple-jsonpath";
import type { CustomResourceDefinition, JSONSchemaProps } from "../../src/model/crd-types";

function crd(mutate: (c: CustomResourceDefinition) => void = () => {}): CustomResourceDefinition {
  const c: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "crontabs.stable.example.com" },
    spec: {
      group: "stable.example.com",
      scope: "Namespaced",
      names: { plural: "crontabs", singular: "crontab", kind: "CronTab", listKind: "CronTabList", shortNames: ["ct"] },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { x: { type: "string" } } } } } } }],
    },
  };
  mutate(c);
  return c;
}

const lines = (c: CustomResourceDefinition) => validateCustomResourceDefinition(c).map((e) => `${e.field}: ${e.message}`);
const schemaOf = (c: CustomResourceDefinition) => c.spec.versions[0].schema!.openAPIV3Schema as JSONSchemaProps;

describe("CRD validation", () => {
  const cases: [string, (c: CustomResourceDefinition) => void, string][] = [
    ["name must be plural.group", (c) => (c.metadata.name = "x"), 'metadata.name: Invalid value: "x": must be spec.names.plural+"."+spec.group'],
    ["group with a dot", (c) => ((c.spec.group = "example"), (c.metadata.name = "crontabs.example")), 'spec.group: Invalid value: "example": should be a domain with at least one dot'],
    ["scope", (c) => (c.spec.scope = "Global"), 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
    ["two storage versions", (c) => c.spec.versions.push({ ...c.spec.versions[0], name: "v2" }), "must have exactly one version marked as storage version"],
    ["no storage version", (c) => (c.spec.versions[0].storage = false), "must have exactly one version marked as storage version"],
    ["nothing served", (c) => (c.spec.versions[0].served = false), "must have at least one version marked as served"],
    ["unique versions", (c) => c.spec.versions.push({ ...c.spec.versions[0], storage: false }), "must contain unique version names"],
    ["version name", (c) => (c.spec.versions[0].name = "V1"), "spec.versions[0].name: Invalid value: \"V1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
    ["schema required", (c) => delete c.spec.versions[0].schema, "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"],
    ["root type", (c) => delete schemaOf(c).type, "spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root"],
    ["field type", (c) => delete schemaOf(c).properties!.spec.properties!.x.type, "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[x].type: Required value: must not be empty for specified object fields"],
    ["array items", (c) => (schemaOf(c).properties!.spec.properties!.x = { type: "array" }), "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[x].items: Required value: must be specified"],
    ["preserve false", (c) => (schemaOf(c)["x-kubernetes-preserve-unknown-fields"] = false), "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"],
    ["int-or-string with a type", (c) => (schemaOf(c).properties!.spec.properties!.x = { type: "string", "x-kubernetes-int-or-string": true }), 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[x].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true'],
    ["metadata beyond name", (c) => (schemaOf(c).properties!.metadata = { type: "object", properties: { labels: { type: "object" } } }), "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"],
    ["column type", (c) => (c.spec.versions[0].additionalPrinterColumns = [{ name: "X", type: "str", jsonPath: ".spec.x" }]), 'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "str": supported values: "boolean", "date", "integer", "number", "string"'],
    ["kind and listKind", (c) => (c.spec.names.listKind = "CronTab"), 'spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same'],
    ["scale paths", (c) => (c.spec.versions[0].subresources = { scale: { specReplicasPath: ".status.x", statusReplicasPath: ".status.y" } }), 'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.x": should be a json path under .spec'],
  ];
  it("accepts the documentation's CRD", () => expect(lines(crd())).toEqual([]));
  for (const [name, mutate, want] of cases) {
    it(name, () => expect(lines(crd(mutate)).some((l) => l === want || l.endsWith(want))).toBe(true));
  }
});

describe("CRD names", () => {
  const accepted = (c: CustomResourceDefinition) => {
    c.status = { acceptedNames: { ...c.spec.names }, conditions: [{ type: "Established", status: "True" }] };
    return c;
  };
  it("accepts names nobody else has", () => {
    expect(calculateNames(crd(), [])).toMatchObject({ namesAccepted: { status: "True", reason: "NoConflicts", message: "no conflicts found" }, acceptedNames: { plural: "crontabs", kind: "CronTab" } });
  });
  it("refuses a plural, short name or kind another CRD of the group has, keeping what it had", () => {
    const first = accepted(crd());
    const plural = calculateNames(crd((c) => (c.metadata.name = "other")), [first]);
    expect(plural.namesAccepted).toMatchObject({ status: "False", reason: "PluralConflict", message: '"crontabs" is already in use' });
    expect(plural.acceptedNames.plural).toBe("");
    const short = calculateNames(crd((c) => ((c.metadata.name = "b.stable.example.com"), (c.spec.names = { plural: "b", singular: "b", kind: "B", listKind: "BList", shortNames: ["ct"] }))), [first]);
    expect(short.namesAccepted).toMatchObject({ reason: "ShortNamesConflict", message: '"ct" is already in use' });
    const kind = calculateNames(crd((c) => ((c.metadata.name = "c.stable.example.com"), (c.spec.names = { plural: "c", singular: "c", kind: "CronTab", listKind: "CList" }))), [first]);
    expect(kind.namesAccepted).toMatchObject({ reason: "KindConflict", message: '"CronTab" is already in use' });
    // Another group is no conflict.
    expect(calculateNames(crd((c) => ((c.spec.group = "other.example.com"), (c.metadata.name = "crontabs.other.example.com"))), [first]).namesAccepted.status).toBe("True");
  });
  it("refuses a built-in resource's name in its group", () => {
    const apps = crd((c) => ((c.spec.group = "apps"), (c.spec.names.plural = "deployments")));
    expect(calculateNames(apps, []).namesAccepted).toMatchObject({ reason: "PluralConflict", message: '"deployments" is already in use' });
  });
  it("serves only established CRDs, by accepted names, with the schema reachable by group, version and kind", () => {
    const catalog = new CustomResourceCatalog([accepted(crd()), crd((c) => (c.metadata.name = "pending"))]);
    expect(catalog.all().map((t) => t.storageKey)).toEqual(["crontabs.stable.example.com"]);
    expect(catalog.find("stable.example.com", "v1", "crontabs")?.kind).toBe("CronTab");
    expect(catalog.find("stable.example.com", "v2", "crontabs")).toBeUndefined();
    expect(catalog.schemaFor("stable.example.com", "v1", "CronTab")?.properties?.spec.type).toBe("object");
  });
});

describe("helpers", () => {
  it("orders versions as Kubernetes prefers them", () => {
    expect(["v1alpha1", "v2beta1", "foo", "v1", "v1beta2", "v2", "v1beta1"].sort(compareKubeVersions)).toEqual(["v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1", "foo"]);
  });
  it("reads and writes the JSONPath subset of printer columns and scale", () => {
    const obj = { spec: { items: [{ n: 1 }] }, metadata: { name: "x" } };
    expect(evalSimpleJsonPath(obj, ".spec.items[0].n")).toBe(1);
    expect(evalSimpleJsonPath(obj, "{.metadata.name}")).toBe("x");
    expect(evalSimpleJsonPath(obj, ".spec.missing.deeper")).toBeUndefined();
    expect(evalSimpleJsonPath(obj, "spec")).toBeUndefined();
    const target: Record<string, unknown> = {};
    expect(setSimpleJsonPath(target, ".spec.replicas", 3)).toBe(true);
    expect(target).toEqual({ spec: { replicas: 3 } });
  });
});
