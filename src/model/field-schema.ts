// What server-side apply and field ownership need to know of a schema, and nothing
// more (structured-merge-diff's schema.Atom): for each place in an object, whether it
// is a scalar, a map or struct whose fields are owned one by one, a list-map whose
// items are found by their keys, a set of scalars, or an atomic value owned whole.
// Built kinds get it from their published schemas (src/model/api-schema) and the
// list-map keys of patch-meta; anything without a schema is "deduced" as upstream's
// deduced type does it: maps granular, lists atomic. Another source of schemas (a
// CustomResourceDefinition's openAPIV3Schema) plugs in by producing these nodes.
import { DEFINITIONS, definitionOfKind, type Definition, type FieldType } from "./api-schema";
import { CORE } from "./api-schema/dsl";
import { applyOnlyListMapKeys, listMapKeys, lookupField, patchMetaFor, type StructMeta } from "./patch-meta";
import { RESOURCES, storageKey } from "./resources";

export type SchemaNode =
  | { t: "scalar" }
  /** Owned whole: replaced by an apply, one manager at a time. */
  | { t: "atomic" }
  /**
   * A struct or a granular map: each field (`f:name`) owned on its own. `open`: a map
   * with keys of the user's choosing (labels), which an update that adds it also owns
   * as a whole ("."), as upstream records a map that was absent before.
   */
  | { t: "map"; field: (name: string) => SchemaNode; open?: boolean }
  /** Items owned by their keys (`k:{"name":"x"}`); `defaults` fills a key an item leaves out. */
  | { t: "listMap"; keys: string[]; defaults: Record<string, unknown>; item: SchemaNode }
  /** Scalars owned one by one (`v:"x"`). */
  | { t: "set" }
  /** No schema: decided by the value (maps granular, lists atomic). */
  | { t: "deduced" };

const SCALAR: SchemaNode = { t: "scalar" };
const ATOMIC: SchemaNode = { t: "atomic" };
const SET: SchemaNode = { t: "set" };
export const DEDUCED: SchemaNode = { t: "deduced" };
const DEDUCED_MAP: SchemaNode = { t: "map", field: () => DEDUCED, open: true };

/** Maps upstream marks atomic, by "<definition>.<field>". */
const ATOMIC_MAPS = new Set([`${CORE}.ServiceSpec.selector`, `${CORE}.ReplicationControllerSpec.selector`]);
/** Defaults of list-map keys an item may leave out (the protocol of a port). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

/** The node a value has when the schema does not say: what upstream's deduced type does. */
export function resolve(node: SchemaNode, value: unknown): SchemaNode {
  if (node.t !== "deduced") return node;
  if (value !== null && typeof value === "object") return Array.isArray(value) ? ATOMIC : DEDUCED_MAP;
  return SCALAR;
}

const cache = new WeakMap<StructMeta, Map<string, SchemaNode>>();
const NO_META: StructMeta = {};

function structNode(def: Definition, meta: StructMeta): SchemaNode {
  let byDef = cache.get(meta);
  if (!byDef) cache.set(meta, (byDef = new Map()));
  const known = byDef.get(def.name);
  if (known) return known;
  if (def.scalar) return SCALAR;
  // Structs upstream marks `x-kubernetes-map-type: atomic` are replaced whole by an apply.
  if (def.atomic) return ATOMIC;
  const fields = new Map<string, SchemaNode>();
  const node: SchemaNode = {
    t: "map",
    field: (name) => {
      let f = fields.get(name);
      if (!f) {
        const prop = Object.hasOwn(def.properties, name) ? def.properties[name] : undefined;
        f = prop ? fieldNode(def.name, name, prop.type, meta) : DEDUCED;
        fields.set(name, f);
      }
      return f;
    },
  };
  byDef.set(def.name, node);
  return node;
}

function typeNode(t: FieldType, sub: StructMeta): SchemaNode {
  switch (t.k) {
    case "ref": {
      const d = DEFINITIONS.get(t.def);
      return d ? structNode(d, sub) : DEDUCED;
    }
    case "object":
      return DEDUCED;
    case "array":
      return ATOMIC;
    case "map": {
      const elem = typeNode(t.of, sub);
      return { t: "map", field: () => elem, open: true };
    }
    default:
      return SCALAR;
  }
}

function fieldNode(owner: string, name: string, type: FieldType, meta: StructMeta): SchemaNode {
  const fm = lookupField(meta, name);
  const sub = fm.sub ?? NO_META;
  if (type.k === "array") {
    const mapKeys = fm.strategy === "merge" && fm.mergeKey ? listMapKeys(owner, name, fm.mergeKey) : applyOnlyListMapKeys(owner, name);
    if (mapKeys) {
      const keys = [...mapKeys].sort();
      const defaults = Object.fromEntries(keys.filter((k) => k in KEY_DEFAULTS).map((k) => [k, KEY_DEFAULTS[k]]));
      return { t: "listMap", keys, defaults, item: typeNode(type.of, sub) };
    }
    if (fm.strategy === "merge" && type.of.k !== "ref") return SET;
    return ATOMIC;
  }
  if (type.k === "map" && ATOMIC_MAPS.has(`${owner}.${name}`)) return ATOMIC;
  return typeNode(type, sub);
}

const roots = new Map<string, SchemaNode>();

/** The schema of a resource's objects, by storage key ("pods", "deployments.apps"); DEDUCED when none is published. */
export function schemaFor(resource: string): SchemaNode {
  let node = roots.get(resource);
  if (!node) {
    const info = RESOURCES.find((r) => storageKey(r) === resource);
    const def = info && definitionOfKind(info.group, info.version, info.kind);
    node = def ? structNode(def, patchMetaFor(resource)) : { t: "map", field: () => DEDUCED };
    roots.set(resource, node);
  }
  return node;
}
