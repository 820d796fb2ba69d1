// CustomResourceDefinition validation (apiextensions-apiserver's validation.go): the
// name is plural.group, one storage version, versions served and named as DNS-1035
// labels, the scope, the names, the printer columns and subresources, and each
// version's schema structural. Messages in the API server's words.
import type { StatusCause } from "./types";
import type { CRDNames, CRDVersion, CustomResourceDefinition, JSONSchemaProps, PrinterColumn } from "./crd-types";
import { child, forbidden, GoRepr, index, invalidField, notSupported, required } from "./field-errors";
import { isDNS1123Subdomain } from "./name-rules";
import { nameIsDNS1035Label } from "./name-rules";

const SCOPES = ["Cluster", "Namespaced"];
const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];
const SCHEMA_TYPES = ["array", "boolean", "integer", "number", "object", "string"];

/** %#v of the versions, shortened to what tells them apart. */
function versionsRepr(versions: CRDVersion[]): GoRepr {
  const one = (v: CRDVersion) => `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v.name ?? "")}, Served:${!!v.served}, Storage:${!!v.storage}}`;
  return new GoRepr(`[]apiextensions.CustomResourceDefinitionVersion{${versions.map(one).join(", ")}}`);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The JSON shapes the rules below read: a body that would not decode gets only these. */
function shapeErrors(crd: CustomResourceDefinition): StatusCause[] {
  const spec: unknown = crd.spec;
  if (!isMap(spec)) return [required("spec")];
  const errs: StatusCause[] = [];
  if (!isMap(spec.names)) errs.push(required("spec.names"));
  if (!Array.isArray(spec.versions)) errs.push(invalidField("spec.versions", JSON.stringify(spec.versions ?? null), "must be a list of versions"));
  else {
    for (const [i, v] of (spec.versions as unknown[]).entries()) {
      if (!isMap(v)) errs.push(invalidField(index("spec.versions", i), JSON.stringify(v), "must be an object"));
      else if (v.schema !== undefined && (!isMap(v.schema) || (v.schema.openAPIV3Schema !== undefined && !isMap(v.schema.openAPIV3Schema)))) {
        errs.push(invalidField(child(index("spec.versions", i), "schema"), JSON.stringify(v.schema), "must be an object"));
      } else if (v.additionalPrinterColumns !== undefined && (!Array.isArray(v.additionalPrinterColumns) || !v.additionalPrinterColumns.every(isMap))) {
        errs.push(invalidField(child(index("spec.versions", i), "additionalPrinterColumns"), JSON.stringify(v.additionalPrinterColumns), "must be a list of columns"));
      }
    }
  }
  return errs;
}

export function validateCustomResourceDefinition(crd: CustomResourceDefinition, old?: CustomResourceDefinition): StatusCause[] {
  const shape = shapeErrors(crd);
  if (shape.length) return shape;
  const errs: StatusCause[] = [];
  const spec = crd.spec;
  const names = spec.names;
  const expected = `${names.plural ?? ""}.${spec.group ?? ""}`;
  if (crd.metadata.name !== expected) errs.push(invalidField("metadata.name", crd.metadata.name ?? "", 'must be spec.names.plural+"."+spec.group'));

  if (!spec.group) errs.push(required("spec.group"));
  else {
    for (const msg of isDNS1123Subdomain(spec.group)) errs.push(invalidField("spec.group", spec.group, msg));
    if (spec.group.split(".").length < 2) errs.push(invalidField("spec.group", spec.group, "should be a domain with at least one dot"));
  }
  if (!SCOPES.includes(spec.scope)) errs.push(notSupported("spec.scope", spec.scope ?? "", SCOPES));

  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push(required("spec.versions", "must have at least one version"));
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  for (const [i, v] of versions.entries()) {
    const path = index("spec.versions", i);
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    for (const msg of nameIsDNS1035Label(v.name ?? "", false)) errs.push(invalidField(child(path, "name"), v.name ?? "", msg));
    errs.push(...validateVersionSchema(v, path));
    errs.push(...validateColumns(v.additionalPrinterColumns ?? [], child(path, "additionalPrinterColumns")));
    const scale = v.subresources?.scale;
    if (scale) {
      const sp = child(path, "subresources", "scale");
      for (const f of ["specReplicasPath", "statusReplicasPath"] as const) {
        if (!scale[f]) errs.push(required(child(sp, f)));
      }
      if (scale.specReplicasPath && !scale.specReplicasPath.startsWith(".spec.")) errs.push(invalidField(child(sp, "specReplicasPath"), scale.specReplicasPath, "should be a json path under .spec"));
      if (scale.statusReplicasPath && !scale.statusReplicasPath.startsWith(".status.")) errs.push(invalidField(child(sp, "statusReplicasPath"), scale.statusReplicasPath, "should be a json path under .status"));
      if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) errs.push(invalidField(child(sp, "labelSelectorPath"), scale.labelSelectorPath, "should be a json path under either .spec or .status"));
    }
  }
  if (!unique) errs.push(invalidField("spec.versions", versionsRepr(versions), "must contain unique version names"));
  if (versions.length > 0 && storage !== 1) errs.push(invalidField("spec.versions", versionsRepr(versions), "must have exactly one version marked as storage version"));
  if (versions.length > 0 && !versions.some((v) => v.served)) errs.push(invalidField("spec.versions", versionsRepr(versions), "must have at least one version marked as served"));

  errs.push(...validateNames(names, "spec.names"));
  const strategy = spec.conversion?.strategy ?? "None";
  if (strategy !== "None" && strategy !== "Webhook") errs.push(notSupported("spec.conversion.strategy", strategy, ["None", "Webhook"]));
  if (strategy === "Webhook") errs.push(forbidden("spec.conversion.strategy", "conversion webhooks are not supported by this server"));
  if (spec.preserveUnknownFields) errs.push(invalidField("spec.preserveUnknownFields", true, "must be false in order to use defaults in the schema"));

  if (old) {
    if (spec.scope !== old.spec.scope) errs.push(invalidField("spec.scope", spec.scope, "field is immutable"));
  }
  const stored = crd.status?.storedVersions ?? [];
  for (const [i, s] of stored.entries()) {
    if (!versions.some((v) => v.name === s)) errs.push(invalidField(index("status.storedVersions", i), s, "must appear in spec.versions"));
  }
  return errs;
}

