// What a request asks for, in the terms authorization and the in-flight limit decide
// with: the API server's RequestInfo (verb, resource, subresource, namespace, name).
// Unlike parseResourcePath it never fails: an unknown resource still has a verb, and
// the 404 comes later from the router.
import { isWatch } from "./handlers/list-options";
import type { Attributes } from "../model/rbac-rules";

/** The authorizer's Attributes without the user: what the request alone says. */
export type RequestAttributes = Omit<Attributes, "user">;

const METHOD_VERBS: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };
/** /namespaces/NS/status and /namespaces/NS/finalize address the Namespace itself. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function requestAttributes(method: string, url: URL): RequestAttributes {
  const path = url.pathname;
  const nonResource: RequestAttributes = { verb: method.toLowerCase(), isResourceRequest: false, path, apiGroup: "", resource: "", subresource: "", namespace: "", name: "" };
  let parts = path.split("/").filter((p) => p !== "");
  let apiGroup = "";
  if (parts[0] === "api") parts = parts.slice(2);
  else if (parts[0] === "apis") {
    apiGroup = parts[1] ?? "";
    parts = parts.slice(3);
  } else return nonResource;
  // Discovery documents (/api, /api/v1, /apis/g/v) are not resource requests.
  if (parts.length === 0) return nonResource;

  let verb = METHOD_VERBS[method.toUpperCase()] ?? "";
  // The deprecated /watch/ path prefix.
  if (parts[0] === "watch") {
    verb = "watch";
    parts = parts.slice(1);
  }
  let namespace = "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    namespace = decode(parts[1]);
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  const resource = parts[0] ?? "";
  const name = parts.length > 1 ? decode(parts[1]) : "";
  const subresource = parts.length > 2 ? parts[2] : "";

  if (verb === "get" && name === "") verb = "list";
  if ((verb === "get" || verb === "list") && isWatch(url.searchParams)) verb = "watch";
  if (verb === "delete" && name === "") verb = "deletecollection";
  return { verb, isResourceRequest: true, path, apiGroup, resource, subresource, namespace, name };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
