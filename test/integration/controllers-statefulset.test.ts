// StatefulSets inside workerd: the API worker, the ControllerManager (StatefulSet
// controller, pod GC), the scheduler, node agents and the node lifecycle controller.
// Two nodes of their own (a label pool) on a test clock. The set's pods come up in
// order with their identity and claims; a node failure leaves its pods Terminating
// and the set creates no second pod of the same name (while a Deployment's pod on the
// same node is replaced at once); the out-of-service taint lets pod GC remove them,
// and the same names come back on the other node, with the data of their claims.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { callJson } from "./helpers";
import { settleControllers } from "./controller-helpers";
import { FakeClock, execWs, lifecycleOf, startNode } from "./node-helpers";
import { drainUntil } from "./fault-helpers";
import type { ControllerRevision, Event, Node, Pod, StatefulSet } from "../../src/model/types";

const NS = "sts-int";
const APPS = `/apis/apps/v1/namespaces/${NS}`;
const POOL = "sts.edgekube.test/pool";

function statefulSet(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name },
    spec: {
      replicas,
      serviceName: "nginx",
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { [POOL]: "on" }, containers: [{ name: "nginx", image: "nginx:1.27", volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      ...extra,
    },
  };
}

const list = async <T>(path: string) => (await callJson<{ items: T[] }>(path)).body.items;
const pods = (app: string) => list<Pod>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`);
const sts = async (name: string) => (await callJson<StatefulSet>(`${APPS}/statefulsets/${name}`)).body;
const ready = (p: Pod) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !p.metadata.deletionTimestamp;
const patchNode = (node: string, body: unknown) => callJson(`/api/v1/nodes/${node}`, { method: "PATCH", contentType: "application/merge-patch+json", body });

async function namespace(): Promise<void> {
  const ns = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
  expect([201, 409]).toContain(ns.status);
}

describe("StatefulSet controller", () => {
  it("serves the resource: defaults, scale, the immutable spec, and refuses bad sets with upstream's messages", async () => {
    await namespace();
    const created = await callJson<StatefulSet>(`${APPS}/statefulsets`, { method: "POST", body: { ...statefulSet("api", 0), spec: { ...statefulSet("api", 0).spec, template: { ...statefulSet("api", 0).spec.template, spec: { containers: [{ name: "c", image: "nginx" }] } } } } });
    expect(created.status).toBe(201);
    expect(created.body.spec).toMatchObject({ podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" } });
    expect(created.body.status).toEqual({ replicas: 0, availableReplicas: 0 });

    const scaled = await callJson<{ kind: string; spec: { replicas: number }; status: { selector: string } }>(`${APPS}/statefulsets/api/scale`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { replicas: 0 } } });
    expect(scaled.status).toBe(200);
    expect(scaled.body).toMatchObject({ kind: "Scale", spec: { replicas: 0 }, status: { selector: "app=api" } });

    const renamed = await callJson<{ reason: string; details: { causes: { field: string; message: string }[] } }>(`${APPS}/statefulsets/api`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { serviceName: "other" } } });
    expect(renamed.status).toBe(422);
    expect(renamed.body.details.causes).toEqual([
      {
        reason: "FieldValueForbidden",
        field: "spec",
        message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      },
    ]);
    expect((await sts("api")).spec.serviceName).toBe("nginx");

    const bad = statefulSet("bad", 1, { podManagementPolicy: "Sometimes" });
    bad.spec.template.metadata.labels = { app: "other" };
    const refused = await callJson<{ reason: string; details: { causes: { field: string; message: string }[] } }>(`${APPS}/statefulsets`, { method: "POST", body: bad });
    expect(refused.status).toBe(422);
    expect(refused.body.details.causes).toEqual(
      expect.arrayContaining([
        { reason: "FieldValueInvalid", field: "spec.podManagementPolicy", message: `Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'` },
        { reason: "FieldValueInvalid", field: "spec.template.metadata.labels", message: 'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`' },
      ]),
    );
    expect((await callJson(`${APPS}/statefulsets/bad`)).status).toBe(404);
  });

  it("a failed node: no second pod while the first is Terminating (a Deployment's is replaced at once); out of service, the same names come back elsewhere", { timeout: 180_000 }, async () => {
    await namespace();
    const clock = new FakeClock();
    const [a, b] = [await startNode("sts-a", clock), await startNode("sts-b", clock)];
    // The controller manager's and the scheduler's alarms run every round: pod GC looks at
    // a node at most once a second, and a pod waits in the scheduler's back-off until its claim is bound.
    const polled = [env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager")), env.SCHEDULER.get(env.SCHEDULER.idFromName("default-scheduler"))];
    const cluster = { clock, timed: [a, b, lifecycleOf("sts-a"), lifecycleOf("sts-b")], polled };
    // Only sts-a takes the pods at first.
    expect((await patchNode("sts-a", { metadata: { labels: { [POOL]: "on" } } })).status).toBe(200);
    expect((await callJson(`${APPS}/statefulsets`, { method: "POST", body: statefulSet("web", 2) })).status).toBe(201);
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "dep" }, spec: { replicas: 1, selector: { matchLabels: { app: "dep" } }, template: { metadata: { labels: { app: "dep" } }, spec: { nodeSelector: { [POOL]: "on" }, containers: [{ name: "c", image: "nginx:1.27" }] } } } };
    expect((await callJson(`${APPS}/deployments`, { method: "POST", body: dep })).status).toBe(201);

    const first = await drainUntil<Pod[]>(cluster, async () => {
      const l = await pods("web");
      const d = await pods("dep");
      return l.length === 2 && l.every(ready) && d.length === 1 && ready(d[0]) ? l : undefined;
    }, "web-0 and web-1 Running and Ready on sts-a", { stepMs: 2_000, timeoutMs: 60_000 });
    const byName: Record<string, Pod> = Object.fromEntries(first.map((p) => [p.metadata.name ?? "", p]));
    expect(Object.keys(byName).sort()).toEqual(["web-0", "web-1"]);
    for (const [name, p] of Object.entries(byName)) {
      expect(p.spec.nodeName).toBe("sts-a");
      expect(p.spec.hostname).toBe(name);
      expect(p.spec.subdomain).toBe("nginx");
      expect(p.metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": name.slice(4) });
      expect(p.spec.volumes?.[0]).toEqual({ name: "www", persistentVolumeClaim: { claimName: `www-${name}` } });
    }
    const claims = await list<{ metadata: { name: string; labels?: Record<string, string>; ownerReferences?: unknown[] } }>(`/api/v1/namespaces/${NS}/persistentvolumeclaims`);
    expect(claims.map((c) => c.metadata.name).sort()).toEqual(["www-web-0", "www-web-1"]);
    expect(claims.every((c) => c.metadata.labels?.app === "web" && !c.metadata.ownerReferences)).toBe(true);
    await settleControllers();
    const st = (await sts("web")).status!;
    const [rev] = await list<ControllerRevision>(`${APPS}/controllerrevisions?labelSelector=app%3Dweb`);
    expect(st).toMatchObject({ observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2, currentRevision: rev.metadata.name, updateRevision: rev.metadata.name, collisionCount: 0 });
    expect(byName["web-0"].metadata.labels?.["controller-revision-hash"]).toBe(rev.metadata.name);
    const events = (await list<Event>(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).map((e) => e.message);
    expect(events).toEqual(
      expect.arrayContaining(["create Claim www-web-0 Pod web-0 in StatefulSet web success", "create Pod web-0 in StatefulSet web successful", "create Pod web-1 in StatefulSet web successful"]),
    );

    // web-0 writes into its volume; the kubelet writes the volume back soon after.
    const write = await execWs("web-0", ["sh", "-c", "echo written-on-sts-a > /usr/share/nginx/html/index.html"], { namespace: NS });
    expect(write.status).toBe(101);
    await a.poke();
    await settleControllers();

    // sts-b joins the pool; sts-a crashes and, past the 300 s toleration, its pods are evicted.
    expect((await patchNode("sts-b", { metadata: { labels: { [POOL]: "on" } } })).status).toBe(200);
    expect((await patchNode("sts-a", { metadata: { labels: { "sim.edgekube.io/fault": "crash" } } })).status).toBe(200);
    await a.poke();
    const stuck = await drainUntil<Pod[]>(cluster, async () => {
      const l = await pods("web");
      return l.length === 2 && l.every((p) => p.metadata.deletionTimestamp) ? l : undefined;
    }, "web-0 and web-1 evicted (Terminating)", { stepMs: 10_000, timeoutMs: 60_000 });
    // The Deployment's replacement comes at once, on sts-b, beside its Terminating pod.
    const depPods = await drainUntil<Pod[]>(cluster, async () => {
      const d = await pods("dep");
      return d.length === 2 && d.some((p) => ready(p) && p.spec.nodeName === "sts-b") ? d : undefined;
    }, "the Deployment's replacement on sts-b", { stepMs: 2_000, timeoutMs: 60_000 });
    expect(depPods.filter((p) => p.metadata.deletionTimestamp).map((p) => p.spec.nodeName)).toEqual(["sts-a"]);
    // A minute on, with everything settled: still the same two Terminating pods, nothing more.
    const later = clock.t + 60_000;
    await drainUntil(cluster, async () => clock.t >= later, "a minute on", { stepMs: 10_000 });
    await settleControllers();
    const still = await pods("web");
    expect(still.map((p) => [p.metadata.name, p.metadata.uid, !!p.metadata.deletionTimestamp]).sort()).toEqual(stuck.map((p) => [p.metadata.name, p.metadata.uid, true]).sort());

    // The operator says sts-a is gone: pod GC removes its pods, web-0 and web-1 come back on sts-b.
    const down = (await callJson<Node>("/api/v1/nodes/sts-a")).body;
    const taints = [...(down.spec.taints ?? []), { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" }];
    expect((await patchNode("sts-a", { spec: { taints } })).status).toBe(200);
    const back = await drainUntil<Pod[]>(cluster, async () => {
      const l = await pods("web");
      return l.length === 2 && l.every((p) => ready(p) && p.spec.nodeName === "sts-b") ? l : undefined;
    }, "web-0 and web-1 back on sts-b", { stepMs: 2_000, timeoutMs: 60_000 });
    expect(back.map((p) => p.metadata.name).sort()).toEqual(["web-0", "web-1"]);
    const oldUids = new Set(stuck.map((p) => p.metadata.uid));
    expect(back.some((p) => oldUids.has(p.metadata.uid))).toBe(false);
    // Same claim, same volume: web-0's data came with it.
    const read = await drainUntil(cluster, async () => {
      const r = await execWs("web-0", ["cat", "/usr/share/nginx/html/index.html"], { namespace: NS });
      return r.stdout.trim() === "written-on-sts-a" ? r.stdout : undefined;
    }, "web-0's data on sts-b", { stepMs: 1_000, timeoutMs: 30_000 });
    expect(read.trim()).toBe("written-on-sts-a");
    // Same claims: nothing new was made.
    expect((await list<{ metadata: { name: string } }>(`/api/v1/namespaces/${NS}/persistentvolumeclaims`)).map((c) => c.metadata.name).sort()).toEqual(["www-web-0", "www-web-1"]);
    expect((await pods("dep")).filter((p) => p.spec.nodeName === "sts-a")).toEqual([]);
  });
});
