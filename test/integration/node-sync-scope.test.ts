// A poke about a node's pods converges the pods that changed (new, updated, gone, or
// whose containers the runtime moved on) and leaves the others' records and timers as
// they are, as upstream's pod workers each sync their own pod; a timer converges every
// pod. Each step pokes the node itself and awaits that sync, so what it reached shows.
import { describe, it, expect } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import type { PodRecord } from "../../src/node/kubelet/state";
import { FakeClock, boundPod, createPod, getPod, nextTimer, record, runUntil, startNode, type AgentStub } from "./node-helpers";

/** Write a marked copy of a pod's record to storage only (the kubelet's memory keeps its own): a sync that rewrites the record removes the mark. */
const markStored = (stub: AgentStub, uid: string) =>
  runInDurableObject(stub, (_inst: NodeAgent, state) => {
    const rec = state.storage.kv.get<PodRecord>(`kl/pod/${uid}`)!;
    state.storage.kv.put(`kl/pod/${uid}`, { ...rec, name: "marked" });
  });

describe("a poke about pods", () => {
  it("converges the pods that changed and keeps the others' records and timers", async () => {
    const clock = new FakeClock();
    const stub = await startNode("scope-1", clock);
    await runUntil(stub, clock, clock.t + 1);
    const steady = await createPod(boundPod("steady", "scope-1"));
    const crashing = await createPod(boundPod("crashing", "scope-1", { containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "exit 1"] }] }));
    await stub.poke({ node: false });
    await runUntil(stub, clock, clock.t + 3_000);
    expect((await getPod("crashing"))?.status?.containerStatuses?.[0].state?.waiting?.reason).toBe("CrashLoopBackOff");
    const backoff = `kubelet/backoff/${crashing.metadata.uid}/app`;
    const backoffAt = await nextTimer(stub, backoff);
    expect(backoffAt).toBeGreaterThan(clock.t);

    await markStored(stub, steady.metadata.uid!);
    await createPod(boundPod("third", "scope-1"));
    await stub.poke({ node: false });
    // The new pod is converged; the steady one's record is not written again, and the
    // crashing one's back-off timer stands.
    expect((await record(stub, (await getPod("third"))!.metadata.uid!))?.sandboxId).toBeDefined();
    expect((await record(stub, steady.metadata.uid!))?.name).toBe("marked");
    expect(await nextTimer(stub, backoff)).toBe(backoffAt);

    // A timer converges every pod: the back-off ends, the container restarts, and the
    // steady pod's record is written again.
    const restarts = (await getPod("crashing"))?.status?.containerStatuses?.[0].restartCount ?? 0;
    await runUntil(stub, clock, backoffAt! + 1_000);
    expect((await getPod("crashing"))?.status?.containerStatuses?.[0].restartCount).toBeGreaterThan(restarts);
    expect((await record(stub, steady.metadata.uid!))?.name).toBe("steady");
  });

  it("also converges a pod whose container the runtime saw end, though nothing else changed", async () => {
    const clock = new FakeClock();
    const stub = await startNode("scope-2", clock);
    await runUntil(stub, clock, clock.t + 1);
    await createPod(boundPod("job", "scope-2", { restartPolicy: "Never", containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "sleep 60"] }] }));
    await stub.poke({ node: false });
    await runUntil(stub, clock, clock.t + 5_000);
    expect((await getPod("job"))?.status?.phase).toBe("Running");
    // The exit's timer is not run: the clock passes it, and a poke about another pod comes.
    clock.t += 120_000;
    await createPod(boundPod("other", "scope-2"));
    await stub.poke({ node: false });
    expect((await getPod("job"))?.status?.phase).toBe("Succeeded");
  });
});
