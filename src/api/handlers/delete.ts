// DELETE of one object and deletecollection. Both answer with a body (kubectl fails
// on an empty one): the object while it terminates, a Success Status once it is gone.
import { asServed, listKindOf } from "../custom-resource-view";
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey, apiVersionOf } from "../../model/resources";
import { badRequest } from "../../model/errors";
import type { DeleteOptions } from "../../registry/deletion";
import { json } from "../negotiate";
import { readOptionalJson } from "../body";
import { parseListQuery, queryInt } from "./list-options";

const MAX_GRACE_SECONDS = 2_147_483_647;

async function readDeleteOptions(req: Request, q: URLSearchParams): Promise<DeleteOptions> {
  const decoded = await readOptionalJson(req);
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) throw badRequest("the body of the request was not a JSON object");
  return deleteOptionsOf(decoded as Record<string, unknown>, q);
}

/** DeleteOptions as sent (a DELETE's body, an Eviction's deleteOptions), query parameters first; 400 for bad ones. */
export function deleteOptionsOf(body: Record<string, unknown>, q: URLSearchParams): DeleteOptions {
  const graceQ = queryInt(q, "gracePeriodSeconds");
  const grace = graceQ !== undefined ? graceQ : (body.gracePeriodSeconds as number | undefined);
  // Bounded so the deletion timestamp it sets stays a date (int32 seconds is 68 years).
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
  const propagation = (q.get("propagationPolicy") ?? body.propagationPolicy) as DeleteOptions["propagationPolicy"] | undefined;
  if (propagation && !["Foreground", "Background", "Orphan"].includes(propagation)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (body.orphanDependents === true && !propagation) return { gracePeriodSeconds: grace, propagationPolicy: "Orphan" };
  const dryRun = q.getAll("dryRun").length > 0 || (Array.isArray(body.dryRun) && body.dryRun.length > 0);
  return { gracePeriodSeconds: grace, propagationPolicy: propagation, preconditions: body.preconditions as DeleteOptions["preconditions"], dryRun };
}

function successStatus(ri: RequestInfo, name: string, uid: string | undefined) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name, ...(ri.group ? { group: ri.group } : {}), kind: ri.info.resource, ...(uid ? { uid } : {}) },
  };
}

export async function deleteOne(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const opts = await readDeleteOptions(req, q);
  const key = storageKey(ri.info);
  const result = await ctx.registry.delete(key, ri.namespace, ri.name!, opts);
  // Pods come back as the object either way, like the real pod registry.
  if (!result.deleted || key === "pods") return json(asServed(ri.info, result.object));
  return json(successStatus(ri, ri.name!, result.object.metadata.uid));
}

export async function deleteCollection(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const opts = await readDeleteOptions(req, q);
  const key = storageKey(ri.info);
  const { options } = parseListQuery(key, ri.namespace, q);
  const listed = await ctx.store.list(key, { ...options, limit: undefined, continue: undefined });
  const items = [];
  for (const obj of listed.items) {
    try {
      const r = await ctx.registry.delete(key, obj.metadata.namespace ?? "", obj.metadata.name ?? "", opts);
      items.push(asServed(ri.info, r.object));
    } catch (e) {
      // Already gone between the list and the delete: that is what was asked for.
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  return json({ kind: listKindOf(ri.info), apiVersion: apiVersionOf(ri.info), metadata: { resourceVersion: listed.resourceVersion }, items });
}
