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

/**
 * One path segment, percent-decoded once. A segment that does not decode (malformed
 * escapes, bytes that are not UTF-8) names nothing: 404, as for any unknown name.
 */
function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  return decoded;
}

/**
 * Returns undefined for paths that are discovery documents (/api, /api/v1, /apis/g/v).
 * `path` is the URL's pathname as sent (still percent-encoded): each segment is
 * decoded exactly once, so "%2F" stays inside a name and "%252D" is not a "-".
 * `find` names the resources served (the built-in table unless given).
 */
export function parseResourcePath(rawPath: string, find: (group: string, version: string, resource: string) => ResourceInfo | undefined = findResource): RequestInfo | undefined {
  const raw = rawPath.split("/").filter((p, i) => i > 0 || p !== "");
  // Decoded on demand: a proxy's trailing path is passed on as sent.
  const part = (k: number): string | undefined => (raw[k] === undefined ? undefined : decodeSegment(raw[k]));
  // raw[0] is "api" or "apis"
  let group = "";
  let version: string | undefined;
  let i: number;
  if (raw[0] === "api") {
    version = part(1);
    i = 2;
  } else if (raw[0] === "apis") {
    group = part(1) ?? "";
    version = part(2);
    i = 3;
  } else return undefined;
  if (!version || raw.length <= i || raw[i] === "") return undefined;

  let namespace = "";
  let resource = part(i)!;
  // /namespaces/NS/<resource>... but /namespaces/NS and /namespaces/NS/status|finalize
  // address the Namespace object itself.
  if (resource === "namespaces" && raw.length > i + 2 && !["status", "finalize"].includes(part(i + 2)!)) {
    namespace = part(i + 1)!;
    i += 2;
    resource = part(i)!;
  }
  const info = find(group, version, resource);
  if (!info) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  const nameSeg = part(i + 1);
  const name = nameSeg !== undefined && nameSeg !== "" ? nameSeg : undefined;
  const subSeg = part(i + 2);
  const subresource = subSeg !== undefined && subSeg !== "" ? subSeg : undefined;
  const rest = subresource === "proxy" ? "/" + raw.slice(i + 3).join("/") : undefined;
  if (subresource && !info.subresources.includes(subresource)) {
    throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  if (subresource && subresource !== "proxy" && raw.length > i + 3) {
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
