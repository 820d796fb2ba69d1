// A node's ONE alarm (pod syncs, image pulls, crash-loop restarts, heartbeats)
// delivered once, twice or late. The same scenario runs on three nodes, one per
// delivery: a web pod and a crash-looping pod, stepped through the node's timers.
// Twice must end exactly where once ends; late may restart the crasher on other
// beats, but never more than once per due restart, and never duplicates a pod, a
// container or an event beyond upstream's counting. A late heartbeat still counts:
// the lifecycle controller re-checks before it marks anything.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, lifecycleOf, nextTimer, podEvents, runningContainers, startNode, type AgentStub } from "./node-helpers";
import { DELIVERIES, deliver, eventCounts, faults, type Delivery } from "./fault-helpers";
import type { Node, Pod } from "../../src/model/types";

// One clock for the file: every node here reports to a lifecycle controller shard
// that may also watch another of them, and a shard runs on one clock.
const clock = new FakeClock();
const STEPS = 30;
const CRASHER = "ghcr.io/edgekube/crasher:1.0.0";

interface PodView {
  phase?: string;
  ready?: string;
  restarts: number;
  state: string;
  events: Record<string, number>;
}

interface End {
  pods: Record<string, PodView>;
  bound: number;
  running: string[];
  ready?: string;
}

async function view(delivery: Delivery, node: string, stub: AgentStub): Promise<End> {
  const pods: Record<string, PodView> = {};
  for (const kind of ["web", "crash"]) {
    const p = (await getPod(`${delivery}-${kind}`)) as Pod;
    const c = p.status?.containerStatuses?.[0];
    pods[kind] = {
      phase: p.status?.phase,
      ready: p.status?.conditions?.find((x) => x.type === "Ready")?.status,
      restarts: c?.restartCount ?? 0,
      state: Object.keys(c?.state ?? {}).join(","),
      events: eventCounts(await podEvents(`${delivery}-${kind}`)),
    };
  }
  const bound = (await callJson<{ items: Pod[] }>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`)).body.items.length;
  const running = (await runningContainers(stub)).map((r) => r.replace(`${delivery}-`, ""));
  const ready = (await callJson<Node>(`/api/v1/nodes/${node}`)).body.status?.conditions?.find((c) => c.type === "Ready")?.status;
  return { pods, bound, running, ready };
}

async function scenario(delivery: Delivery): Promise<End> {
  const node = `alarm-node-${delivery}`;
  const stub = await startNode(node, clock);
  await createPod(boundPod(`${delivery}-web`, node));
  await createPod(boundPod(`${delivery}-crash`, node, { containers: [{ name: "app", image: CRASHER }] }));
  await stub.poke();
  for (let i = 0; i < STEPS; i++) {
    const at = await nextTimer(stub);
    if (at === undefined) break;
    await deliver(stub, clock, at, delivery);
  }
  // The heartbeat is due again: delivered (late, for the late node), then the node
  // lifecycle controller's alarm runs at that same moment. Its deadline for the node
  // may be long past, but the renewal that just arrived is what it re-checks.
  const beat = await nextTimer(stub, "lifecycle:");
  expect(beat).toBeDefined();
  await deliver(stub, clock, beat!, delivery);
  await deliver(lifecycleOf(node), clock, clock.t, delivery === "late" ? "once" : delivery);
  return view(delivery, node, stub);
}

describe("a node's alarm delivered once, twice or late", () => {
  const ends = new Map<Delivery, End>();

  for (const delivery of DELIVERIES) {
    it(`${delivery}: no duplicate pod, container or event; the node stays Ready`, async () => {
      const end = await scenario(delivery);
      ends.set(delivery, end);
      expect(end.bound).toBe(2);
      expect(end.ready).toBe("True");
      expect((await podEvents(`alarm-node-${delivery}`)).map((e) => e.reason)).not.toContain("NodeNotReady");
      const { web, crash } = end.pods;
      expect(web).toMatchObject({ phase: "Running", ready: "True", restarts: 0, state: "running" });
      // The web pod's life is one pull, one create, one start: nothing recorded twice.
      expect(web.events).toEqual({ Pulling: 1, Pulled: 1, Created: 1, Started: 1 });
      // The crasher: one container at most running, one start per restart.
      expect(end.running.filter((c) => c.startsWith("web/"))).toEqual(["web/app"]);
      expect(end.running.filter((c) => c.startsWith("crash/")).length).toBeLessThanOrEqual(1);
      expect(crash.restarts).toBeGreaterThanOrEqual(1);
      expect(crash.events.Started).toBe(crash.restarts + 1);
      // A late alarm restarts what is due once: no burst of catch-up restarts.
      expect(crash.restarts).toBeLessThanOrEqual(STEPS + 1);
      expect(crash.events.Created).toBe(crash.events.Started);
      expect(crash.events.Pulling).toBe(1);
    });
  }

  it("twice ends exactly where once ends", () => {
    expect(ends.get("twice")).toEqual(ends.get("once"));
    console.log(`node alarms: once ${JSON.stringify(ends.get("once")?.pods.crash)}, late ${JSON.stringify(ends.get("late")?.pods.crash)}; faults ${JSON.stringify(faults)}`);
  });
});
