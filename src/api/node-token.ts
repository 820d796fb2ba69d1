// Per-node credentials for external kubelets: a token that lets one node read and renew
// its own Lease and nothing else, like the Node authorizer and the NodeRestriction
// admission plugin limit system:node:<name>. Derived from the cluster token (HMAC), so
// there is nothing to store and rotating API_TOKEN rotates every node token.
import type { RequestAttributes } from "./request-attributes";
import { sameSecret } from "./same-secret";
import { forbiddenFor } from "./forbidden";
import { nodeToken, NODE_TOKEN_PREFIX as PREFIX } from "../controlplane/node-credentials";

export { nodeToken };

const LEASE_GROUP = "coordination.k8s.io";
const LEASE_NAMESPACE = "kube-node-lease";
/** What a node may do to its own Lease here (upstream also lets it create and delete it). */
const LEASE_VERBS = new Set(["get", "update", "patch"]);

/** The node a token speaks for, or undefined when it is not a valid node token. */
export async function nodeOfToken(secret: string, token: string): Promise<string | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const rest = token.slice(PREFIX.length);
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const name = rest.slice(0, colon);
  // Constant time: the MAC must not be guessable byte by byte from response timing.
  return sameSecret(await nodeToken(secret, name), token) ? name : undefined;
}

/**
 * A node may get, update and patch its own Lease; everything else is forbidden, with
 * the API server's message (`leases.coordination.k8s.io "node-2" is forbidden: User
 * "system:node:node-1" cannot update resource "leases" in API group ...`).
 */
export function authorizeNode(nodeName: string, attrs: RequestAttributes): void {
  const isLease = attrs.isResourceRequest && attrs.apiGroup === LEASE_GROUP && attrs.resource === "leases" && attrs.subresource === "";
  if (isLease && attrs.namespace === LEASE_NAMESPACE && attrs.name === nodeName && LEASE_VERBS.has(attrs.verb)) return;
  // A token for a ServiceAccount: the TokenRequest handler checks what NodeRestriction
  // and the Node authorizer's graph check upstream (a pod on this node that runs as it).
  const isToken = attrs.isResourceRequest && attrs.apiGroup === "" && attrs.resource === "serviceaccounts" && attrs.subresource === "token";
  if (isToken && attrs.verb === "create" && attrs.name) return;
  // The Node authorizer's reasons for the lease requests it has an opinion on.
  let reason = "";
  if (isLease && attrs.namespace !== LEASE_NAMESPACE) reason = "can only access leases in the kube-node-lease namespace";
  else if (isLease && attrs.name !== nodeName) reason = "can only access node lease with the same name as the requesting node";
  else if (isLease) reason = "can only get, update, or patch a node lease";
  throw forbiddenFor(`system:node:${nodeName}`, attrs, reason);
}
