// Strategic merge patch (application/strategic-merge-patch+json), applied the way
// k8s.io/apimachinery/pkg/util/strategicpatch does on the server: maps merge
// recursively (null deletes), lists tagged "merge" merge element-wise by their merge
// key, other lists are replaced, and the directives kubectl sends are honoured:
// `$patch: replace|delete`, `$retainKeys`, `$setElementOrder/<list>` and
// `$deleteFromPrimitiveList/<list>`. Element order follows upstream too (patch items
// in patch order, interleaved with server-only items by their live positions), which
// is why a newly added container lands first, as in the Kubernetes docs.
import { goPrint } from "../model/go-format";
import { lookupField, type FieldMeta, type StructMeta } from "../model/patch-meta";

type JMap = Record<string, unknown>;

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER = "$setElementOrder";

/** Failure of a strategic merge: `status` is what the API server answers with. */
export class StrategicMergeError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 422 | 500,
  ) {
    super(message);
  }
}

// mergepatch errors that the API server maps to 400; the rest surface as 500.
const badPrimitiveList = () => new StrategicMergeError("invalid patch format of primitive list", 400);
const badRetainKeys = () => new StrategicMergeError("invalid patch format of retainKeys", 400);
const badSetElementOrder = () => new StrategicMergeError("invalid patch format of setElementOrder list", 400);
const noMergeKey = (m: unknown, key: string) => new StrategicMergeError(`map: ${goPrint(m)} does not contain declared merge key: ${key}`, 500);
const badPatchType = (t: unknown, m: unknown) => new StrategicMergeError(`unknown patch type: ${goPrint(t)} in map: ${goPrint(m)}`, 500);
const goType = (v: unknown) => (Array.isArray(v) ? "[]interface {}" : isMap(v) ? "map[string]interface {}" : v === null ? "<nil>" : typeof v === "string" ? "string" : typeof v === "boolean" ? "bool" : "float64");
const badArgType = (expected: string, actual: unknown) => new StrategicMergeError(`expected a ${expected}, but received a ${goType(actual)}`, 500);

const has = (o: JMap, k: string) => Object.hasOwn(o, k);

function isMap(v: unknown): v is JMap {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

type Kind = "map" | "slice" | "scalar";
const kindOf = (v: unknown): Kind => (Array.isArray(v) ? "slice" : isMap(v) ? "map" : "scalar");

/** Assign without letting a "__proto__" key from a request reach the prototype. */
function setKey(o: JMap, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

function discardNulls(v: unknown): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** removeDirectives: drop directive maps and directive keys; `keep` false for a directive map. */
function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (isMap(v)) {
    if (has(v, DIRECTIVE)) return { value: undefined, keep: false };
    for (const k of Object.keys(v)) {
      const r = removeDirectives(v[k]);
      if (r.keep) setKey(v, k, r.value);
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const r = removeDirectives(e);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

/** A patch value for a key the original lacks: nulls and directives removed. */
function freshValue(target: JMap, k: string, patchV: unknown): void {
  discardNulls(patchV);
  const r = removeDirectives(patchV);
  if (r.keep) setKey(target, k, r.value);
  else delete target[k];
}

function extractKey(s: string, prefix: string, err: () => StrategicMergeError): string {
  const slash = s.indexOf("/");
  if (slash < 0 || s.slice(0, slash) !== prefix) throw err();
  return s.slice(slash + 1);
}

function elementKind(...slices: unknown[][]): Kind | undefined {
  let prev: string | undefined;
  let kind: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = kindOf(v) === "scalar" ? typeof v : kindOf(v);
      if (prev === undefined) {
        prev = t;
        kind = kindOf(v);
        if (kind === "slice") throw new StrategicMergeError("lists of lists are not supported", 422);
      } else if (prev !== t) {
        throw new StrategicMergeError(`list element types are not identical: ${goPrint(slices)}`, 500);
      }
    }
  }
  return kind;
}

const keyOf = (v: unknown, mergeKey: string, kind: Kind): unknown => (kind === "map" ? (isMap(v) ? v[mergeKey] : undefined) : v);

function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: Kind): number {
  const want = keyOf(v, mergeKey, kind);
  return list.findIndex((e) => keyOf(e, mergeKey, kind) === want);
}

function sortByOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  if (kind === "map") {
    for (const l of [toSort, order]) for (const v of l) if (!isMap(v) || !has(v, mergeKey)) throw noMergeKey(v, mergeKey);
  }
  const pos = (v: unknown) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  return [...toSort].sort((a, b) => pos(a) - pos(b));
}

/**
 * mergeSortedSlice: insert server-only items (left) among patch items (right), both
 * already sorted, comparing positions in the live list where both are found.
 */
