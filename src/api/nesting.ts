// How deeply a request body nests. The API server's decoders stop at 10,000 levels;
// here the limit is lower because a Worker's stack is small: structuredClone gives up
// near 3,500 levels and the YAML parser near 800, so anything deeper than
// MAX_NESTING_DEPTH is refused before it is decoded further. Kubernetes objects nest
// a few dozen levels at most.

export const MAX_NESTING_DEPTH = 500;

/** Depth of a decoded JSON value (a scalar is 0, `{}` and `[]` are 1), without recursion. */
export function jsonDepth(value: unknown, stopAbove = MAX_NESTING_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > stopAbove) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, depth]);
  }
  return max;
}

/**
 * An upper bound on how deeply a YAML document nests, from its text alone (the YAML
 * parser must not see a document it cannot survive). Block nesting is bounded by the
 * indentation plus the compact indicators ("- - x") that open it; flow nesting counts
 * every bracket, quoted or not, so the bound only ever errs high.
 */
export function yamlDepthBound(text: string): number {
  let max = 0;
  let flow = 0;
  let lineStart = true;
  let block = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (lineStart) {
      // Indentation, then "- " / "? " / ": " indicators, each a level at most.
      let j = i;
      while (j < text.length && (text[j] === " " || text[j] === "\t")) j++;
      let levels = j - i;
      while (j < text.length && (text[j] === "-" || text[j] === "?" || text[j] === ":") && (j + 1 >= text.length || text[j + 1] === " " || text[j + 1] === "\n")) {
        levels++;
        j++;
        while (j < text.length && text[j] === " ") {
          levels++;
          j++;
        }
      }
      block = levels + 1;
      lineStart = false;
      i = j - 1;
      if (block + flow > max) max = block + flow;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      flow++;
      if (block + flow > max) max = block + flow;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
    else if (c === 0x0a) lineStart = true;
  }
  return max;
}