function validateNames(names: CRDNames, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const lowerLabel = (value: string | undefined, field: string, mixedCase = false) => {
    if (!value) return;
    const msgs = nameIsDNS1035Label(mixedCase ? value.toLowerCase() : value, false);
    if (msgs.length) errs.push(invalidField(child(path, field), value, mixedCase ? `may have mixed case, but should otherwise match: ${msgs.join(",")}` : msgs.join(",")));
  };
  if (!names.plural) errs.push(required(child(path, "plural")));
  lowerLabel(names.plural, "plural");
  if (!names.singular) errs.push(required(child(path, "singular")));
  lowerLabel(names.singular, "singular");
  if (!names.kind) errs.push(required(child(path, "kind")));
  lowerLabel(names.kind, "kind", true);
  if (!names.listKind) errs.push(required(child(path, "listKind")));
  lowerLabel(names.listKind, "listKind", true);
  if (names.kind && names.kind === names.listKind) errs.push(invalidField(child(path, "listKind"), names.listKind, "kind and listKind may not be the same"));
  for (const [i, s] of (names.shortNames ?? []).entries()) {
    for (const msg of nameIsDNS1035Label(s, false)) errs.push(invalidField(index(child(path, "shortNames"), i), s, msg));
  }
  for (const [i, c] of (names.categories ?? []).entries()) {
    for (const msg of nameIsDNS1035Label(c, false)) errs.push(invalidField(index(child(path, "categories"), i), c, msg));
  }
  return errs;
}