function mergeSorted(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const p = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const s = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

function partition(merged: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) {
    let found: boolean;
    if (mergeKey) {
      if (!isMap(v)) throw badArgType("map[string]interface {}", v);
      if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
      found = by.some((b) => isMap(b) && b[mergeKey] === v[mergeKey]);
    } else found = by.includes(v);
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function dedupe(list: unknown[]): unknown[] {
  return list.filter((v, i) => list.indexOf(v) === i);
}

/** Handles `$patch` elements: delete by merge key, replace the whole list. */
function withSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as JMap;
    if (!has(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const d = m[DIRECTIVE];
    if (d === "delete") {
      if (!has(m, mergeKey)) throw noMergeKey(m, mergeKey);
      orig = orig.filter((e) => !(isMap(e) && has(e, mergeKey) && e[mergeKey] === m[mergeKey]));
    } else if (d === "replace") replace = true;
    else if (d === "merge") throw new StrategicMergeError("merging lists cannot yet be specified in the patch", 500);
    else throw badPatchType(d, m);
  }
  return replace ? [plain, []] : [orig, plain];
}

function mergeSlice(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch)!;
  const mergeKey = meta.mergeKey ?? "";
  let orig = original;
  let pat = patch;
  let merged: unknown[];
  if (kind !== "map") {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw new StrategicMergeError("cannot merge lists without merge key", 500);
    [orig, pat] = withSpecialElements(original, patch, mergeKey);
    merged = [...orig];
    for (const v of pat) {
      const m = v as JMap;
      if (!has(m, mergeKey)) throw noMergeKey(m, mergeKey);
      const at = merged.findIndex((e) => isMap(e) && has(e, mergeKey) && e[mergeKey] === m[mergeKey]);
      if (at >= 0) merged[at] = mergeMap(merged[at] as JMap, m, meta.sub);
      else {
        // Upstream stores the element as sent; the typed round trip then drops nulls.
        discardNulls(m);
        merged.push(removeDirectives(m).value);
      }
    }
  }
  const [patchItems, serverOnly] = partition(merged, pat, mergeKey);
  return normalizeOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
}

function mergeSliceHandler(original: unknown, patch: unknown, meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (!Array.isArray(original)) throw badArgType("[]interface {}", original);
  if (!Array.isArray(patch)) throw badArgType("[]interface {}", patch);
  if (meta.strategy === "merge" || isDeleteList) return mergeSlice(original, patch, meta, isDeleteList);
  return patch;
}

function applyRetainKeys(original: JMap, patch: JMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRetainKeys();
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** The patch list must follow the relative order of its $setElementOrder list. */
function checkOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey
    ? patchList.filter((v) => {
        if (!isMap(v)) throw badArgType("map[string]interface {}", v);
        return v[DIRECTIVE] !== "delete";
      })
    : patchList;
  let p = 0;
  let o = 0;
  while (p < nonDelete.length && o < order.length) {
    if (isMap(nonDelete[p]) && has(nonDelete[p] as JMap, DIRECTIVE)) {
      p++;
      continue;
    }
    let equal: boolean;
    if (!mergeKey) equal = nonDelete[p] === order[o];
    else {
      const a = nonDelete[p];
      const b = order[o];
      if (!isMap(a)) throw badArgType("map[string]interface {}", a);
      if (!isMap(b)) throw badArgType("map[string]interface {}", b);
      if (!has(a, mergeKey)) throw noMergeKey(a, mergeKey);
      if (!has(b, mergeKey)) throw noMergeKey(b, mergeKey);
      equal = a[mergeKey] === b[mergeKey];
    }
    if (equal) p++;
    o++;
  }
  if (p < nonDelete.length && o >= order.length) {
    throw new StrategicMergeError(`The order in patch list:\n${goPrint(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goPrint(order)}\n`, 500);
  }
}

/** $setElementOrder/<list>: merge that list now and order it as asked. */
function applyElementOrders(original: JMap, patch: JMap, schema: StructMeta | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER) || !has(patch, key)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType("[]interface {}", order);
    const field = extractKey(key, SET_ELEMENT_ORDER, badSetElementOrder);
    const hasOrig = has(original, field);
    const hasPatch = has(patch, field);
    const origList = hasOrig ? original[field] : [];
    const patchList = hasPatch ? patch[field] : [];
    if (!Array.isArray(origList)) throw badArgType("[]interface {}", origList);
    if (!Array.isArray(patchList)) throw badArgType("[]interface {}", patchList);
    const meta = lookupField(schema, field);
    const mergeKey = meta.mergeKey ?? "";
    checkOrderList(patchList, order, mergeKey);
    let merged: unknown[];
    if (hasOrig && hasPatch) merged = mergeSliceHandler(origList, patchList, meta, false);
    else if (hasPatch) merged = removeDirectives(patchList).value as unknown[];
    else if (hasOrig) merged = origList;
    else continue;
    delete patch[field];
    const kind = elementKind(origList, patchList);
    if (!kind) {
      setKey(original, field, merged);
      continue;
    }
    const [patchItems, serverOnly] = partition(merged, order, mergeKey);
    setKey(original, field, normalizeOrder(patchItems, serverOnly, order, origList, mergeKey, kind));
  }
}

function mergeMap(original: JMap | undefined, patch: JMap, schema: StructMeta | undefined): JMap {
  if (has(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === "replace") {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (d === "delete") return {};
    throw badPatchType(d, patch);
  }
  const orig = original ?? {};
  applyRetainKeys(orig, patch);
  applyElementOrders(orig, patch, schema);
  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST, badPrimitiveList);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[key];
      continue;
    }
    if (!has(orig, key) || kindOf(orig[key]) !== kindOf(patchV)) {
      if (!isDeleteList) freshValue(orig, key, patchV);
      continue;
    }
    const meta = lookupField(schema, key);
    switch (kindOf(patchV)) {
      case "map":
        setKey(orig, key, mergeMap(orig[key] as JMap, patchV as JMap, meta.sub));
        break;
      case "slice":
        setKey(orig, key, mergeSliceHandler(orig[key], patchV, meta, isDeleteList));
        break;
      default:
        freshValue(orig, key, patchV);
    }
  }
  return orig;
}

/** Apply a strategic merge patch to a JSON object; neither argument is modified. */
export function strategicMerge(original: JMap, patch: JMap, schema: StructMeta): JMap {
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}
