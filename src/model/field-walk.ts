// An object's fields as a set (what an applier owns: structured-merge-diff's
// ToFieldSet) and what changed between two versions of an object (its Compare: what an
// update takes ownership of, and what it removed from everyone), both along the
// object's schema (field-schema.ts).
import { resolve, type SchemaNode } from "./field-schema";
import { fieldElement, keyElement, valueElement, type FieldSet } from "./field-set";

type JMap = Record<string, unknown>;

const isMap = (v: unknown): v is JMap => v !== null && typeof v === "object" && !Array.isArray(v);

/** Fields of the object's metadata that no manager owns: the server's, or its identity. */
const UNOWNED_META = ["name", "namespace", "creationTimestamp", "selfLink", "uid", "resourceVersion", "generation", "managedFields"];

function build(member: boolean, children: [string, FieldSet][]): FieldSet {
  const out: FieldSet = {};
  if (member && children.length) out["."] = {};
  for (const [k, v] of children) out[k] = v;
  return out;
}

/**
 * The children of a value's node, or null when the value is owned whole (a scalar, an
 * atomic value, or a value whose shape is not the schema's).
 */
function childrenOf(v: unknown, schema: SchemaNode): [string, FieldSet][] | null {
  const n = resolve(schema, v);
  if (n.t === "map" && isMap(v)) {
    return Object.entries(v).map(([k, x]) => [fieldElement(k), build(false, childrenOf(x, n.field(k)) ?? [])]);
  }
  if (n.t === "listMap" && Array.isArray(v) && v.every(isMap)) {
    return v.map((item) => [keyElement(n.keys, item, n.defaults), build(true, childrenOf(item, n.item) ?? [])]);
  }
  if (n.t === "set" && Array.isArray(v)) return v.map((x) => [valueElement(x), {}]);
  return null;
}

/** The set of fields an object (or an applied configuration) sets, as an applier would own them. */
export function fieldSetOf(obj: unknown, schema: SchemaNode): FieldSet {
  return stripUnowned(build(false, childrenOf(obj, schema) ?? []));
}

/** Without apiVersion, kind and the metadata no manager owns. */
export function stripUnowned(s: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "f:apiVersion" || k === "f:kind") continue;
    if (k === "f:metadata") {
      const meta: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) if (mk !== "." && !UNOWNED_META.includes(mk.slice(2))) meta[mk] = mv;
      if (Object.keys(meta).length) out[k] = meta;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** Every path of a value, each container a member too: what leaves with a removed value. */
function wholeValue(v: unknown, schema: SchemaNode): FieldSet {
  const n = resolve(schema, v);
  if (n.t === "map" && isMap(v)) return build(true, Object.entries(v).map(([k, x]) => [fieldElement(k), wholeValue(x, n.field(k))]));
  if (n.t === "listMap" && Array.isArray(v) && v.every(isMap)) return build(true, v.map((item) => [keyElement(n.keys, item, n.defaults), wholeValue(item, n.item)]));
  if (n.t === "set" && Array.isArray(v)) return build(true, v.map((x) => [valueElement(x), {}]));
  return {};
}

const EMPTY_STRUCT: FieldSet = Object.freeze({}) as FieldSet;

/** A value that appeared: its fields, and the value itself when it is an item or an open map. */
function addedValue(v: unknown, schema: SchemaNode, item: boolean): FieldSet {
  const n = resolve(schema, v);
  if (n.t === "map" && isMap(v)) {
    const children: [string, FieldSet][] = [];
    for (const [k, x] of Object.entries(v)) {
      const c = addedValue(x, n.field(k), false);
      if (c !== EMPTY_STRUCT) children.push([fieldElement(k), c]);
    }
    // An empty struct is what Go holds before anything is set: nobody owns it.
    if (!children.length && !item && !n.open) return EMPTY_STRUCT;
    return build(item || !!n.open, children);
  }
  if (n.t === "listMap" && Array.isArray(v) && v.every(isMap)) return build(item, v.map((x) => [keyElement(n.keys, x, n.defaults), addedValue(x, n.item, true)]));
  return build(item, childrenOf(v, n) ?? []);
}

const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

interface Diff {
  /** Added or modified. */
  changed: [string, FieldSet][];
  removed: [string, FieldSet][];
}

function diffValues(a: unknown, b: unknown, schema: SchemaNode, out: Diff, el: string): void {
  // The write paths keep what they do not change by reference (a status update keeps
  // the spec object): nothing to walk there.
  if (a === b) return;
  const n = resolve(schema, b);
  const sub: Diff = { changed: [], removed: [] };
  if (n.t === "map" && isMap(a) && isMap(b)) {
    for (const [k, y] of Object.entries(b)) {
      const x = Object.hasOwn(a, k) ? a[k] : undefined;
      if (x === undefined) {
        const added = addedValue(y, n.field(k), false);
        if (added !== EMPTY_STRUCT) sub.changed.push([fieldElement(k), added]);
      }
      else diffValues(x, y, n.field(k), sub, fieldElement(k));
    }
    for (const [k, x] of Object.entries(a)) if (!Object.hasOwn(b, k) && x !== undefined) sub.removed.push([fieldElement(k), wholeValue(x, n.field(k))]);
  } else if (n.t === "listMap" && Array.isArray(a) && Array.isArray(b) && a.every(isMap) && b.every(isMap)) {
    const before = new Map(a.map((item) => [keyElement(n.keys, item, n.defaults), item]));
    const after = new Set<string>();
    for (const item of b) {
      const key = keyElement(n.keys, item, n.defaults);
      after.add(key);
      const old = before.get(key);
      if (old === undefined) sub.changed.push([key, addedValue(item, n.item, true)]);
      else diffValues(old, item, n.item, sub, key);
    }
    for (const [key, old] of before) if (!after.has(key)) sub.removed.push([key, wholeValue(old, n.item)]);
  } else if (n.t === "set" && Array.isArray(a) && Array.isArray(b)) {
    const before = new Set(a.map(valueElement));
    const after = new Set(b.map(valueElement));
    for (const v of after) if (!before.has(v)) sub.changed.push([v, {}]);
    for (const v of before) if (!after.has(v)) sub.removed.push([v, {}]);
  } else {
    if (!sameJson(a, b)) out.changed.push([el, {}]);
    return;
  }
  if (sub.changed.length) out.changed.push([el, build(false, sub.changed)]);
  if (sub.removed.length) out.removed.push([el, build(false, sub.removed)]);
}

/**
 * What changed from `before` to `after`: the fields added or modified (an update takes
 * them) and those removed (no one owns them any more). Unowned metadata is left out.
 */
export function compareFields(before: unknown, after: unknown, schema: SchemaNode): { changed: FieldSet; removed: FieldSet } {
  const out: Diff = { changed: [], removed: [] };
  diffValues(before ?? {}, after, schema, out, "");
  const pick = (list: [string, FieldSet][]) => (list.length ? stripUnowned(list[0][1]) : {});
  return { changed: pick(out.changed), removed: pick(out.removed) };
}
