// Helpers shared by the printers: column definitions, ages, container and
// label-selector formatting, each mirroring the kube-apiserver's output.
import type { Container, LabelSelector } from "../../model/types";
import type { TableColumn } from "./types";

export function col(name: string, type: string, description: string, opts: { format?: string; priority?: number } = {}): TableColumn {
  return { name, type, format: opts.format ?? "", description, priority: opts.priority ?? 0 };
}

// Column names are sent as the server spells them ("Name", "Up-to-date"):
// kubectl upper-cases them when it prints the header.
export const NAME_COLUMN = col(
  "Name",
  "string",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.",
  { format: "name" },
);
export const AGE_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is represented in RFC3339 form and is in UTC.";
export const AGE_COLUMN = col("Age", "string", AGE_DESCRIPTION);
export const CONTAINERS_COLUMN = col("Containers", "string", "Names of each container in the template.", { priority: 1 });
export const IMAGES_COLUMN = col("Images", "string", "Images referenced by each container in the template.", { priority: 1 });

/**
 * duration.HumanDuration from k8s.io/apimachinery: about two significant units,
 * switching granularity at fixed thresholds ("119s", "2m", "9m59s", "10m",
 * "3h", "7h59m", "8h", "47h", "2d", "7d23h", "8d", "729d", "2y", "7y364d", "8y").
 */
export function humanDuration(ms: number): string {
  // Go's int(d.Seconds()) truncates toward zero; up to 1s in the future is
  // tolerated as clock skew.
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch, or undefined for a missing/unparseable timestamp. */
export function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** translateTimestampSince: "<unknown>" for a zero (absent) timestamp. */
export function formatAge(fromIso: string | null | undefined, now: number): string {
  const t = parseTime(fromIso);
  return t === undefined ? "<unknown>" : humanDuration(now - t);
}

/** layoutContainerCells: names and images, comma-joined in spec order. */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(","), list.map((c) => c.image ?? "").join(",")];
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key,
 * matchLabels as "k=v", set operators with sorted values. Returns undefined
 * when the selector is invalid (an unknown operator, or In/NotIn without values).
 * A nil or empty selector prints as "".
 */
export function selectorString(sel: LabelSelector | undefined): string | undefined {
  if (!sel) return "";
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) return undefined;
        reqs.push({ key: e.key, text: `${e.key} ${e.operator === "In" ? "in" : "notin"} (${values.join(",")})` });
        break;
      case "Exists":
        reqs.push({ key: e.key, text: e.key });
        break;
      case "DoesNotExist":
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return undefined;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(",");
}

/** metav1.FormatLabelSelector: "<none>" for nil/empty, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  const s = selectorString(sel);
  if (s === undefined) return "<error>";
  return s === "" ? "<none>" : s;
}
