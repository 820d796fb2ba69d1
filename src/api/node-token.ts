// Per-node credentials for external kubelets: a token that lets one node renew its
// own Lease and nothing else, like the NodeRestriction admission plugin limits
// system:node:<name>. Derived from the cluster token (HMAC), so there is nothing to
// store and rotating API_TOKEN rotates every node token.
import { forbidden } from "../model/errors";

const PREFIX = "node:";

async function mac(secret: string, nodeName: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`edgekube-node-lease:${nodeName}`));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function nodeToken(secret: string, nodeName: string): Promise<string> {
  return `${PREFIX}${nodeName}:${await mac(secret, nodeName)}`;
}

/** The node a token speaks for, or undefined when it is not a valid node token. */
export async function nodeOfToken(secret: string, token: string): Promise<string | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const rest = token.slice(PREFIX.length);
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const name = rest.slice(0, colon);
  return (await nodeToken(secret, name)) === token ? name : undefined;
}

const LEASE_PATH = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/kube-node-lease\/leases\/([^/]+)$/;

/** A node may read and renew its own Lease; everything else is forbidden. */
export function authorizeNode(nodeName: string, method: string, path: string): void {
  const m = LEASE_PATH.exec(path);
  const verb = method === "GET" ? "get" : method === "PUT" ? "update" : method === "PATCH" ? "patch" : method.toLowerCase();
  const user = `system:node:${nodeName}`;
  if (m && decodeURIComponent(m[1]) === nodeName && ["get", "update", "patch"].includes(verb)) return;
  if (m) {
    throw forbidden(`leases.coordination.k8s.io "${decodeURIComponent(m[1])}" is forbidden: User "${user}" cannot ${verb} resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": a node may only renew its own lease`);
  }
  throw forbidden(`User "${user}" cannot ${verb} path "${path}": node credentials may only renew the node's own lease`);
}
