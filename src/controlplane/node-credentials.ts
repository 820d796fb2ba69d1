// A node's credential: `node:NAME:MAC`, the MAC an HMAC of the node's name under the
// cluster token, so there is nothing to store and rotating API_TOKEN rotates every
// node's. The API server checks it (src/api/node-token.ts); a node's kubelet presents
// it when it calls the API (its ServiceAccount token requests).
export const NODE_TOKEN_PREFIX = "node:";

async function mac(secret: string, nodeName: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`edgekube-node-lease:${nodeName}`));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function nodeToken(secret: string, nodeName: string): Promise<string> {
  return `${NODE_TOKEN_PREFIX}${nodeName}:${await mac(secret, nodeName)}`;
}
