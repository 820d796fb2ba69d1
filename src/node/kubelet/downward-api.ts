// The downward API as files (the kubelet's downwardapi volume plugin and the
// downwardAPI source of a projected volume): a fieldRef renders a piece of the pod's
// metadata, a resourceFieldRef a container's limit or request in units of its divisor.
// Labels and annotations are rendered as `key="value"` lines in key order, the value
// quoted as Go's %q quotes it (fieldpath.FormatMap).
import type { Container, Pod } from "../../model/types";
import type { DownwardAPIVolumeFile, ResourceFieldSelector } from "../../model/volume-sources";
import { cpuMillis, memoryBytes } from "../../model/quantity";

/** What a container's limits fall back to when it sets none: the node's allocatable. */
export interface NodeAllocatable {
  cpu: string;
  memory: string;
  ephemeralStorage: string;
}

/** Go's strconv.Quote for the characters a label or annotation holds. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join("\n");
}

/** A fieldRef's value; undefined for a path the downward API volume does not offer. */
export function fieldRefValue(pod: Pod, fieldPath: string): string | undefined {
  const meta = pod.metadata;
  const one = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (one) return (one[1] === "labels" ? meta.labels : meta.annotations)?.[one[2]] ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return meta.name ?? "";
    case "metadata.namespace":
      return meta.namespace ?? "";
    case "metadata.uid":
      return meta.uid ?? "";
    case "metadata.labels":
      return formatMap(meta.labels);
    case "metadata.annotations":
      return formatMap(meta.annotations);
    default:
      return undefined;
  }
}

function containerNamed(pod: Pod, name: string | undefined): Container | undefined {
  return [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((c) => c.name === name);
}

/**
 * A resourceFieldRef's value: the limit (or the node's allocatable when there is none)
 * or the request (0 when there is none), divided by the divisor and rounded up.
 */
export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, node: NodeAllocatable): string | undefined {
  const c = containerNamed(pod, ref.containerName);
  if (!c) return undefined;
  const [kind, resource] = ref.resource.split(".", 2) as ["limits" | "requests", string];
  if ((kind !== "limits" && kind !== "requests") || !["cpu", "memory", "ephemeral-storage"].includes(resource)) return undefined;
  const set = c.resources?.[kind]?.[resource];
  const fallback = resource === "cpu" ? node.cpu : resource === "memory" ? node.memory : node.ephemeralStorage;
  const value = set ?? (kind === "limits" ? fallback : "0");
  const divisor = ref.divisor ?? "1";
  if (resource === "cpu") {
    const per = cpuMillis(divisor);
    return per > 0 ? String(Math.ceil(cpuMillis(value) / per)) : undefined;
  }
  const per = memoryBytes(divisor);
  return per > 0 ? String(Math.ceil(memoryBytes(value) / per)) : undefined;
}

/** The files of a list of downward API items (path -> content). */
export function downwardFiles(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, node: NodeAllocatable): Record<string, string> {
  const files: Record<string, string> = {};
  for (const item of items ?? []) {
    if (!item || typeof item.path !== "string") continue;
    const value = item.fieldRef?.fieldPath !== undefined ? fieldRefValue(pod, item.fieldRef.fieldPath) : item.resourceFieldRef ? resourceFieldValue(pod, item.resourceFieldRef, node) : undefined;
    if (value !== undefined) files[item.path] = value;
  }
  return files;
}

/** Whether the items read labels or annotations (their files follow the pod's updates). */
export function readsMetadataMaps(items: DownwardAPIVolumeFile[] | undefined): boolean {
  return (items ?? []).some((i) => /^metadata\.(labels|annotations)/.test(i?.fieldRef?.fieldPath ?? ""));
}
