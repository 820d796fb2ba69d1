// DaemonSets inside workerd: the API worker, the ControllerManager (DaemonSet
// controller), the scheduler (places the pinned pods), node agents and the node
// lifecycle controller. The DaemonSet selects nodes by a label, so the bootstrap's
// nodes take part only once labelled. A node joins and gets its pod; a node stops
// matching and loses it; a node fails and its daemon pod stays bound to it (its
// tolerations), with no replacement anywhere else.
import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";
import { settleControllers } from "./controller-helpers";
import { FakeClock, lifecycleOf, startNode } from "./node-helpers";
import { drainUntil } from "./fault-helpers";
import { waitFor } from "./scheduler-helpers";
import type { ControllerRevision, DaemonSet, Event, Node, Pod } from "../../src/model/types";

const NS = "ds-int";
const APPS = `/apis/apps/v1/namespaces/${NS}`;
const POOL = "ds.edgekube.test/pool";

function daemonSet(name: string, image = "nginx:1.27") {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { [POOL]: name }, containers: [{ name: "agent", image }] } },
    },
  };
}

const labelNode = (node: string, key: string, value: string | null) =>
  callJson(`/api/v1/nodes/${node}`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { [key]: value } } } });
const pods = async (app: string) => (await callJson<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`)).body.items;
const live = async (app: string) => (await pods(app)).filter((p) => !p.metadata.deletionTimestamp);
const ds = async (name: string) => (await callJson<DaemonSet>(`${APPS}/daemonsets/${name}`)).body;
const pinnedTo = (p: Pod) => p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

async function setup(name: string): Promise<void> {
  const ns = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
  expect([201, 409]).toContain(ns.status);
  await waitFor(async () => ((await callJson<{ items: Node[] }>("/api/v1/nodes")).body.items.length >= 3 ? true : undefined), 15_000, "the bootstrap's nodes");
  const res = await callJson<DaemonSet>(`${APPS}/daemonsets`, { method: "POST", body: daemonSet(name) });
  expect(res.status).toBe(201);
  expect(res.body.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  expect(res.body.metadata.annotations?.["deprecated.daemonset.template.generation"]).toBe("1");
}

describe("DaemonSet controller", () => {
  it("runs one pod per matching node, bound there by the scheduler; a joining node gets one, a node that stops matching loses it", { timeout: 120_000 }, async () => {
    await setup("agent");
    for (const n of ["node-1", "node-2"]) expect((await labelNode(n, POOL, "agent")).status).toBe(200);
    const two = await waitFor(async () => {
      const l = await live("agent");
      return l.length === 2 && l.every((p) => p.spec.nodeName && p.spec.nodeName === pinnedTo(p)) ? l : undefined;
    }, 30_000, "two bound daemon pods");
    expect(two.map((p) => p.spec.nodeName).sort()).toEqual(["node-1", "node-2"]);
    const hash = two[0].metadata.labels?.["controller-revision-hash"];
    expect(two.every((p) => p.metadata.labels?.["controller-revision-hash"] === hash && p.metadata.ownerReferences?.[0]?.kind === "DaemonSet")).toBe(true);

    const revisions = (await callJson<{ items: ControllerRevision[] }>(`${APPS}/controllerrevisions`)).body.items;
    expect(revisions.map((r) => [r.metadata.name, r.revision])).toEqual([[`agent-${hash}`, 1]]);

    // A node joins with the label: it gets its pod.
    await startNode("ds-join", new FakeClock(), { labels: { [POOL]: "agent" } });
    const joined = await waitFor(async () => (await live("agent")).find((p) => pinnedTo(p) === "ds-join"), 30_000, "a pod for the joining node");
    expect(joined.spec.tolerations).toContainEqual({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" });

    // node-2 stops matching: its pod is deleted, nothing replaces it.
    expect((await labelNode("node-2", POOL, null)).status).toBe(200);
    await waitFor(async () => {
      const l = await live("agent");
      return l.length === 2 && !l.some((p) => pinnedTo(p) === "node-2") ? l : undefined;
    }, 30_000, "node-2's pod gone");
    await settleControllers();
    const st = (await ds("agent")).status!;
    expect(st).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, observedGeneration: 1 });
    const events = (await callJson<{ items: Event[] }>(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dagent`)).body.items;
    expect(events.filter((e) => e.reason === "SuccessfulCreate").length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.reason === "SuccessfulDelete" && e.source?.component === "daemonset-controller")).toBe(true);
  });

  it("a failed node keeps its daemon pod: marked unreachable, never evicted, never recreated elsewhere", { timeout: 120_000 }, async () => {
    await setup("sturdy");
    const clock = new FakeClock();
    const stub = await startNode("ds-fail", clock, { labels: { [POOL]: "sturdy" } });
    const cluster = { clock, timed: [stub, lifecycleOf("ds-fail")], polled: [] };
    const pod = await drainUntil(cluster, async () => {
      const [p] = await live("sturdy");
      return p?.spec.nodeName === "ds-fail" && p.status?.phase === "Running" ? p : undefined;
    }, "the daemon pod running on ds-fail", { stepMs: 2_000 });

    expect((await labelNode("ds-fail", "sim.edgekube.io/fault", "crash")).status).toBe(200);
    await stub.poke();
    await drainUntil(cluster, async () => {
      const n = (await callJson<Node>("/api/v1/nodes/ds-fail")).body;
      return n.spec.taints?.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute");
    }, "ds-fail tainted unreachable:NoExecute", { stepMs: 5_000 });
    // Five minutes on (the default toleration of other pods is 300 s), nothing happened to it.
    const later = clock.t + 360_000;
    await drainUntil(cluster, async () => clock.t >= later, "six minutes on", { stepMs: 10_000 });
    await settleControllers();
    const after = await pods("sturdy");
    expect(after).toHaveLength(1);
    expect(after[0].metadata.uid).toBe(pod.metadata.uid);
    expect(after[0].metadata.deletionTimestamp).toBeUndefined();
    expect(after[0].spec.nodeName).toBe("ds-fail");
    const st = (await ds("sturdy")).status!;
    // Not desired on a node that takes no new pods, but still current there (as upstream counts it).
    expect(st).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });
  });

  it("refuses invalid DaemonSets with upstream's messages and stores nothing", async () => {
    const bad = daemonSet("bad");
    (bad.spec as Record<string, unknown>).updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } };
    bad.spec.template.metadata.labels = { app: "other" };
    const res = await callJson<{ reason: string; details: { causes: { field: string; message: string }[] } }>(`${APPS}/daemonsets`, { method: "POST", body: bad });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    expect(res.body.details.causes).toEqual(
      expect.arrayContaining([
        { reason: "FieldValueInvalid", field: "spec.template.metadata.labels", message: 'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`' },
        { reason: "FieldValueInvalid", field: "spec.updateStrategy.rollingUpdate.maxSurge", message: "Invalid value: 1: may not be set when maxUnavailable is non-zero" },
      ]),
    );
    expect((await callJson(`${APPS}/daemonsets/bad`)).status).toBe(404);
  });
});
