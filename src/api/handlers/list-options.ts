// Turns list/watch query parameters (labelSelector, fieldSelector, limit, continue)
// into store list options: equality requirements go to SQL, the rest filter in memory.
// (A watch's filter is the watch cache's: src/model/watch-filter.ts.)
import type { ListOptions } from "../../store/store";
import { parseLabelSelector, matchesLabels, equalityPushdown, parseFieldSelector } from "../../model/selectors";
import { badRequest } from "../../model/errors";

interface ParsedListQuery {
  options: ListOptions;
}

export function parseListQuery(resource: string, namespace: string, q: URLSearchParams): ParsedListQuery {
  const labelReqs = parseLabelSelector(q.get("labelSelector") ?? "");
  const field = parseFieldSelector(q.get("fieldSelector") ?? "", resource);
  const limitRaw = q.get("limit");
  const limit = limitRaw ? Number(limitRaw) : undefined;
  if (limitRaw && (!Number.isInteger(limit) || (limit as number) < 0)) throw badRequest(`invalid limit: ${limitRaw}`);
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
