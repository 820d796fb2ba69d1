// A poke about a node's pods only re-reads its pods; one about its Node object (or one
// that does not say) reads the Node too, and picks up a fault set there. The Node is
// changed here straight in the store, which pokes nobody, so each poke's effect shows.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { ObjectStore } from "../../src/store/store";
import type { Node } from "../../src/model/types";
import { FakeClock, boundPod, createPod, runUntil, runningContainers, startNode } from "./node-helpers";

async function labelQuietly(name: string, labels: Record<string, string>): Promise<void> {
  const store = new ObjectStore(env.DB);
  await store.guaranteedUpdate("nodes", "", name, (node) => {
    const n = node as Node;
    n.metadata.labels = { ...n.metadata.labels, ...labels };
    return n;
  });
}

describe("a node's poke", () => {
  it("about its pods does not read the Node; about the Node (or unsaid) it does, and a crash there stops its containers", async () => {
    const clock = new FakeClock();
    const stub = await startNode("poke-1", clock);
    await runUntil(stub, clock, clock.t + 1);
    await createPod(boundPod("first", "poke-1"));
    await stub.poke({ node: false });
    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual(["first/app"]);

    await labelQuietly("poke-1", { "sim.edgekube.io/fault": "crash" });
    // Pods only: the crash label is not read, the new pod starts beside the first.
    await createPod(boundPod("second", "poke-1"));
    await stub.poke({ node: false });
    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual(["first/app", "second/app"]);

    // The Node changed: read, the crash stops every container.
    await stub.poke({ node: true });
    expect(await runningContainers(stub)).toEqual([]);
    // From now on a pods-only poke goes on the fault last seen: nothing starts.
    await createPod(boundPod("third", "poke-1"));
    await stub.poke({ node: false });
    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual([]);
  });

  it("that does not say what changed reads the Node", async () => {
    const clock = new FakeClock();
    const stub = await startNode("poke-2", clock);
    await runUntil(stub, clock, clock.t + 1);
    await createPod(boundPod("only", "poke-2"));
    await stub.poke();
    await runUntil(stub, clock, clock.t + 5_000);
    expect(await runningContainers(stub)).toEqual(["only/app"]);
    await labelQuietly("poke-2", { "sim.edgekube.io/fault": "crash" });
    await stub.poke();
    expect(await runningContainers(stub)).toEqual([]);
  });
});
