// Go's %#v and %v renderings of the few values that appear inside API error messages
// ("Invalid value: map[string]string{\"app\":\"x\"}: ...", "map: map[image:x] does not
// contain declared merge key: name"). Clients and users grep for these strings, so
// they are reproduced rather than replaced with JSON.
import type { LabelSelector } from "./types";

const q = (s: string) => JSON.stringify(s);

/** %#v of map[string]string: keys sorted, nil prints as map[string]string(nil). */
export function goStringMap(m: Record<string, string> | null | undefined): string {
  if (!m) return "map[string]string(nil)";
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${q(k)}:${q(m[k])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** %#v of []string. */
export function goStringSlice(s: readonly string[] | null | undefined): string {
  if (!s) return "[]string(nil)";
  return `[]string{${s.map(q).join(", ")}}`;
}

/** %#v of a metav1.LabelSelector value (as printed in "field is immutable" errors). */
export function goLabelSelector(sel: LabelSelector | null | undefined): string {
  if (!sel) return "(*v1.LabelSelector)(nil)";
  const exprs = sel.matchExpressions;
  const exprText = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => `v1.LabelSelectorRequirement{Key:${q(e.key)}, Operator:${q(e.operator)}, Values:${goStringSlice(e.values)}}`)
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprText}}`;
}

/** %v of decoded JSON (map[string]interface{} and friends): map[a:1 b:[x y]]. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goPrint(o[k])}`)
      .join(" ")}]`;
  }
  return String(v);
}
