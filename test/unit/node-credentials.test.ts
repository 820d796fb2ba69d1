import { describe, expect, it } from "vitest";
import { nodeToken } from "../../src/controlplane/node-credentials";

/** The credential as the API server must derive it: HMAC-SHA256 of the node's name under the cluster token. */
async function expected(secret: string, node: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`edgekube-node-lease:${node}`)));
  return `node:${node}:${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

describe("a node's credential", () => {
  it("is the node's name and an HMAC under the cluster token, the same when asked again", async () => {
    expect(await nodeToken("secret-1", "node-1")).toBe(await expected("secret-1", "node-1"));
    expect(await nodeToken("secret-1", "node-1")).toBe(await expected("secret-1", "node-1"));
    // Rotating the cluster token rotates every node's, remembered or not.
    expect(await nodeToken("secret-2", "node-1")).toBe(await expected("secret-2", "node-1"));
    expect(await nodeToken("secret-1", "node-2")).toBe(await expected("secret-1", "node-2"));
  });

  it("stays right for every node after more were derived than the isolate keeps", async () => {
    for (let i = 0; i < 10_050; i++) await nodeToken("secret-1", `other-${i}`);
    for (const node of ["node-1", "other-0", "other-10049"]) expect(await nodeToken("secret-1", node)).toBe(await expected("secret-1", node));
  });
});
