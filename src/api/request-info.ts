// Parses a Kubernetes API path into its parts, like the API server's
// RequestInfoFactory: /api/v1/namespaces/NS/pods/NAME/SUB/... and
// /apis/GROUP/VERSION/... The proxy subresource keeps the rest of the path.
import { findResource, type ResourceInfo } from "../model/resources";
import { ApiError } from "../model/errors";

export interface RequestInfo {
  group: string;
  version: string;
  info: ResourceInfo;
  /** "" for cluster-scoped requests and for lists across all namespaces. */
  namespace: string;
  name?: string;
  subresource?: string;
  /** Path after the subresource (proxy only), starting with "/" or "". */
  rest?: string;
}

/** Returns undefined for paths that are discovery documents (/api, /api/v1, /apis/g/v). */
export function parseResourcePath(path: string): RequestInfo | undefined {
  const parts = path.split("/").filter((p, i) => i > 0 || p !== "");
  // parts[0] is "api" or "apis"
  let group = "";
  let version: string;
  let i: number;
  if (parts[0] === "api") {
    version = parts[1];
    i = 2;
  } else if (parts[0] === "apis") {
    group = parts[1];
    version = parts[2];
    i = 3;
  } else return undefined;
  if (!version || parts.length <= i || parts[i] === "") return undefined;

  let namespace = "";
  let resource = parts[i];
  // /namespaces/NS/<resource>... but /namespaces/NS and /namespaces/NS/status|finalize
  // address the Namespace object itself.
  if (resource === "namespaces" && parts.length > i + 2 && !["status", "finalize"].includes(parts[i + 2])) {
    namespace = decodeURIComponent(parts[i + 1]);
    i += 2;
    resource = parts[i];
  }
  const info = findResource(group, version, resource);
  if (!info) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  const name = parts[i + 1] !== undefined && parts[i + 1] !== "" ? decodeURIComponent(parts[i + 1]) : undefined;
  const subresource = parts[i + 2] !== undefined && parts[i + 2] !== "" ? parts[i + 2] : undefined;
  const rest = subresource === "proxy" ? "/" + parts.slice(i + 3).join("/") : undefined;
  if (subresource && !info.subresources.includes(subresource)) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  if (subresource && subresource !== "proxy" && parts.length > i + 3) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  if (!info.namespaced && namespace) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  if (info.namespaced && name !== undefined && !namespace) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  return { group, version, info, namespace, name, subresource, rest };
}
