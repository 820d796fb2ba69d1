// get and list, answered as the object/list or as a server-side Table.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey, apiVersionOf } from "../../model/resources";
import { toTable } from "../printers";
import { wantsTable, json, TABLE_CONTENT_TYPE } from "../negotiate";
import { checkResourceVersionParam, parseListQuery } from "./list-options";
import { asServed, listKindOf, printerOf } from "../custom-resource-view";

export async function getObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const key = storageKey(ri.info);
  checkResourceVersionParam(q);
  const obj = asServed(ri.info, await ctx.store.mustGet(key, ri.namespace, ri.name!));
  const table = wantsTable(req.headers.get("accept"), q);
  if (table) {
    return json(toTable(key, [obj], { now: ctx.now(), includeObject: table.includeObject, resourceVersion: obj.metadata.resourceVersion, printer: printerOf(ri.info) }), 200, { "content-type": TABLE_CONTENT_TYPE });
  }
  return json(obj);
}

export async function listObjects(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const key = storageKey(ri.info);
  const { options } = parseListQuery(key, ri.namespace, q);
  const result = await ctx.store.list(key, options);
  result.items = result.items.map((o) => asServed(ri.info, o));
  const table = wantsTable(req.headers.get("accept"), q);
  if (table) {
    return json(toTable(key, result.items, { now: ctx.now(), includeObject: table.includeObject, resourceVersion: result.resourceVersion, continue: result.continue, printer: printerOf(ri.info) }), 200, {
      "content-type": TABLE_CONTENT_TYPE,
    });
  }
  return json({
    kind: listKindOf(ri.info),
    apiVersion: apiVersionOf(ri.info),
    metadata: { resourceVersion: result.resourceVersion, ...(result.continue ? { continue: result.continue } : {}) },
    items: result.items,
  });
}
