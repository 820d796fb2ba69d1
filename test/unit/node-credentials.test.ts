import { describe, expect, it } from "vitest";
import { nodeToken } from "../../src/controlplane/node-credentials";

describe("a node's credential", () => {
  it("is the node's name and an HMAC under the cluster token, derived again only when either changes", async () => {
    const a = await nodeToken("secret-1", "node-1");
    expect(a).toMatch(/^node:node-1:[0-9a-f]{64}$/);
    expect(await nodeToken("secret-1", "node-1")).toBe(a);
    // Rotating the cluster token rotates every node's, remembered or not.
    expect(await nodeToken("secret-2", "node-1")).not.toBe(a);
    expect(await nodeToken("secret-1", "node-2")).not.toBe(a.replace("node-1", "node-2"));
  });

  it("stays the same after many other nodes' credentials were derived", async () => {
    const a = await nodeToken("secret-1", "node-1");
    for (let i = 0; i < 10_050; i++) await nodeToken("secret-1", `other-${i}`);
    expect(await nodeToken("secret-1", "node-1")).toBe(a);
  });
});
