// Which objects a list or watch selects: namespace, name, label and field selectors,
// as one predicate. The API server checks a watch's selectors before it answers; the
// watch cache rebuilds the same predicate from the same strings for its watchers.
import type { KubeObject } from "./types";
import { parseLabelSelector, matchesLabels } from "./label-selector";
import { parseFieldSelector } from "./field-selector";

export interface SelectionSpec {
  /** "" or absent: every namespace. */
  namespace?: string;
  /** One object by name (a watch on an item path). */
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** The predicate for `spec` on `resource` (its storage key); bad selectors throw 400 BadRequest. */
export function selectionFilter(resource: string, spec: SelectionSpec): (obj: KubeObject) => boolean {
  const labelReqs = parseLabelSelector(spec.labelSelector ?? "");
  const field = parseFieldSelector(spec.fieldSelector ?? "", resource);
  const ns = spec.namespace || field.pushdown.namespace || "";
  const name = spec.name || "";
  return (obj) =>
    (!ns || obj.metadata.namespace === ns) && (!name || obj.metadata.name === name) && matchesLabels(labelReqs, obj.metadata.labels ?? {}) && field.matches(obj);
}
