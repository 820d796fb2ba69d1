// The API server's 403 for a refused request (responsewriters.forbiddenMessage): what
// was asked, by whom, and the authorizer's reason when it gave one.
import { forbidden } from "../model/errors";
import type { RequestAttributes } from "./request-attributes";

/** The API server's Forbidden: the attributes that were refused, then the authorizer's reason. */
export function forbiddenFor(user: string, attrs: RequestAttributes, reason: string) {
  const suffix = reason ? `: ${reason}` : "";
  if (!attrs.isResourceRequest) {
    return forbidden(`forbidden: User "${user}" cannot ${attrs.verb} path "${attrs.path}"${suffix}`);
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : "at the cluster scope";
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  const subject = attrs.name ? `${qualified} "${attrs.name}"` : qualified;
  const message = `${subject} is forbidden: User "${user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}${suffix}`;
  return forbidden(message, { ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.apiGroup ? { group: attrs.apiGroup } : {}), kind: attrs.resource });
}
