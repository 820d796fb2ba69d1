// Back-off timing on the node's one alarm, with an injected clock: image pulls that
// fail (ErrImagePull, then ImagePullBackOff, retried after 10 s, 20 s, 40 s...), a
// crashing container (restarted at once, then after 10 s, 20 s, 40 s... up to 300 s;
// forgotten after 10 minutes of running), and an alarm that fires twice.
import { describe, it, expect, beforeAll } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import { FakeClock, boundPod, createPod, getPod, podEvents, record, runUntil, startNode, step, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;

beforeAll(async () => {
  node = await startNode("kn-back", clock);
});

describe("image pull failures", () => {
  it("shows ErrImagePull, then ImagePullBackOff, retrying after 10 s, 20 s, 40 s, 80 s", async () => {
    const pod = await createPod(boundPod("badtag", "kn-back", { containers: [{ name: "app", image: "nginx:9.99" }] }));
    const t0 = clock.t;
    await node.poke();
    const first = (await getPod("badtag"))!;
    expect(first.status?.phase).toBe("Pending");
    expect(first.status?.containerStatuses?.[0].state?.waiting).toEqual({
      reason: "ErrImagePull",
      message:
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9.99": failed to resolve reference "docker.io/library/nginx:9.99": docker.io/library/nginx:9.99: not found',
    });
    let events = await podEvents("badtag");
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ["Normal", "Pulling", 'Pulling image "nginx:9.99"'],
      ["Warning", "Failed", `Failed to pull image "nginx:9.99": ${first.status?.containerStatuses?.[0].state?.waiting?.message}`],
      ["Warning", "Failed", "Error: ErrImagePull"],
    ]);

    await step(node, clock);
    const backoff = (await getPod("badtag"))!;
    expect(backoff.status?.containerStatuses?.[0].state?.waiting).toEqual({ reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:9.99"' });
    events = await podEvents("badtag");
    expect(events.find((e) => e.reason === "BackOff")).toMatchObject({ type: "Normal", message: 'Back-off pulling image "nginx:9.99"' });
    expect(events.find((e) => e.message === "Error: ImagePullBackOff")?.type).toBe("Warning");

    // Step through time, noting every pull attempt.
    const attempts: number[] = [];
    let last = -1;
    for (let i = 0; i < 60 && clock.t < t0 + 200_000; i++) {
      const rec = await record(node, pod.metadata.uid!);
      const at = rec?.containers.app.pull?.lastUpdate ?? -1;
      if (at !== last) attempts.push(at - t0);
      last = at;
      if (!(await step(node, clock, t0 + 200_000))) break;
    }
    expect(attempts).toEqual([0, 10_000, 30_000, 70_000, 150_000]);
    const pulling = (await podEvents("badtag")).find((e) => e.reason === "Pulling");
    expect(pulling?.count).toBe(5);
  });
});

describe("crash loops", () => {
  it("restarts at once, then backs off 10 s, 20 s, 40 s... capped at 300 s", async () => {
    const pod = await createPod(boundPod("crash", "kn-back", { containers: [{ name: "app", image: "ghcr.io/edgekube/crasher:1.0.0" }] }));
    await node.poke();
    const starts: number[] = [];
    const limit = clock.t + 1_500_000;
    for (let i = 0; i < 400 && clock.t < limit; i++) {
      const started = (await record(node, pod.metadata.uid!))?.containers.app.current?.startedAt;
      if (started && starts[starts.length - 1] !== started) starts.push(started);
      if (!(await step(node, clock, limit))) break;
    }
    // The crasher runs 2 s; the gap between an exit and the next start is the back-off.
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] + 2_000));
    expect(gaps.slice(0, 9)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it("reports CrashLoopBackOff with lastState, restartCount and a BackOff event", async () => {
    const pod = (await getPod("crash"))!;
    const uid = pod.metadata.uid;
    const cs = pod.status!.containerStatuses![0];
    if (cs.state?.waiting) {
      expect(cs.state.waiting.reason).toBe("CrashLoopBackOff");
      expect(cs.state.waiting.message).toBe(`back-off 5m0s restarting failed container=app pod=crash_default(${uid})`);
    }
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(cs.restartCount).toBeGreaterThanOrEqual(8);
    expect(pod.status?.phase).toBe("Running");
    const backoff = (await podEvents("crash")).find((e) => e.reason === "BackOff");
    expect(backoff).toMatchObject({ type: "Warning", message: `Back-off restarting failed container app in pod crash_default(${uid})` });
    expect(backoff!.count).toBeGreaterThan(3);
  });

  it("forgets the back-off once a container ran for 10 minutes", async () => {
    const pod = await createPod(boundPod("steady", "kn-back", { containers: [{ name: "app", image: "busybox:1.37", command: ["sh", "-c", "sleep 650; exit 1"] }] }));
    await node.poke();
    await runUntil(node, clock, clock.t + 1_400_000);
    // Two exits 650 s apart: each restarted at once, never CrashLoopBackOff.
    const rec = await record(node, pod.metadata.uid!);
    expect(rec?.containers.app.restartCount).toBe(2);
    expect(rec?.containers.app.crash?.delay).toBe(10_000);
  });
});

describe("the node's one alarm", () => {
  it("does nothing twice when it fires twice", async () => {
    const pod = await createPod(boundPod("twice", "kn-back", { containers: [{ name: "app", image: "ghcr.io/edgekube/crasher:1.0.0" }] }));
    await node.poke();
    await runUntil(node, clock, clock.t + 5_000); // started, crashed, restarted, crashed: back-off 10 s
    const before = (await getPod("twice"))!;
    expect(before.status?.containerStatuses?.[0].state?.waiting?.reason).toBe("CrashLoopBackOff");
    const restarts = before.status!.containerStatuses![0].restartCount;
    const eventsBefore = JSON.stringify(await podEvents("twice"));

    // The alarm fires twice for the same moment (late, and again): one restart only.
    const at = (await record(node, pod.metadata.uid!))!.containers.app.crash!.lastUpdate;
    expect(at).toBeGreaterThan(0);
    clock.t = clock.t + 10_000;
    await runInDurableObject(node, async (inst: NodeAgent) => {
      await inst.alarm();
      await inst.alarm();
    });
    const after = (await getPod("twice"))!;
    expect(after.status!.containerStatuses![0].restartCount).toBe(restarts + 1);
    const rv = after.metadata.resourceVersion;
    const eventsAfter = JSON.stringify(await podEvents("twice"));
    expect(eventsAfter).not.toBe(eventsBefore);
    // A sync timer due again (a duplicate delivery) finds nothing to do: no write at all.
    await runInDurableObject(node, async (inst: NodeAgent, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO timers (key, at, kind, payload) VALUES ('kubelet/duplicate', ?, 'kubelet-sync', 'null')", clock.t);
      await inst.alarm();
      await inst.alarm();
    });
    const again = (await getPod("twice"))!;
    expect(again.metadata.resourceVersion).toBe(rv);
    expect(again.status!.containerStatuses![0].restartCount).toBe(restarts + 1);
    expect(JSON.stringify(await podEvents("twice"))).toBe(eventsAfter);
  });
});
