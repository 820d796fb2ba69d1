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

/**
 * Tokens already derived in this isolate: a kubelet presents its token on every call
 * and the API server derives it again to check it, each an HMAC key import and a
 * signature. Bounded (names come from the tokens presented): emptied when full.
 */
const derived = new Map<string, Promise<string>>();
const DERIVED_MAX = 10_000;

export function nodeToken(secret: string, nodeName: string): Promise<string> {
  const key = `${nodeName}\n${secret}`;
  let token = derived.get(key);
  if (!token) {
    if (derived.size >= DERIVED_MAX) derived.clear();
    token = mac(secret, nodeName).then((m) => `${NODE_TOKEN_PREFIX}${nodeName}:${m}`);
    // A failure is not remembered.
    token.catch(() => derived.delete(key));
    derived.set(key, token);
  }
  return token;
}
