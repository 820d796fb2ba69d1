import { describe, it, expect } from "vitest";
import { MAX_BATCH, RenewalBatches, type Renewal } from "../../src/node/lifecycle/renewal-batches";

/** Batches on a clock and windows the test moves by hand. */
function harness() {
  let t = 1_000;
  const windows: (() => void)[] = [];
  const batches = new RenewalBatches(
    () => new Promise<void>((resolve) => windows.push(resolve)),
    () => t,
  );
  /** Each delivery: the shard, the node whose call sent it, and the batch. */
  const delivered: { key: string; by: string; batch: Renewal[] }[] = [];
  const send = (key: string, node: string, windowMs = 500) =>
    batches.send(key, { node, at: t }, windowMs, async (batch) => void delivered.push({ key, by: node, batch: [...batch] }));
  return {
    batches,
    delivered,
    send,
    windows,
    advance: (ms: number) => (t += ms),
  };
}

const nodes = (d: { batch: Renewal[] }) => d.batch.map((r) => r.node);

describe("RenewalBatches", () => {
  it("sends the renewals that join an open batch in one call, by the node that opened it when its window ends", async () => {
    const h = harness();
    let openerDone = false;
    const opener = h.send("shard-0", "node-1").then(() => (openerDone = true));
    // Joiners return at once: nothing of theirs waits on another node's call.
    h.advance(100);
    await h.send("shard-0", "node-2");
    h.advance(100);
    await h.send("shard-0", "node-3");
    expect(h.delivered).toEqual([]);
    expect(openerDone).toBe(false);
    h.windows[0]();
    await opener;
    expect(h.delivered).toEqual([
      {
        key: "shard-0",
        by: "node-1",
        batch: [
          { node: "node-1", at: 1_000 },
          { node: "node-2", at: 1_100 },
          { node: "node-3", at: 1_200 },
        ],
      },
    ]);
    expect(h.batches.openBatches).toBe(0);
  });

  it("keeps shards apart", async () => {
    const h = harness();
    const a = h.send("shard-0", "node-1");
    const b = h.send("shard-1", "node-2");
    await h.send("shard-0", "node-3");
    h.windows.forEach((end) => end());
    await Promise.all([a, b]);
    expect(h.delivered.map((d) => [d.key, nodes(d)])).toEqual([
      ["shard-0", ["node-1", "node-3"]],
      ["shard-1", ["node-2"]],
    ]);
  });

  it("is sent by the first renewal after its window when the opener's timer is late; the timer then sends nothing", async () => {
    const h = harness();
    // A busy thread: the opener's timer has not fired when the window is long over.
    const late = h.send("shard-0", "node-1");
    h.advance(200);
    await h.send("shard-0", "node-2");
    h.advance(300);
    await h.send("shard-0", "node-3");
    expect(h.delivered.map((d) => [d.by, nodes(d)])).toEqual([["node-3", ["node-1", "node-2", "node-3"]]]);
    // The next renewal opens the next batch.
    const next = h.send("shard-0", "node-4");
    expect(h.batches.openBatches).toBe(1);
    h.windows[0]();
    await late;
    expect(h.delivered).toHaveLength(1);
    h.windows[1]();
    await next;
    expect(h.delivered.map((d) => [d.by, nodes(d)])).toEqual([
      ["node-3", ["node-1", "node-2", "node-3"]],
      ["node-4", ["node-4"]],
    ]);
  });

  it("is sent by whoever comes next when its opener never comes back", async () => {
    const h = harness();
    // The opener's alarm was cut short: its window never ends.
    void h.send("shard-0", "node-1");
    h.advance(10_000);
    await h.send("shard-0", "node-2");
    expect(h.delivered.map((d) => [d.by, nodes(d)])).toEqual([["node-2", ["node-1", "node-2"]]]);
    expect(h.batches.openBatches).toBe(0);
  });

  it(`is sent at ${MAX_BATCH} renewals by the node that filled it, within its window`, async () => {
    const h = harness();
    const opener = h.send("shard-0", "node-0");
    for (let i = 1; i < MAX_BATCH; i++) await h.send("shard-0", `node-${i}`);
    expect(h.delivered.map((d) => [d.by, d.batch.length])).toEqual([[`node-${MAX_BATCH - 1}`, MAX_BATCH]]);
    const next = h.send("shard-0", `node-${MAX_BATCH}`);
    h.windows.forEach((end) => end());
    await Promise.all([opener, next]);
    expect(h.delivered.map((d) => d.batch.length)).toEqual([MAX_BATCH, 1]);
  });

  it("sends each renewal alone with a window of 0", async () => {
    const h = harness();
    await h.send("shard-0", "node-1", 0);
    await h.send("shard-0", "node-2", 0);
    expect(h.windows).toHaveLength(0);
    expect(h.delivered.map(nodes)).toEqual([["node-1"], ["node-2"]]);
  });

  it("rejects only the node whose call failed; the others had already returned", async () => {
    const batches = new RenewalBatches(
      () => Promise.resolve(),
      () => 0,
    );
    const failing = async () => {
      throw new Error("shard unavailable");
    };
    const opener = batches.send("shard-0", { node: "node-1", at: 0 }, 500, failing);
    await expect(batches.send("shard-0", { node: "node-2", at: 0 }, 500, failing)).resolves.toBeUndefined();
    await expect(opener).rejects.toThrow("shard unavailable");
    expect(batches.openBatches).toBe(0);
  });
});
