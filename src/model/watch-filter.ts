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

type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** A change as the change log holds it: the object after it and, unless it was a create, before. */
export interface FilterableChange {
  type: EventType;
  object: KubeObject;
  prevObject?: KubeObject;
}

/**
 * What a watcher with selector `keep` sees of a change, as the API server's watch cache
 * decides it: an object that starts matching is ADDED, one that stops matching is
 * DELETED (its last matching state, at the change's resourceVersion), one that matches
 * before and after is MODIFIED; the rest is not for this watcher.
 */
export function watchEventFor(ch: FilterableChange, keep: (o: KubeObject) => boolean): { type: EventType; object: KubeObject } | null {
  if (ch.type === "DELETED") return keep(ch.object) ? { type: "DELETED", object: ch.object } : null;
  const now = keep(ch.object);
  // Rows logged without the previous object: judge by the new one alone.
  const was = ch.type === "MODIFIED" && (ch.prevObject ? keep(ch.prevObject) : now);
  if (now) return { type: was ? "MODIFIED" : "ADDED", object: ch.object };
  return was && ch.prevObject ? { type: "DELETED", object: ch.prevObject } : null;
}
