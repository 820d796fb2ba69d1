// A CustomResourceDefinition's structural schema as server-side apply sees it (the
// nodes of field-schema.ts), the way upstream converts openAPIV3Schema to a
// structured-merge-diff schema: objects with properties are structs owned field by
// field; additionalProperties make a granular map; x-kubernetes-list-type map|set|atomic
// decides a list (atomic when unset, as for every CRD list); x-kubernetes-map-type
// atomic, and a preserve-unknown-fields object without properties, are taken whole or
// deduced. metadata is the built-in ObjectMeta's.
import type { JSONSchemaProps } from "./crd-types";
import { DEDUCED, schemaFor, type SchemaNode } from "./field-schema";
import { storageKey, type ResourceInfo } from "./resources";

const SCALAR: SchemaNode = { t: "scalar" };
const ATOMIC: SchemaNode = { t: "atomic" };

function nodeOf(s: JSONSchemaProps | undefined): SchemaNode {
  if (!s) return DEDUCED;
  if (s["x-kubernetes-int-or-string"]) return SCALAR;
  if (s.type === "array") {
    switch (s["x-kubernetes-list-type"]) {
      case "map":
        return { t: "listMap", keys: [...(s["x-kubernetes-list-map-keys"] ?? [])].sort(), defaults: {}, item: nodeOf(s.items) };
      case "set":
        return { t: "set" };
      default:
        return ATOMIC;
    }
  }
  if (s.type === "object" || s.properties || s.additionalProperties) {
    if (s["x-kubernetes-map-type"] === "atomic") return ATOMIC;
    const props = s.properties ?? {};
    const extra = typeof s.additionalProperties === "object" ? nodeOf(s.additionalProperties) : undefined;
    if (!s.properties && !extra) return s["x-kubernetes-preserve-unknown-fields"] ? DEDUCED : { t: "map", field: () => DEDUCED, open: true };
    const fields = new Map<string, SchemaNode>();
    return {
      t: "map",
      open: !!extra,
      field: (name) => {
        let f = fields.get(name);
        if (!f) fields.set(name, (f = Object.hasOwn(props, name) ? nodeOf(props[name]) : (extra ?? DEDUCED)));
        return f;
      },
    };
  }
  return s.type ? SCALAR : DEDUCED;
}

const roots = new WeakMap<JSONSchemaProps, SchemaNode>();

/** The node of a custom object's root: its schema's fields, with the built-in metadata. */
export function customSchemaNode(schema: JSONSchemaProps): SchemaNode {
  let node = roots.get(schema);
  if (!node) {
    const body = nodeOf(schema);
    // ObjectMeta as any kind has it (labels, annotations, finalizers, ownerReferences).
    const meta = schemaFor("configmaps");
    const metadata = meta.t === "map" ? meta.field("metadata") : DEDUCED;
    node = { t: "map", field: (name) => (name === "metadata" ? metadata : name === "apiVersion" || name === "kind" ? SCALAR : body.t === "map" ? body.field(name) : DEDUCED) };
    roots.set(schema, node);
  }
  return node;
}

/** The schema of a resource's objects: a custom resource's at the version addressed, else the built-in's. */
export function schemaOfResource(info: ResourceInfo): SchemaNode {
  return info.custom ? customSchemaNode(info.custom.version.schema) : schemaFor(storageKey(info));
}
