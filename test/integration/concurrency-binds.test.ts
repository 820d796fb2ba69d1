// Binds racing for the last room on a node. pods/binding does not look at resources
// (upstream neither): the node's kubelet is the final authority and refuses what does
// not fit (phase Failed, OutOfcpu / OutOfpods), and the scheduler asks it before every
// bind (admit reserves the room). Whatever the interleaving, a node never runs more
// than it has, no pod is bound twice, and the losers are refused or stay to be
// rescheduled.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";
import { FakeClock, record, startNode, type AgentStub } from "./node-helpers";
import { waitFor } from "./helpers";
import { cpuMillis } from "../../src/model/quantity";
import { podRequests } from "../../src/model/pod-resources";
import type { Pod, Status } from "../../src/model/types";

const PODS = "/api/v1/namespaces/default/pods";

function cpuPod(name: string, cpu: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { race: "yes" } }, spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } } }], ...spec } };
}

async function create(body: unknown): Promise<Pod> {
  const res = await callJson<Pod>(PODS, { method: "POST", body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const bind = (pod: string, node: string) =>
  callJson<Status>(`${PODS}/${pod}/binding`, { method: "POST", body: { apiVersion: "v1", kind: "Binding", metadata: { name: pod }, target: { kind: "Node", name: node } } });

async function podsOn(node: string): Promise<Pod[]> {
  return (await callJson<{ items: Pod[] }>(`${PODS}?fieldSelector=spec.nodeName%3D${node}`)).body.items;
}

/** The pods a node holds: bound there and not refused (Failed) by its kubelet. */
const holding = (pods: Pod[]) => pods.filter((p) => p.status?.phase !== "Failed");

/** Every pod bound to `node` has been seen by its kubelet: admitted or refused. */
async function kubeletDecided(stub: AgentStub, node: string): Promise<Pod[] | false> {
  const pods = await podsOn(node);
  for (const p of pods) {
    const rec = await record(stub, p.metadata.uid!);
    if (!rec || (rec.admission === "rejected" && p.status?.phase !== "Failed")) return false;
  }
  return pods;
}

/** The invariant: what the node holds fits its CPU and pod count, in the API and in the kubelet. */
async function expectNotOvercommitted(stub: AgentStub, node: string, cpu: string, maxPods: number): Promise<Pod[]> {
  const pods = await podsOn(node);
  const held = holding(pods);
  const used = held.reduce((sum, p) => sum + podRequests(p).milliCPU, 0);
  expect(used, `${node}: ${held.map((p) => p.metadata.name).join(",")}`).toBeLessThanOrEqual(cpuMillis(cpu));
  expect(held.length).toBeLessThanOrEqual(maxPods);
  for (const p of pods) {
    const rec = await record(stub, p.metadata.uid!);
    expect(rec?.admission, p.metadata.name).toBe(p.status?.phase === "Failed" ? "rejected" : "admitted");
    if (p.status?.phase === "Failed") expect(p.status.reason).toMatch(/^OutOf(cpu|pods)$/);
  }
  return held;
}

describe("binds racing for a nearly full node", () => {
  it("direct pods/binding: each pod bound once, the kubelets refuse what does not fit", async () => {
    const clock = new FakeClock();
    const nodes = { "race-a": await startNode("race-a", clock, { cpu: "1" }), "race-b": await startNode("race-b", clock, { cpu: "1" }) };
    // Half of each node is taken already.
    for (const n of Object.keys(nodes)) await create(cpuPod(`hog-${n}`, "500m", { nodeName: n }));
    await waitFor(async () => (await kubeletDecided(nodes["race-a"], "race-a")) && (await kubeletDecided(nodes["race-b"], "race-b")), "the hogs admitted");

    const names = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
    await Promise.all(names.map((n) => create(cpuPod(n, "200m", { schedulerName: "nobody" }))));
    // Every pod is bound to both nodes at once: 16 binds in flight.
    const binds = await Promise.all(
      names.flatMap((n, i) => (i % 2 ? ["race-b", "race-a"] : ["race-a", "race-b"]).map((node) => bind(n, node).then((r) => ({ n, node, ...r })))),
    );
    let refusedBinds = 0;
    for (const n of names) {
      const mine = binds.filter((b) => b.n === n);
      const won = mine.filter((b) => b.status === 201);
      expect(won, n).toHaveLength(1);
      const lost = mine.find((b) => b.status !== 201)!;
      expect(lost.status).toBe(409);
      expect(lost.body).toMatchObject({ reason: "Conflict", message: `Operation cannot be fulfilled on pods/binding "${n}": pod ${n} is already assigned to node "${won[0].node}"` });
      refusedBinds++;
      const stored = (await callJson<Pod>(`${PODS}/${n}`)).body;
      expect(stored.spec.nodeName).toBe(won[0].node);
    }

    // The bind commits poke the kubelets; wait until each has decided on all its pods.
    let admitted = 0;
    for (const [name, stub] of Object.entries(nodes)) {
      const pods = await waitFor(() => kubeletDecided(stub, name), `${name}'s kubelet to decide`);
      const racers = pods.filter((p) => p.metadata.name!.startsWith("racer-"));
      const held = await expectNotOvercommitted(stub, name, "1", 110);
      // 500m taken, 200m each: exactly two more fit, whichever came first.
      expect(held.filter((p) => p.metadata.name!.startsWith("racer-"))).toHaveLength(Math.min(2, racers.length));
      admitted += held.length - 1;
    }
    expect(admitted).toBeLessThanOrEqual(4);
    console.log(`binding race: ${binds.length} binds for ${names.length} pods, ${refusedBinds} refused as already bound, ${admitted} pods admitted, ${names.length - admitted} refused by the kubelets`);
  });

  it("the node's pod count holds too: OutOfpods for the binds beyond it", async () => {
    const clock = new FakeClock();
    const stub = await startNode("race-count", clock, { pods: 3 });
    const names = Array.from({ length: 7 }, (_, i) => `count-${i}`);
    await Promise.all(names.map((n) => create(cpuPod(n, "10m", { schedulerName: "nobody" }))));
    const binds = await Promise.all(names.map((n) => bind(n, "race-count")));
    expect(binds.map((b) => b.status)).toEqual(Array(names.length).fill(201));
    await waitFor(() => kubeletDecided(stub, "race-count"), "the kubelet to decide");
    const held = await expectNotOvercommitted(stub, "race-count", "4", 3);
    expect(held).toHaveLength(3);
    const refused = (await podsOn("race-count")).filter((p) => p.status?.phase === "Failed");
    expect(refused.map((p) => p.status?.reason)).toEqual(Array(4).fill("OutOfpods"));
  });

  it("the scheduler and direct binds at once: the node never holds more than it has; the scheduler's losers wait", async () => {
    const clock = new FakeClock();
    const stub = await startNode("race-sched", clock, { cpu: "1" });
    const pin = { nodeSelector: { "kubernetes.io/hostname": "race-sched" } };
    // 300m each: three fit in 1 CPU. Six wait for the scheduler, three are bound directly.
    const scheduled = Array.from({ length: 6 }, (_, i) => `sched-${i}`);
    const direct = Array.from({ length: 3 }, (_, i) => `direct-${i}`);
    await Promise.all([
      ...scheduled.map((n) => create(cpuPod(n, "300m", pin))),
      ...direct.map(async (n) => {
        await create(cpuPod(n, "300m", { ...pin, schedulerName: "nobody" }));
        expect((await bind(n, "race-sched")).status).toBe(201);
      }),
    ]);
    // Settled: every pod is either decided by the kubelet or told by the scheduler why it waits.
    await waitFor(async () => {
      if (!(await kubeletDecided(stub, "race-sched"))) return false;
      for (const n of scheduled) {
        const p = (await callJson<Pod>(`${PODS}/${n}`)).body;
        const waiting = p.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
        if (!p.spec.nodeName && !waiting) return false;
      }
      // Room freed by a refused pod is taken again: the node ends up full.
      return holding(await podsOn("race-sched")).length === 3;
    }, "the scheduler and the kubelet to settle");
    const held = await expectNotOvercommitted(stub, "race-sched", "1", 110);
    expect(held).toHaveLength(3);
    for (const n of scheduled) {
      const p = (await callJson<Pod>(`${PODS}/${n}`)).body;
      // The scheduler asks the kubelet first: it never binds a pod the node then refuses.
      if (p.spec.nodeName) expect(p.status?.phase).not.toBe("Failed");
      else expect(p.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False" });
    }
  });
});
