// Sets of field paths in upstream's FieldsV1 form, the form managedFields stores them
// in: a tree whose keys are path elements (`f:name` a field, `k:{"name":"x"}` a list-map
// item, `v:"x"` a set item) and whose "." key marks a node that is itself in the set
// beside its children. A node without children is in the set (`{}`), so an empty
// tree is the empty set only at the root. Operations return new trees.

export interface FieldSet {
  [element: string]: FieldSet;
}

const SELF = ".";

const childKeys = (s: FieldSet) => Object.keys(s).filter((k) => k !== SELF);

/** Whether the node is itself a member (not only a parent of members). */
const isMember = (s: FieldSet) => Object.hasOwn(s, SELF) || childKeys(s).length === 0;

/** A node from membership and children; undefined when it holds nothing. */
function node(member: boolean, children: [string, FieldSet][]): FieldSet | undefined {
  if (!children.length) return member ? {} : undefined;
  const out: FieldSet = {};
  if (member) out[SELF] = {};
  for (const [k, v] of children) out[k] = v;
  return out;
}

export function isEmpty(s: FieldSet): boolean {
  return Object.keys(s).length === 0;
}

/** A ∪ B. */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return unionNode(a, b, true);
}

function unionNode(a: FieldSet, b: FieldSet, root = false): FieldSet {
  const keys = new Set([...childKeys(a), ...childKeys(b)]);
  const children: [string, FieldSet][] = [];
  for (const k of keys) {
    const x = Object.hasOwn(a, k) ? a[k] : undefined;
    const y = Object.hasOwn(b, k) ? b[k] : undefined;
    children.push([k, x && y ? unionNode(x, y) : (x ?? y)!]);
  }
  return node(!root && (isMember(a) || isMember(b)), sortElements(children)) ?? {};
}

/** A \ B: what A holds that B does not (B's members take their own node only, not A's children of it). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(a) || isEmpty(b)) return a;
  return differenceNode(a, b, true) ?? {};
}

function differenceNode(a: FieldSet, b: FieldSet, root = false): FieldSet | undefined {
  const children: [string, FieldSet][] = [];
  let same = true;
  for (const k of childKeys(a)) {
    const y = Object.hasOwn(b, k) ? b[k] : undefined;
    if (!y) children.push([k, a[k]]);
    else {
      const d = differenceNode(a[k], y);
      if (d !== a[k]) same = false;
      if (d) children.push([k, d]);
    }
  }
  const member = !root && isMember(a) && !isMember(b);
  // Nothing taken away: the very same tree, so callers can tell and skip work.
  if (same && (root || member === isMember(a))) return a;
  return node(member, children);
}

/** A ∩ B. */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(a) || isEmpty(b)) return {};
  return intersectionNode(a, b, true) ?? {};
}

function intersectionNode(a: FieldSet, b: FieldSet, root = false): FieldSet | undefined {
  const children: [string, FieldSet][] = [];
  for (const k of childKeys(a)) {
    if (!Object.hasOwn(b, k)) continue;
    const i = intersectionNode(a[k], b[k]);
    if (i) children.push([k, i]);
  }
  return node(!root && isMember(a) && isMember(b), children);
}

/** Whether `path` (elements from the root) is a member of the set. */
export function has(s: FieldSet, path: string[]): boolean {
  let n: FieldSet | undefined = s;
  for (const e of path) {
    n = Object.hasOwn(n, e) ? n[e] : undefined;
    if (!n) return false;
  }
  return path.length > 0 && isMember(n);
}

/** The set with one more member (and the parents leading to it). */
export function insert(s: FieldSet, path: string[]): FieldSet {
  let leaf: FieldSet = {};
  for (let i = path.length - 1; i >= 0; i--) leaf = { [path[i]]: leaf };
  return union(s, leaf);
}

/** The members, each as its list of path elements, in the set's order. */
export function members(s: FieldSet): string[][] {
  const out: string[][] = [];
  const walk = (n: FieldSet, prefix: string[]) => {
    if (prefix.length && isMember(n)) out.push(prefix);
    for (const k of childKeys(n)) walk(n[k], [...prefix, k]);
  };
  walk(s, []);
  return out;
}

/** The subtree under one element (empty when absent). */
export function child(s: FieldSet, element: string): FieldSet | undefined {
  return Object.hasOwn(s, element) ? s[element] : undefined;
}

/** Only what lies under the given top-level elements. */
export function restrictTo(s: FieldSet, elements: string[]): FieldSet {
  const out: FieldSet = {};
  for (const e of elements) if (Object.hasOwn(s, e)) out[e] = s[e];
  return out;
}

/** Without the given top-level elements. */
export function without(s: FieldSet, elements: string[]): FieldSet {
  if (!elements.some((e) => Object.hasOwn(s, e))) return s;
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(s)) if (!elements.includes(k)) out[k] = v;
  return out;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream's order of path elements: fields, then keys, values, indexes; each by its text. */
function sortElements(children: [string, FieldSet][]): [string, FieldSet][] {
  return children.sort(([a], [b]) => (KIND_ORDER[a[0]] ?? 9) - (KIND_ORDER[b[0]] ?? 9) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A set normalised to upstream's order (as decoded from a client, in any order). */
export function normalize(s: FieldSet): FieldSet {
  const walk = (n: FieldSet, root: boolean): FieldSet | undefined =>
    node(
      !root && isMember(n),
      sortElements(childKeys(n).map((k) => [k, walk(n[k], false) ?? {}])),
    );
  return walk(s, true) ?? {};
}

// Path elements and their printed form (".spec.containers[name=\"app\"].image").

export const fieldElement = (name: string) => `f:${name}`;
export const valueElement = (value: unknown) => `v:${JSON.stringify(value)}`;

/** A list-map item's element: its keys sorted, as JSON. */
export function keyElement(keys: string[], item: Record<string, unknown>, defaults: Record<string, unknown> = {}): string {
  const parts = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(item[k] ?? defaults[k] ?? null)}`);
  return `k:{${parts.join(",")}}`;
}

/** A path as upstream prints it in conflicts: `.spec.replicas`, `[name="app"]`, `[="x"]`. */
export function pathString(path: string[]): string {
  return path
    .map((e) => {
      const body = e.slice(2);
      if (e.startsWith("f:")) return `.${body}`;
      if (e.startsWith("v:")) return `[=${body}]`;
      if (e.startsWith("i:")) return `[${body}]`;
      if (e.startsWith("k:")) {
        try {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
        } catch {
          return `[${body}]`;
        }
      }
      return e;
    })
    .join("");
}
