// The JSONPath subset CRDs use for printer columns and the scale subresource:
// `.spec.replicas`, `.status.conditions[0].type`, optionally wrapped in `{}`.
type JMap = Record<string, unknown>;

/** The path's steps: field names and array indices; undefined if not in the subset. */
export function parseSimpleJsonPath(path: string): (string | number)[] | undefined {
  let p = path.trim();
  if (p.startsWith("{") && p.endsWith("}")) p = p.slice(1, -1);
  if (!p.startsWith(".")) return undefined;
  const steps: (string | number)[] = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']*)'\]/y;
  let i = 0;
  while (i < p.length) {
    re.lastIndex = i;
    const m = re.exec(p);
    if (!m) return undefined;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
    i = re.lastIndex;
  }
  return steps;
}

/** The value at `path` in `obj`, undefined when absent or not in the subset. */
export function evalSimpleJsonPath(obj: unknown, path: string): unknown {
  const steps = parseSimpleJsonPath(path);
  if (!steps) return undefined;
  let cur: unknown = obj;
  for (const s of steps) {
    if (typeof s === "number") cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = cur !== null && typeof cur === "object" && !Array.isArray(cur) ? (cur as JMap)[s] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Sets the value at `path`, making the maps on the way (false when the path cannot hold it). */
export function setSimpleJsonPath(obj: JMap, path: string, value: unknown): boolean {
  const steps = parseSimpleJsonPath(path);
  if (!steps || steps.length === 0 || steps.some((s) => typeof s === "number")) return false;
  let cur: JMap = obj;
  for (const s of steps.slice(0, -1) as string[]) {
    const next = cur[s];
    if (next === undefined || next === null) cur[s] = {};
    else if (typeof next !== "object" || Array.isArray(next)) return false;
    cur = cur[s] as JMap;
  }
  cur[steps[steps.length - 1] as string] = value;
  return true;
}
