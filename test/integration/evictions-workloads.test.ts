// Durable Objects evicted while they have work in flight: their memory is gone, their
// storage stays, and they must carry on from it. The same Deployment story runs twice,
// on two nodes in two namespaces: once undisturbed, once with the controller manager,
// the scheduler and the node evicted between creating the Deployment and its pods
// running, and again during a rollout. Both must end alike: the right number of pods
// Running, one ReplicaSet per template, no duplicate pod or event, nothing lost.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson } from "./helpers";
import { FakeClock, lifecycleOf, startNode, type AgentStub } from "./node-helpers";
import { drainUntil, evict, eventCounts, faults } from "./fault-helpers";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { Scheduler } from "../../src/scheduler/scheduler-do";
import type { Deployment, Event, Pod, ReplicaSet } from "../../src/model/types";

const clock = new FakeClock();
const cm = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
const scheduler = env.SCHEDULER.get(env.SCHEDULER.idFromName("default-scheduler"));
const REPLICAS = 3;

function deployment(node: string, image: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { nodeSelector: { "kubernetes.io/hostname": node }, containers: [{ name: "web", image }] } },
    },
  };
}

const list = async <T>(path: string) => (await callJson<{ items: T[] }>(path)).body.items;
const pods = (ns: string) => list<Pod>(`/api/v1/namespaces/${ns}/pods`);
const replicaSets = (ns: string) => list<ReplicaSet>(`/apis/apps/v1/namespaces/${ns}/replicasets`);
const events = (ns: string) => list<Event>(`/api/v1/namespaces/${ns}/events`);
const live = async (ns: string) => (await callJson<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).body;

const running = (p: Pod) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !p.metadata.deletionTimestamp;

/** Rolled out: every pod is the template's image and Running, the Deployment says so. */
async function rolledOut(ns: string, image: string): Promise<boolean> {
  const all = await pods(ns);
  const d = await live(ns);
  return (
    all.length === REPLICAS &&
    all.every((p) => running(p) && p.spec.containers[0].image === image) &&
    d.status?.updatedReplicas === REPLICAS &&
    d.status.availableReplicas === REPLICAS &&
    d.status.replicas === REPLICAS &&
    d.status.observedGeneration === d.metadata.generation
  );
}

interface End {
  pods: number;
  names: number;
  images: string[];
  replicaSets: { replicas: number | undefined; image: string }[];
  events: Record<string, number>;
}

async function end(ns: string): Promise<End> {
  const all = await pods(ns);
  const rs = await replicaSets(ns);
  // The kubelet's events are per pod (Pulling, Started, ...): counted, names aside.
  return {
    pods: all.length,
    names: new Set(all.map((p) => p.metadata.name)).size,
    images: all.map((p) => p.spec.containers[0].image ?? "").sort(),
    replicaSets: rs.map((r) => ({ replicas: r.spec.replicas, image: r.spec.template.spec.containers[0].image ?? "" })).sort((a, b) => a.image.localeCompare(b.image)),
    events: eventCounts(await events(ns)),
  };
}

async function story(ns: string, node: AgentStub, nodeName: string, disrupt: (phase: string) => Promise<void>): Promise<End> {
  const cluster = { clock, timed: [node, lifecycleOf(nodeName)], polled: [scheduler, cm] };
  expect((await callJson("/apis/apps/v1/namespaces/" + ns + "/deployments", { method: "POST", body: deployment(nodeName, "nginx:1.27") })).status).toBe(201);
  await disrupt("created");
  await drainUntil(cluster, async () => (await pods(ns)).length === REPLICAS, "the pods to exist");
  await disrupt("pods exist");
  await drainUntil(cluster, async () => (await pods(ns)).every((p) => p.spec.nodeName), "the pods to be bound");
  await disrupt("bound");
  await drainUntil(cluster, () => rolledOut(ns, "nginx:1.27"), "the first rollout");

  const patched = await callJson(`/apis/apps/v1/namespaces/${ns}/deployments/web`, { method: "PATCH", contentType: "application/strategic-merge-patch+json", body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } } });
  expect(patched.status).toBe(200);
  await disrupt("rollout started");
  await drainUntil(cluster, async () => (await replicaSets(ns)).length === 2 && (await pods(ns)).some((p) => p.spec.containers[0].image === "nginx:1.28"), "the new ReplicaSet's first pod");
  await disrupt("mid-rollout");
  await drainUntil(cluster, () => rolledOut(ns, "nginx:1.28"), "the second rollout");
  // Settled: the controllers have nothing left that changes anything.
  await runInDurableObject(cm, (m: ControllerManager) => m.flush());
  return end(ns);
}

describe("evictions mid-operation: a Deployment created and rolled out", () => {
  beforeAll(async () => {
    for (const ns of ["ev-base", "ev-faults"]) {
      expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } } })).status).toBe(201);
    }
    await runInDurableObject(cm, (m: ControllerManager) => m.useClock(clock.now));
    await runInDurableObject(scheduler, (s: Scheduler) => s.useClock(clock.now));
  });

  let baseline: End;

  it("undisturbed", async () => {
    const node = await startNode("ev-base-node", clock);
    baseline = await story("ev-base", node, "ev-base-node", async () => undefined);
    expect(baseline.pods).toBe(REPLICAS);
    expect(baseline.names).toBe(REPLICAS);
    expect(baseline.images).toEqual(Array(REPLICAS).fill("nginx:1.28"));
    expect(baseline.replicaSets).toEqual([
      { replicas: 0, image: "nginx:1.27" },
      { replicas: REPLICAS, image: "nginx:1.28" },
    ]);
  });

  it("with the controller manager, the scheduler and the node evicted at every step: the same end", async () => {
    const node = await startNode("ev-faults-node", clock);
    const disrupted: string[] = [];
    const end = await story("ev-faults", node, "ev-faults-node", async (phase) => {
      for (const stub of [cm, scheduler, node]) await evict(stub, clock);
      disrupted.push(phase);
    });
    expect(disrupted).toHaveLength(5);
    expect(end).toEqual(baseline);
    console.log(`evictions: ${JSON.stringify(end)}; faults ${JSON.stringify(faults)}`);
  });
});
