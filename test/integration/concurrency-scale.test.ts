// Several clients scale one Deployment at once (kubectl scale, an autoscaler, a
// person): every unconditional scale is applied to the latest version, so
// spec.replicas ends at the write the store accepted last, and the controllers converge
// the ReplicaSet and its pods to it. Pods carry a nodeSelector no node has, so they stay
// unbound (deletes are then immediate) and the count is the controllers' alone.
import { describe, it, expect } from "vitest";
import { callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Deployment, Pod, ReplicaSet, Status } from "../../src/model/types";

const NS = "default";
const APPS = `/apis/apps/v1/namespaces/${NS}`;
const CLIENTS = 8;

interface Scale {
  metadata: { resourceVersion: string };
  spec: { replicas: number };
}

function deployment(name: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "app", image: "nginx:1.27" }] } },
    },
  };
}

const pods = async (app: string) => (await callJson<{ items: Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`)).body.items.filter((p) => !p.metadata.deletionTimestamp);
const replicaSets = async (app: string) => (await callJson<{ items: ReplicaSet[] }>(`${APPS}/replicasets?labelSelector=app%3D${app}`)).body.items;
const live = async (name: string) => (await callJson<Deployment>(`${APPS}/deployments/${name}`)).body;

/** Converged: one ReplicaSet at `replicas`, that many pods, the Deployment's status saying so. */
async function converged(name: string, replicas: number): Promise<void> {
  await waitFor(async () => {
    const rs = await replicaSets(name);
    const d = await live(name);
    return rs.length === 1 && rs[0].spec.replicas === replicas && (await pods(name)).length === replicas && d.status?.replicas === replicas && d.status.observedGeneration === d.metadata.generation;
  }, `${name} at ${replicas} replicas`);
  await settleControllers();
  expect((await pods(name)).length).toBe(replicas);
  const names = (await pods(name)).map((p) => p.metadata.name);
  expect(new Set(names).size).toBe(names.length);
}

describe("concurrent scale of one Deployment", () => {
  it(`${CLIENTS} clients scale at once, 3 rounds: replicas end at the last accepted write, pods follow`, async () => {
    expect((await callJson(`${APPS}/deployments`, { method: "POST", body: deployment("scaled", 1) })).status).toBe(201);
    await converged("scaled", 1);
    for (let round = 0; round < 3; round++) {
      const wanted = Array.from({ length: CLIENTS }, (_, i) => ((round * 3 + i * 5) % 9) + 1);
      const writes = await Promise.all(
        wanted.map((n) => callJson<Scale>(`${APPS}/deployments/scaled/scale`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { replicas: n } } })),
      );
      expect(writes.map((w) => w.status)).toEqual(Array(CLIENTS).fill(200));
      // Each write got its own version; the highest is the one that stands.
      expect(new Set(writes.map((w) => w.body.metadata.resourceVersion)).size).toBe(CLIENTS);
      const last = writes.reduce((a, b) => (Number(b.body.metadata.resourceVersion) > Number(a.body.metadata.resourceVersion) ? b : a));
      expect((await live("scaled")).spec.replicas).toBe(last.body.spec.replicas);
      await converged("scaled", last.body.spec.replicas);
    }
  });

  it(`${CLIENTS} clients scale with the version they read (PUT): one wins, the others 409`, async () => {
    expect((await callJson(`${APPS}/deployments`, { method: "POST", body: deployment("pinned", 2) })).status).toBe(201);
    await converged("pinned", 2);
    const read = (await callJson<Scale>(`${APPS}/deployments/pinned/scale`)).body;
    const writes = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        callJson<Scale & Status>(`${APPS}/deployments/pinned/scale`, { method: "PUT", body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "pinned", namespace: NS, resourceVersion: read.metadata.resourceVersion }, spec: { replicas: i + 3 } } }),
      ),
    );
    const won = writes.filter((w) => w.status === 200);
    expect(won).toHaveLength(1);
    for (const w of writes.filter((x) => x.status !== 200)) {
      expect(w.body).toMatchObject({ code: 409, reason: "Conflict", message: `Operation cannot be fulfilled on deployments.apps "pinned": the object has been modified; please apply your changes to the latest version and try again` });
    }
    await converged("pinned", won[0].body.spec.replicas);
  });
});
