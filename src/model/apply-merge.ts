// The two edits server-side apply makes to the live object, along its schema
// (structured-merge-diff's Merge and RemoveItems): merge an applied configuration into
// it (the configuration wins where both set a value; maps merge field by field,
// list-maps item by item by their keys, sets by value; atomic values are replaced),
// and remove the fields an applier gave up that nobody else owns.
import { resolve, type SchemaNode } from "./field-schema";
import { keyElement, valueElement, type FieldSet } from "./field-set";

type JMap = Record<string, unknown>;

const isMap = (v: unknown): v is JMap => v !== null && typeof v === "object" && !Array.isArray(v);

/** `live` with `config` merged in; neither is modified. */
export function mergeApplied(live: unknown, config: unknown, schema: SchemaNode): unknown {
  const n = resolve(schema, config);
  if (n.t === "map" && isMap(config)) {
    const out: JMap = isMap(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) {
      // A null applied is the field applied empty: it leaves the object.
      if (v === null) delete out[k];
      else setOwn(out, k, mergeApplied(Object.hasOwn(out, k) ? out[k] : undefined, v, n.field(k)));
    }
    return out;
  }
  if (n.t === "listMap" && Array.isArray(config) && config.every(isMap) && Array.isArray(live) && live.every(isMap)) {
    // Live items keep their place; applied items new to the list follow, in applied order.
    const out: unknown[] = [...live];
    const at = new Map(live.map((item, i) => [keyElement(n.keys, item, n.defaults), i]));
    for (const item of config) {
      const key = keyElement(n.keys, item, n.defaults);
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, out.length);
        out.push(structuredClone(item));
      } else out[i] = mergeApplied(out[i], item, n.item);
    }
    return out;
  }
  if (n.t === "set" && Array.isArray(config) && Array.isArray(live)) {
    const seen = new Set(live.map(valueElement));
    return [...live, ...config.filter((v) => !seen.has(valueElement(v)))];
  }
  return structuredClone(config);
}

function setOwn(o: JMap, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** `obj` without the members of `set` (a member that is a container goes whole); `obj` is not modified. */
export function removeFields(obj: unknown, set: FieldSet, schema: SchemaNode): unknown {
  const n = resolve(schema, obj);
  const entries = Object.entries(set).filter(([k]) => k !== ".");
  if (!entries.length) return obj;
  if (n.t === "map" && isMap(obj)) {
    const out: JMap = { ...obj };
    for (const [el, sub] of entries) {
      if (!el.startsWith("f:")) continue;
      const k = el.slice(2);
      if (!Object.hasOwn(out, k)) continue;
      if (isMemberNode(sub)) delete out[k];
      else setOwn(out, k, removeFields(out[k], sub, n.field(k)));
    }
    return out;
  }
  if (n.t === "listMap" && Array.isArray(obj)) {
    const byKey = new Map(entries);
    const out: unknown[] = [];
    for (const item of obj) {
      const sub = isMap(item) ? byKey.get(keyElement(n.keys, item, n.defaults)) : undefined;
      if (!sub) out.push(item);
      else if (!isMemberNode(sub)) out.push(removeFields(item, sub, n.item));
    }
    return out;
  }
  if (n.t === "set" && Array.isArray(obj)) {
    const gone = new Set(entries.map(([k]) => k));
    return obj.filter((v) => !gone.has(valueElement(v)));
  }
  return obj;
}

const isMemberNode = (s: FieldSet) => Object.hasOwn(s, ".") || Object.keys(s).length === 0;
