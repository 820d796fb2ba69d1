import { describe, it, expect } from "vitest";
import { lifecycleShardOf } from "../../src/controlplane/stubs";

describe("node lifecycle shards", () => {
  it("sends a node to the same shard every time, within the shard count", () => {
    expect(lifecycleShardOf("node-1", 4)).toBe(lifecycleShardOf("node-1", 4));
    const names = Array.from({ length: 5_000 }, (_, i) => `node-${i + 1}`);
    const counts = new Map<string, number>();
    for (const n of names) counts.set(lifecycleShardOf(n, 4), (counts.get(lifecycleShardOf(n, 4)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(["node-lifecycle-0", "node-lifecycle-1", "node-lifecycle-2", "node-lifecycle-3"]);
    // Spread evenly enough that no shard holds much more than its share.
    for (const c of counts.values()) expect(c).toBeLessThan((5_000 / 4) * 1.2);
  });

  it("has one shard when told one (or nonsense)", () => {
    expect(lifecycleShardOf("node-7", 1)).toBe("node-lifecycle-0");
    expect(lifecycleShardOf("node-7", 0)).toBe("node-lifecycle-0");
  });
});
