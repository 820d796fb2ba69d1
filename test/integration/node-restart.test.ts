// A node Durable Object torn down and brought back (a restarted `wrangler dev`, an
// evicted object) resumes where it was: pods, logs, files and timers all live in its
// storage.
import { describe, it, expect } from "vitest";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import { call } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, getPod, nextTimer, record, runUntil, startNode, step } from "./node-helpers";

const clock = new FakeClock();

describe("a node that restarts", () => {
  it("keeps its pods, logs, volume files and timers", async () => {
    const node = await startNode("kn-restart", clock);
    await createPod(
      boundPod("keeper", "kn-restart", {
        volumes: [{ name: "data", emptyDir: {} }],
        containers: [{ name: "app", image: "gcr.io/google-samples/kubernetes-bootcamp:v1", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      }),
    );
    const crash = await createPod(boundPod("loop", "kn-restart", { containers: [{ name: "app", image: "ghcr.io/edgekube/crasher:1.0.0" }] }));
    await node.poke();
    await runUntil(node, clock, clock.t + 8_000);
    expect((await execWs("keeper", ["sh", "-c", "echo kept > /data/note; echo layer > /root/mine"])).exit?.status).toBe("Success");
    const logs = await (await call("/api/v1/namespaces/default/pods/keeper/log")).text();
    const before = (await getPod("keeper"))!;
    const crashBefore = (await record(node, crash.metadata.uid!))!.containers.app;
    const timer = await nextTimer(node);
    expect(timer).toBeDefined();

    await evictDurableObject(node);
    await runInDurableObject(node, (inst: NodeAgent) => inst.useClock(clock.now));

    expect(await nextTimer(node)).toBe(timer);
    expect(await (await call("/api/v1/namespaces/default/pods/keeper/log")).text()).toBe(logs);
    expect((await execWs("keeper", ["cat", "/data/note", "/root/mine"])).stdout).toBe("kept\nlayer\n");
    await node.poke();
    const after = (await getPod("keeper"))!;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.status?.containerStatuses?.[0].containerID).toBe(before.status?.containerStatuses?.[0].containerID);

    // The crash loop carries on with its back-off where it was.
    for (let i = 0; i < 10; i++) await step(node, clock);
    const crashAfter = (await record(node, crash.metadata.uid!))!.containers.app;
    expect(crashAfter.restartCount).toBeGreaterThan(crashBefore.restartCount);
    expect(crashAfter.crash!.delay).toBeGreaterThan(crashBefore.crash!.delay);
  });
});
