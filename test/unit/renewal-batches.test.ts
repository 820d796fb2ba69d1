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
  const delivered: { key: string; batch: Renewal[] }[] = [];
  const deliver = (key: string) => async (batch: Renewal[]) => void delivered.push({ key, batch: [...batch] });
  const send = (key: string, node: string, at = t, windowMs = 500) => batches.send(key, { node, at }, windowMs, deliver(key));
  return {
    batches,
    delivered,
    send,
    windows,
    advance: (ms: number) => (t += ms),
    /** End the oldest open window. */
    closeWindow: () => windows.shift()!(),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("RenewalBatches", () => {
  it("sends the renewals that join an open batch in one call, by the node that opened it", async () => {
    const h = harness();
    let openerDone = false;
    const opener = h.send("shard-0", "node-1").then(() => (openerDone = true));
    // Joiners return at once: nothing of theirs waits on another node's call.
    await h.send("shard-0", "node-2");
    await h.send("shard-0", "node-3");
    expect(h.delivered).toEqual([]);
    expect(openerDone).toBe(false);
    h.closeWindow();
    await opener;
    expect(h.delivered).toEqual([{ key: "shard-0", batch: [{ node: "node-1", at: 1_000 }, { node: "node-2", at: 1_000 }, { node: "node-3", at: 1_000 }] }]);
    expect(h.batches.openBatches).toBe(0);
  });

  it("keeps shards apart", async () => {
    const h = harness();
    const a = h.send("shard-0", "node-1");
    const b = h.send("shard-1", "node-2");
    await h.send("shard-0", "node-3");
    h.closeWindow();
    h.closeWindow();
    await Promise.all([a, b]);
    expect(h.delivered.map((d) => [d.key, d.batch.map((r) => r.node)])).toEqual([
      ["shard-0", ["node-1", "node-3"]],
      ["shard-1", ["node-2"]],
    ]);
  });

  it("opens a new batch once the last one's window has ended", async () => {
    const h = harness();
    const first = h.send("shard-0", "node-1");
    h.closeWindow();
    await flush();
    // The first batch is closed (on its way): this renewal opens the next.
    const second = h.send("shard-0", "node-2");
    await first;
    expect(h.batches.openBatches).toBe(1);
    h.closeWindow();
    await second;
    expect(h.delivered.map((d) => d.batch.map((r) => r.node))).toEqual([["node-1"], ["node-2"]]);
  });

  it("sends each renewal alone with a window of 0", async () => {
    const h = harness();
    await h.send("shard-0", "node-1", 1_000, 0);
    await h.send("shard-0", "node-2", 1_000, 0);
    expect(h.windows).toHaveLength(0);
    expect(h.delivered.map((d) => d.batch.map((r) => r.node))).toEqual([["node-1"], ["node-2"]]);
  });

  it(`closes a batch at ${MAX_BATCH} renewals; the next renewal opens another`, async () => {
    const h = harness();
    const opener = h.send("shard-0", "node-0");
    for (let i = 1; i < MAX_BATCH; i++) await h.send("shard-0", `node-${i}`);
    expect(h.batches.openBatches).toBe(0);
    const next = h.send("shard-0", `node-${MAX_BATCH}`);
    expect(h.batches.openBatches).toBe(1);
    h.closeWindow();
    h.closeWindow();
    await Promise.all([opener, next]);
    expect(h.delivered.map((d) => d.batch.length)).toEqual([MAX_BATCH, 1]);
  });

  it("leaves a stale batch to its opener and opens another beside it, carrying nothing over", async () => {
    const h = harness();
    // The first opener's window has not ended when it should have (a late timer, or an
    // alarm cut short).
    const late = h.send("shard-0", "node-1");
    await h.send("shard-0", "node-2");
    // Within two windows a renewal still joins...
    h.advance(1_000);
    await h.send("shard-0", "node-3");
    expect(h.windows).toHaveLength(1);
    // ...past them, it opens a batch of its own.
    h.advance(1);
    const fresh = h.send("shard-0", "node-4");
    await h.send("shard-0", "node-5");
    expect(h.windows).toHaveLength(2);
    h.windows[1]();
    await fresh;
    // The late opener still sends its own batch, and only that.
    h.windows[0]();
    await late;
    expect(h.delivered.map((d) => d.batch.map((r) => r.node))).toEqual([
      ["node-4", "node-5"],
      ["node-1", "node-2", "node-3"],
    ]);
    expect(h.batches.openBatches).toBe(0);
  });

  it("rejects only the opener when the call fails; its joiners had already returned", async () => {
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
