// The scheduling loop against a real D1 store, without the API or node agents:
// kubelet admission and the clock are injected, so refusals, back-off and stale
// binds can be driven step by step.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { ObjectStore } from "../../src/store/store";
import { SchedulerLoop } from "../../src/scheduler/loop";
import { SchedulerState } from "../../src/scheduler/state";
import { makeNode, makePod } from "../../src/scheduler/fixtures";
import { seededRandom } from "../../src/util/seeded-random";
import type { AdmitResult } from "../../src/controlplane/node-api";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { readConfig } from "../../src/config";
import type { Event, KubeObject, Pod } from "../../src/model/types";

const store = new ObjectStore(env.DB);
const registry = new Registry(store, { now: () => now, defaults: defaultingFrom(readConfig({})) });
let now = Date.parse("2026-01-01T00:00:00Z");
let refuse = new Set<string>();
const admitted: string[] = [];
/** Each admission call: the node and the pods asked about, in order. */
const calls: { node: string; pods: string[] }[] = [];
/** Nodes whose kubelet cannot be reached (the call throws). */
let unreachable = new Set<string>();

const loop = new SchedulerLoop({
  store,
  registry,
  admit: async (node, pods): Promise<AdmitResult[]> => {
    calls.push({ node, pods: pods.map((p) => p.metadata.name!) });
    if (unreachable.has(node)) throw new Error(`node ${node} is unreachable`);
    return pods.map((pod): AdmitResult => {
      expect(pod.spec.nodeName).toBe(node);
      if (refuse.delete(pod.metadata.name!)) return { admitted: false, reason: "OutOfcpu", message: `Node didn't have enough resource: cpu` };
      admitted.push(`${pod.metadata.name}@${node}`);
      return { admitted: true };
    });
  },
  now: () => now,
  random: seededRandom(1),
});

function withUid<T extends KubeObject>(o: T): T {
  o.metadata.uid = crypto.randomUUID();
  return o;
}

async function createPod(name: string, cpu: string): Promise<Pod> {
  const p = withUid(makePod(name, { cpu }));
  p.spec.schedulerName = "default-scheduler";
  return (await store.create("pods", p)) as Pod;
}

async function run(): Promise<void> {
  await loop.refresh();
  await loop.drain(() => loop.refresh());
}

const get = async (name: string) => (await store.get("pods", "default", name)) as Pod;
const events = async (name: string) =>
  (await store.list("events", { namespace: "default", filter: (e) => (e as Event).involvedObject.name === name })).items as Event[];

beforeAll(async () => {
  await store.create("nodes", withUid(makeNode("n1", { cpu: "2" })));
  await store.create("nodes", withUid(makeNode("n2", { cpu: "2" })));
});

