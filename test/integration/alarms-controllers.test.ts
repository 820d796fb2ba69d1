// The controller manager's alarm (its persistent queue's due keys and the periodic
// resync) delivered once, twice or late. A Deployment is written without the
// controllers hearing of it (a lost poke), so only the resync on the alarm finds it;
// however the alarm comes, the Deployment gets one ReplicaSet and exactly its replicas
// in pods, with one ScalingReplicaSet event and one SuccessfulCreate per pod.
import { beforeAll, describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson, waitFor } from "./helpers";
import { FakeClock } from "./node-helpers";
import { DELIVERIES, deliver, eventCounts, faults, type Delivery } from "./fault-helpers";
import { ObjectStore } from "../../src/store/store";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { readConfig } from "../../src/config";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { Event, Pod, ReplicaSet } from "../../src/model/types";

const clock = new FakeClock();
const cm = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
const REPLICAS = 3;
/** Writes that wake nobody: a registry over a store without listeners. */
const silent = new Registry(new ObjectStore(env.DB), { now: clock.now, defaults: defaultingFrom(readConfig(env)) });

function deployment(name: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "app", image: "nginx:1.27" }] } },
    },
  };
}

const replicaSets = async (app: string) => (await callJson<{ items: ReplicaSet[] }>(`/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${app}`)).body.items;
const pods = async (app: string) => (await callJson<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).body.items;
const events = async (name: string) => (await callJson<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`)).body.items;

interface End {
  replicaSets: number;
  pods: number;
  names: number;
  deploymentEvents: Record<string, number>;
  replicaSetEvents: Record<string, number>;
}

async function scenario(delivery: Delivery): Promise<End> {
  const app = `${delivery}-app`;
  await runInDurableObject(cm, (m: ControllerManager) => m.useClock(clock.now));
  await silent.create("deployments.apps", deployment(app));
  expect(await replicaSets(app)).toEqual([]);

  // The next resync is what finds it.
  const at = await runInDurableObject(cm, (_m: ControllerManager, state) => state.storage.kv.get<number>("resync-at"));
  expect(at).toBeDefined();
  await deliver(cm, clock, at!, delivery);
  await waitFor(async () => (await pods(app)).length >= REPLICAS, `${app}'s pods`);
  // Whatever was queued meanwhile runs, and more deliveries, now and later, add nothing.
  await runInDurableObject(cm, (m: ControllerManager) => m.flush());
  await deliver(cm, clock, clock.t, "twice");
  await deliver(cm, clock, clock.t, "late");
  await runInDurableObject(cm, (m: ControllerManager) => m.flush());

  const rs = await replicaSets(app);
  const all = await pods(app);
  return {
    replicaSets: rs.length,
    pods: all.length,
    names: new Set(all.map((p) => p.metadata.name)).size,
    deploymentEvents: eventCounts(await events(app)),
    replicaSetEvents: eventCounts(rs[0] ? await events(rs[0].metadata.name!) : []),
  };
}

describe("the controller manager's alarm delivered once, twice or late", () => {
  // The cluster exists (the API creates its namespaces on first use).
  beforeAll(async () => expect((await callJson("/api/v1/namespaces/default")).status).toBe(200));
  const ends = new Map<Delivery, End>();
  for (const delivery of DELIVERIES) {
    it(`${delivery}: one ReplicaSet, ${REPLICAS} pods, no duplicate event`, async () => {
      const end = await scenario(delivery);
      ends.set(delivery, end);
      expect(end).toEqual({ replicaSets: 1, pods: REPLICAS, names: REPLICAS, deploymentEvents: { ScalingReplicaSet: 1 }, replicaSetEvents: { SuccessfulCreate: REPLICAS } });
    });
  }
  it("all three end alike", () => {
    expect(ends.get("twice")).toEqual(ends.get("once"));
    expect(ends.get("late")).toEqual(ends.get("once"));
    console.log(`controller alarms: faults ${JSON.stringify(faults)}`);
  });
});
