// Routes every /api/... and /apis/... request that names a resource to its verb
// handler, like the API server's handler chain: parse the path, pick the verb from
// the method and query, dispatch subresources.
import type { Context } from "hono";
import { api, type ApiContext, type AppEnv } from "./context";
import { findResource } from "../model/resources";
import { parseResourcePath, type RequestInfo } from "./request-info";
import { methodNotAllowed, ApiError } from "../model/errors";
import { getObject, listObjects } from "./handlers/read";
import { watchObjects } from "./handlers/watch";
import { isWatch } from "./handlers/list-options";
import { createObject, updateObject, patchObject } from "./handlers/write";
import { deleteOne, deleteCollection } from "./handlers/delete";
import { getScale, writeScale } from "./handlers/scale";
import { createBinding, createEviction } from "./handlers/pod-actions";
import { podExplore, EXPLORE_SUBRESOURCES } from "./handlers/pod-explore";
import { serviceProxy } from "./handlers/service-proxy";
import { createReview } from "./handlers/reviews";
import { createToken } from "./handlers/token-request";
import { guardRbacWrite } from "./rbac-escalation";
import { userInfoOf } from "./auth";

export async function routeResource(c: Context<AppEnv>): Promise<Response> {
  const url = new URL(c.req.raw.url);
  // The pathname as sent: c.req.path is already percent-decoded, and decoding twice would
  // let "%252D" address "-".
  const ctx = api(c);
  const ri = await resolvePath(ctx, url.pathname);
  if (!ri) throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  const req = c.req.raw;
  const q = url.searchParams;
  const method = req.method.toUpperCase();

  if (ri.info.review) return createReview(ctx, ri, req, userInfoOf(c.get("user")));
  if (ri.subresource) return routeSubresource(c, ri, method, q);
  // Roles and bindings grant rights: writing one needs them (or escalate/bind).
  if (method === "POST" || method === "PUT" || method === "PATCH") guardRbacWrite(c, ri);
  // A namespaced resource's path without a namespace lists and watches across all of
  // them, and does nothing else (the API server installs only those two verbs there):
  // a DELETE of /api/v1/pods must never become a delete of every pod in the cluster.
  if (ri.info.namespaced && !ri.namespace && !ri.name && method !== "GET") throw methodNotAllowed();
  if (method === "GET") {
    if (ri.name) return isWatch(q) ? watchObjects(ctx, ri, req, q) : getObject(ctx, ri, req, q);
    return isWatch(q) ? watchObjects(ctx, ri, req, q) : listObjects(ctx, ri, req, q);
  }
  if (method === "POST" && !ri.name) return createObject(ctx, ri, req, q);
  if (method === "PUT" && ri.name) return updateObject(ctx, ri, req, q);
  if (method === "PATCH" && ri.name) return patchObject(ctx, ri, req, q);
  if (method === "DELETE") return ri.name ? deleteOne(ctx, ri, req, q) : deleteCollection(ctx, ri, req, q);
  throw methodNotAllowed();
}

/**
 * The request's resource: a built-in, or else a custom resource of a CRD as the store
 * has it now (so one Established a moment ago, through any isolate, is served).
 */
async function resolvePath(ctx: ApiContext, path: string): Promise<RequestInfo | undefined> {
  try {
    return parseResourcePath(path);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404) || path.startsWith("/api/")) throw e;
  }
  const catalog = await ctx.registry.customTypes.catalog();
  return parseResourcePath(path, (g, v, r) => findResource(g, v, r) ?? catalog.find(g, v, r));
}

function routeSubresource(c: Context<AppEnv>, ri: RequestInfo, method: string, q: URLSearchParams): Promise<Response> | Response {
  const ctx = api(c);
  const req = c.req.raw;
  switch (ri.subresource) {
    case "status":
      if (method === "GET") return getObject(ctx, ri, req, q);
      if (method === "PUT") return updateObject(ctx, ri, req, q);
      if (method === "PATCH") return patchObject(ctx, ri, req, q);
      break;
    case "ephemeralcontainers":
      // `kubectl debug`: the pod, of which only spec.ephemeralContainers may change.
      if (method === "GET") return getObject(ctx, ri, req, q);
      if (method === "PUT") return updateObject(ctx, ri, req, q);
      if (method === "PATCH") return patchObject(ctx, ri, req, q);
      break;
    case "scale":
      if (method === "GET") return getScale(ctx, ri);
      if (method === "PUT" || method === "PATCH") return writeScale(ctx, ri, req, method);
      break;
    case "binding":
      if (method === "POST") return createBinding(ctx, ri, req);
      break;
    case "eviction":
      if (method === "POST") return createEviction(ctx, ri, req);
      break;
    case "token":
      if (method === "POST") return createToken(ctx, ri, req, c.get("user"));
      break;
    default:
      if (ri.subresource === "proxy" && ri.info.resource === "services") return serviceProxy(ctx, ri, req);
      if (EXPLORE_SUBRESOURCES.includes(ri.subresource ?? "")) return podExplore(c, ri);
  }
  throw methodNotAllowed();
}