describe("scheduler loop", () => {
  it("binds a batch in one go, with a Scheduled event per pod", async () => {
    for (const n of ["a", "b", "c"]) await createPod(n, "500m");
    await run();
    for (const n of ["a", "b", "c"]) {
      const p = await get(n);
      expect(p.spec.nodeName).toMatch(/^n[12]$/);
      expect((await events(n)).map((e) => e.reason)).toEqual(["Scheduled"]);
    }
    expect(loop.state.queue.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  });

  it("a refused admission backs off, says why, and binds on the next attempt", async () => {
    refuse = new Set(["r"]);
    await createPod("r", "100m");
    await run();
    expect((await get("r")).spec.nodeName).toBeFalsy();
    expect(loop.state.queue.where("default/r")).toBe("backoff");
    const failed = await events("r");
    expect(failed[0]).toMatchObject({ reason: "FailedScheduling", type: "Warning" });
    expect(failed[0].message).toMatch(/^Binding rejected: node "n[12]" refused the pod: OutOfcpu: /);
    expect((await get("r")).status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "SchedulerError" });

    now += 1_000; // back-off over
    await run();
    expect((await get("r")).spec.nodeName).toMatch(/^n[12]$/);
  });

  it("asks each node once per batch; a refusal in a node's batch fails only that pod", async () => {
    const names = ["g1", "g2", "g3", "g4", "g5", "g6"];
    for (const n of names) await createPod(n, "10m");
    refuse = new Set(["g3"]);
    calls.length = 0;
    await loop.refresh();
    const batch = loop.decide();
    expect(batch.map((a) => a.info.pod.metadata.name)).toEqual(names);
    await loop.complete(batch);
    // One call per node chosen, each with that node's pods in decision order.
    const chosen = new Map<string, string[]>();
    for (const a of batch) if (a.kind === "bind") chosen.set(a.node, [...(chosen.get(a.node) ?? []), a.info.pod.metadata.name!]);
    expect(calls.map((c) => c.node).sort()).toEqual([...chosen.keys()].sort());
    for (const c of calls) expect(c.pods).toEqual(chosen.get(c.node));
    expect(calls.some((c) => c.pods.length > 1)).toBe(true);
    for (const n of names.filter((n) => n !== "g3")) expect((await get(n)).spec.nodeName).toMatch(/^n[12]$/);
    expect((await get("g3")).spec.nodeName).toBeFalsy();
    expect(loop.state.queue.where("default/g3")).toBe("backoff");
    expect((await events("g3"))[0].message).toMatch(/^Binding rejected: node "n[12]" refused the pod: OutOfcpu: /);
  });

  it("an unreachable kubelet fails the pods chosen for it, and only those", async () => {
    for (const n of ["u1", "u2", "u3", "u4"]) await createPod(n, "10m");
    await loop.refresh();
    const batch = loop.decide();
    const down = batch.find((a) => a.kind === "bind")!;
    unreachable = new Set([(down as { node: string }).node]);
    try {
      await loop.complete(batch);
    } finally {
      unreachable = new Set();
    }
    for (const a of batch) {
      const p = await get(a.info.pod.metadata.name!);
      if (a.kind === "bind" && a.node === (down as { node: string }).node) {
        expect(p.spec.nodeName).toBeFalsy();
        expect((await events(p.metadata.name!))[0].message).toBe(`Binding rejected: node "${a.node}" refused the pod: AdmitError: node ${a.node} is unreachable`);
      } else expect(p.spec.nodeName).toBeTruthy();
    }
    now += 1_000;
    await run();
    for (const a of batch) expect((await get(a.info.pod.metadata.name!)).spec.nodeName).toBeTruthy();
  });

  it("a pod changed after the decision fails alone; the rest of the batch binds", async () => {
    await createPod("x1", "100m");
    await createPod("x2", "100m");
    await loop.refresh();
    const batch = loop.decide();
    expect(batch).toHaveLength(2);
    const x1 = await get("x1");
    await store.update("pods", { ...x1, metadata: { ...x1.metadata, labels: { changed: "yes" } } });
    await loop.complete(batch);
    expect((await get("x1")).spec.nodeName).toBeFalsy();
    expect((await get("x2")).spec.nodeName).toBeTruthy();
    expect(loop.state.queue.where("default/x1")).toBe("backoff");
    now += 1_000;
    await run();
    expect((await get("x1")).spec.nodeName).toBeTruthy();
    expect((await get("x1")).metadata.labels).toEqual({ changed: "yes" });
  });

  it("writes an unschedulable pod once, however often it is retried", async () => {
    await createPod("huge", "8");
    await run();
    const first = await get("huge");
    expect(first.status?.conditions?.[0]).toMatchObject({ reason: "Unschedulable", message: expect.stringMatching(/^0\/2 nodes are available: 2 Insufficient cpu\./) });
    for (let i = 0; i < 3; i++) {
      loop.state.event("ForceActivate");
      now += 10_000;
      await run();
    }
    expect((await get("huge")).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(await events("huge")).toHaveLength(1);
    expect(loop.stats.unschedulable).toBeGreaterThanOrEqual(4);
  });

  it("frees a finished pod's room and wakes the pods waiting for it", async () => {
    // A pod just larger than any node's free cpu waits; finishing every pod of one node frees it.
    const usage = loop.state.view.usage();
    const maxFree = Math.max(...usage.map((u) => u.allocatableMilliCPU - u.milliCPU));
    expect(maxFree).toBeLessThan(2000);
    await createPod("wait", `${maxFree + 1}m`);
    await run();
    expect(loop.state.queue.where("default/wait")).toBe("unschedulable");
    const onN1 = (await store.list("pods", { nodeName: "n1" })).items as Pod[];
    for (const p of onN1) await store.update("pods", { ...p, status: { ...p.status, phase: "Succeeded" } });
    now += 1_000;
    await run();
    expect((await get("wait")).spec.nodeName).toBe("n1");
  });
});

describe("a fresh scheduler instance", () => {
  it("lists the cluster only when a pod waits for a node (or explain needs the view)", async () => {
    const fresh = new SchedulerLoop({ store, registry, admit: async (_node, pods) => pods.map(() => ({ admitted: true })), now: () => now, random: seededRandom(2) });
    // Every pod above is bound or parked... except "huge": make sure nothing is pending first.
    const huge = await get("huge");
    await store.remove("pods", huge);
    await fresh.refresh();
    expect(fresh.synced).toBe(false);
    expect(fresh.stats.relists).toBe(0);
    await fresh.refresh(true);
    expect(fresh.synced).toBe(true);
    expect(fresh.state.view.nodeCount).toBe(2);
  });
});

describe("scheduler state rules", () => {
  const pod = (name: string, rv: number, spec: Partial<Pod["spec"]> = {}): Pod => {
    const p = makePod(name, { cpu: "100m", spec });
    p.metadata.resourceVersion = String(rv);
    return p;
  };

  it("ignores a change older than what it holds", () => {
    const s = new SchedulerState({ now: () => 0 });
    s.applyNode(makeNode("n"), false);
    s.applyPod(pod("p", 5, { nodeName: "n" }), false);
    s.applyPod(pod("p", 3), false);
    expect(s.view.placement("default/p")?.node).toBe("n");
    expect(s.queue.where("default/p")).toBeUndefined();
  });

  it("a status-only change does not wake a parked pod, a spec change does", () => {
    let t = 0;
    const s = new SchedulerState({ now: () => t });
    s.applyPod(pod("p", 1), false);
    const info = s.queue.pop()!;
    s.queue.addUnschedulable(info, new Set(["NodeResourcesFit"]));
    const statusOnly = pod("p", 2);
    statusOnly.status = { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] };
    s.applyPod(statusOnly, false);
    expect(s.queue.where("default/p")).toBe("unschedulable");
    t = 5_000;
    s.applyPod(pod("p", 3, { nodeSelector: { disk: "ssd" } }), false);
    expect(s.queue.where("default/p")).toBe("active");
  });

  it("a relist drops pods that vanished and keeps the parked state of the rest", () => {
    const s = new SchedulerState({ now: () => 0 });
    s.applyPod(pod("gone", 1), false);
    s.applyPod(pod("parked", 2), false);
    const a = s.queue.pop()!;
    const b = s.queue.pop()!;
    s.queue.addUnschedulable(a.key === "default/parked" ? a : b, new Set(["NodeResourcesFit"]));
    s.queue.done(a.key === "default/gone" ? a.key : b.key);
    s.replaceAll([makeNode("n", { cpu: "1" })], [pod("parked", 2), pod("bound", 3, { nodeName: "n" })]);
    expect(s.queue.where("default/gone")).toBeUndefined();
    // A node appeared in the relist: that is a NodeAdd for the parked pod.
    expect(s.queue.where("default/parked")).not.toBe("unschedulable");
    expect(s.view.usage()[0]).toMatchObject({ node: "n", milliCPU: 100, pods: 1 });
  });
});
