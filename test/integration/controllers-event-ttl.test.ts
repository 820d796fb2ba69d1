// Event expiry against a real D1 store with an injected clock: Events last seen more
// than EVENT_TTL ago are deleted (DELETED in the change log, as an etcd lease expiring
// is), newer ones stay, and an Event recorded again meanwhile survives its old age.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { ObjectStore } from "../../src/store/store";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { isoSeconds, readConfig } from "../../src/config";
import { newEvent } from "../../src/store/events";
import { EventTTLController } from "../../src/controllers/event-ttl";
import type { ControllerContext } from "../../src/controllers/context";
import type { Event, KubeObject } from "../../src/model/types";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-03-01T10:00:00Z");
let now = T0;
const config = readConfig({ EVENT_TTL: "1h" });
const store = new ObjectStore(env.DB);
const registry = new Registry(store, { now: () => now, defaults: defaultingFrom(config) });
const ctx: ControllerContext = { store, registry, now: () => now, config, enqueue: () => {}, terminating: new Set(), podUsage: async () => new Map() };
const ttl = new EventTTLController(ctx);

const about: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", uid: "u-web" } };
const record = (reason: string, at: number) =>
  registry.commit([{ op: "create", resource: "events", object: newEvent(about, { type: "Normal", reason, message: reason, source: { component: "kubelet", host: "node-1" } }, at) }]);

async function eventReasons(): Promise<string[]> {
  const { items } = await store.list("events", { namespace: "default" });
  return (items as Event[]).map((e) => e.reason ?? "").sort();
}

describe("event TTL", () => {
  it("deletes Events last seen before the TTL and keeps the rest", async () => {
    await record("Old", T0);
    await record("Refreshed", T0);
    await record("Recent", T0 + 50 * 60_000);
    const before = await store.revision();

    // An Event recorded again (count 2, a new lastTimestamp) lives on from then.
    const { items } = await store.list("events", { namespace: "default" });
    const refreshed = (items as Event[]).find((e) => e.reason === "Refreshed")!;
    await registry.commit([{ op: "update", resource: "events", object: { ...refreshed, count: 2, lastTimestamp: isoSeconds(T0 + 40 * 60_000) }, expectedRv: Number(refreshed.metadata.resourceVersion) }]);

    now = T0 + HOUR - 1_000;
    await ttl.reconcile();
    expect(await eventReasons()).toEqual(["Old", "Recent", "Refreshed"]);

    now = T0 + HOUR + 1_000;
    await ttl.reconcile();
    expect(await eventReasons()).toEqual(["Recent", "Refreshed"]);
    // A second sweep (an alarm that fires twice) finds nothing more to do.
    await ttl.reconcile();
    expect(await eventReasons()).toEqual(["Recent", "Refreshed"]);

    const log = await store.changesSince("events", before.rv);
    expect(log.filter((c) => c.type === "DELETED").map((c) => (c.object as Event).reason)).toEqual(["Old"]);

    now = T0 + 2 * HOUR;
    await ttl.reconcile();
    expect(await eventReasons()).toEqual([]);
  });

  it("sweeps a backlog larger than one batch by asking to run again", async () => {
    now = T0;
    for (let i = 0; i < 3; i++) {
      await registry.commit(Array.from({ length: 200 }, (_, j) => ({ op: "create" as const, resource: "events", object: newEvent(about, { type: "Normal", reason: `Bulk${i}-${j}`, message: "m", source: { component: "kubelet" } }, T0) })));
    }
    now = T0 + 2 * HOUR;
    let rounds = 0;
    for (let again = true; again; rounds++) again = (await ttl.reconcile())?.requeueAfterMs === 0;
    expect(rounds).toBe(2);
    expect(await eventReasons()).toEqual([]);
  });
});