function validateColumns(columns: PrinterColumn[], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [i, c] of columns.entries()) {
    const p = index(path, i);
    if (!c.name) errs.push(required(child(p, "name")));
    if (!c.type) errs.push(required(child(p, "type")));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(notSupported(child(p, "type"), c.type, COLUMN_TYPES));
    if (!c.jsonPath) errs.push(required(child(p, "JSONPath")));
    else if (!/^\.[A-Za-z0-9_$.[\]-]*$/.test(c.jsonPath)) errs.push(invalidField(child(p, "JSONPath"), c.jsonPath, "must be a simple json path starting with ."));
    if (c.priority !== undefined && c.priority < 0) errs.push(invalidField(child(p, "priority"), c.priority, "must be greater than or equal to 0"));
  }
  return errs;
}

function validateVersionSchema(v: CRDVersion, path: string): StatusCause[] {
  const schema = v.schema?.openAPIV3Schema;
  const p = child(path, "schema", "openAPIV3Schema");
  if (!schema) return [required(p, "schemas are required")];
  const errs: StatusCause[] = [];
  if (!schema.type) errs.push(required(child(p, "type"), "must not be empty at the root"));
  else if (schema.type !== "object") errs.push(invalidField(child(p, "type"), schema.type, "must be object at the root"));
  const meta = schema.properties?.metadata;
  if (meta) {
    const mp = `${p}.properties[metadata]`;
    if (meta.type !== "object") errs.push(invalidField(child(mp, "type"), meta.type ?? "", "must be object"));
    const extra = Object.keys(meta.properties ?? {}).filter((k) => k !== "name" && k !== "generateName");
    if (extra.length || meta.required?.length || meta.additionalProperties !== undefined) {
      errs.push(forbidden(mp, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
    }
  }
  structural(schema, p, true, errs);
  return errs;
}

/** The structural schema rules: every specified field has a type, no ambiguity. */
function structural(s: JSONSchemaProps, path: string, root: boolean, errs: StatusCause[]): void {
  const raw: unknown = s;
  if (!isMap(raw)) {
    errs.push(invalidField(path, JSON.stringify(s), "must be a schema object"));
    return;
  }
  const props: unknown = s.properties;
  if (props !== undefined && !isMap(props)) {
    errs.push(invalidField(child(path, "properties"), JSON.stringify(s.properties), "must be a map of schemas"));
    return;
  }
  const intOrString = !!s["x-kubernetes-int-or-string"];
  const preserve = s["x-kubernetes-preserve-unknown-fields"];
  if (preserve === false) errs.push(invalidField(child(path, "x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"));
  if (intOrString && s.type) errs.push(invalidField(child(path, "type"), s.type, "must be empty if x-kubernetes-int-or-string is true"));
  if (!root && !s.type && !intOrString && !preserve) errs.push(required(child(path, "type"), "must not be empty for specified object fields"));
  if (s.type && !SCHEMA_TYPES.includes(s.type)) errs.push(notSupported(child(path, "type"), s.type, SCHEMA_TYPES));
  if (s.type === "array" && !s.items) errs.push(required(child(path, "items"), "must be specified"));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(forbidden(child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"));
  }
  if (s.additionalProperties === false) errs.push(forbidden(child(path, "additionalProperties"), "must not be false"));
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, "u");
    } catch {
      errs.push(invalidField(child(path, "pattern"), s.pattern, "must be a valid regular expression"));
    }
  }
  if (root && s.default !== undefined) errs.push(forbidden(child(path, "default"), "must not be set at the root"));
  for (const [k, prop] of Object.entries(s.properties ?? {})) structural(prop, `${path}.properties[${k}]`, false, errs);
  if (s.items) structural(s.items, child(path, "items"), false, errs);
  if (s.additionalProperties && typeof s.additionalProperties === "object") structural(s.additionalProperties, child(path, "additionalProperties"), false, errs);
}
