import { describe, it, expect } from "vitest";
import { MAX_FOLLOW_UPS, PokeCoalescer } from "../../src/controlplane/poke-coalescer";

/** Calls that stay in flight until the test lets each one return (or fail). */
function harness() {
  const coalescer = new PokeCoalescer();
  const calls: { key: string; poke: number; by: string; settle: (error?: Error) => void }[] = [];
  const send = (key: string, poke: number, by: string) =>
    coalescer.send(key, poke, Math.max, (p) => new Promise<void>((resolve, reject) => calls.push({ key, poke: p, by, settle: (e) => (e ? reject(e) : resolve()) })));
  /** Let the microtasks after a settled call run (the sender's next step). */
  const turn = () => new Promise<void>((r) => setTimeout(r, 0));
  return { coalescer, calls, send, turn };
}

describe("PokeCoalescer", () => {
  it("merges the pokes that come while one is in flight into one follow-up, sent by the caller in flight", async () => {
    const h = harness();
    let firstDone = false;
    const first = h.send("cache:pods", 10, "a").then(() => (firstDone = true));
    // The others return at once: nothing of theirs waits on another caller's call.
    await h.send("cache:pods", 12, "b");
    await h.send("cache:pods", 11, "c");
    expect(h.calls.map((c) => [c.poke, c.by])).toEqual([[10, "a"]]);
    h.calls[0].settle();
    await h.turn();
    // One follow-up with the highest revision, sent by the first caller.
    expect(h.calls.map((c) => [c.poke, c.by])).toEqual([
      [10, "a"],
      [12, "a"],
    ]);
    expect(firstDone).toBe(false);
    h.calls[1].settle();
    await first;
    expect(h.coalescer.inFlight).toBe(0);
  });

  it("keeps components apart", async () => {
    const h = harness();
    void h.send("cache:pods", 1, "a");
    void h.send("scheduler", 1, "b");
    expect(h.calls.map((c) => c.key)).toEqual(["cache:pods", "scheduler"]);
  });

  it("sends a poke at once when nothing is in flight to its component", async () => {
    const h = harness();
    const a = h.send("node:n1", 1, "a");
    h.calls[0].settle();
    await a;
    const b = h.send("node:n1", 2, "b");
    expect(h.calls.map((c) => [c.poke, c.by])).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    h.calls[1].settle();
    await b;
  });

  it(`stops merging after ${MAX_FOLLOW_UPS} follow-ups: later pokes go on their own while that flight ends`, async () => {
    const h = harness();
    const first = h.send("controllers", 0, "a");
    for (let i = 1; i <= MAX_FOLLOW_UPS; i++) {
      await h.send("controllers", i, `b${i}`);
      h.calls.at(-1)!.settle();
      await h.turn();
    }
    // The first caller has sent its own poke and MAX_FOLLOW_UPS follow-ups; the last is in flight.
    expect(h.calls.map((c) => c.by)).toEqual(Array.from({ length: MAX_FOLLOW_UPS + 1 }, () => "a"));
    const alone = h.send("controllers", 99, "z");
    expect(h.calls.at(-1)).toMatchObject({ poke: 99, by: "z" });
    h.calls.at(-1)!.settle();
    await alone;
    // Nothing was merged into the last follow-up, so the first caller is done after it.
    h.calls[MAX_FOLLOW_UPS].settle();
    await first;
    expect(h.calls).toHaveLength(MAX_FOLLOW_UPS + 2);
    expect(h.coalescer.inFlight).toBe(0);
  });

  it("sends the follow-up after a failed call, then rejects the caller whose call failed", async () => {
    const h = harness();
    const first = h.send("scheduler", 1, "a");
    const settled = first.then(
      () => "resolved",
      (e: Error) => e.message,
    );
    await h.send("scheduler", 2, "b");
    h.calls[0].settle(new Error("gone"));
    await h.turn();
    expect(h.calls.map((c) => c.poke)).toEqual([1, 2]);
    h.calls[1].settle();
    expect(await settled).toBe("gone");
    expect(h.coalescer.inFlight).toBe(0);
  });
});
