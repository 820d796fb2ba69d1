// Turns list/watch query parameters (labelSelector, fieldSelector, limit, continue)
// into store list options: equality requirements go to SQL, the rest filter in memory.
// (A watch's filter is the watch cache's: src/model/watch-filter.ts.)
import type { ListOptions } from "../../store/store";
import { parseLabelSelector, matchesLabels, equalityPushdown, parseFieldSelector } from "../../model/selectors";
import { badRequest } from "../../model/errors";

interface ParsedListQuery {
  options: ListOptions;
}

/**
 * An integer query parameter (limit, timeoutSeconds, gracePeriodSeconds) as Go's
 * ParseInt reads it: decimal digits with an optional sign, nothing else.
 */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^[-+]?\d{1,18}$/.test(raw)) throw badRequest(`invalid ${name}: ${JSON.stringify(raw)} is not an integer`);
  return Number(raw);
}

/** resourceVersion: absent, or a revision of this store (a non-negative integer). */
export function checkResourceVersionParam(q: URLSearchParams): void {
  const rv = q.get("resourceVersion");
  if (rv !== null && rv !== "" && !/^\d{1,18}$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
}

export function parseListQuery(resource: string, namespace: string, q: URLSearchParams): ParsedListQuery {
  const labelReqs = parseLabelSelector(q.get("labelSelector") ?? "");
  const field = parseFieldSelector(q.get("fieldSelector") ?? "", resource);
  const limit = queryInt(q, "limit");
  if (limit !== undefined && limit < 0) throw badRequest(`invalid limit: ${limit}`);
  checkResourceVersionParam(q);
  queryInt(q, "timeoutSeconds");
  const ns = namespace || field.pushdown.namespace || "";
  const options: ListOptions = {
    namespace: ns || undefined,
    name: field.pushdown.name,
    nodeName: field.pushdown.nodeName,
    labelEquals: equalityPushdown(labelReqs),
    filter: (obj) => matchesLabels(labelReqs, obj.metadata.labels ?? {}) && field.matches(obj),
    limit,
    continue: q.get("continue") || undefined,
  };
  return { options };
}

export function isWatch(q: URLSearchParams): boolean {
  const w = q.get("watch");
  return w === "true" || w === "1";
}
