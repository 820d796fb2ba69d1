// What the dashboard keeps of the cluster (public/ui/js/cluster-state.js) and what it
// marks for the next frame, and a node's usage as its box draws it (node-box.js).
import { describe, expect, it } from "vitest";
import { ClusterState, eventTime, keyOf } from "../../../public/ui/js/cluster-state.js";
import { readiness, usage } from "../../../public/ui/js/node-box.js";

const pod = (name: string, nodeName?: string, phase = "Running", cpu = "100m") => ({
  metadata: { namespace: "default", name },
  spec: { nodeName, containers: [{ name: "app", resources: { requests: { cpu, memory: "32Mi" } } }] },
  status: { phase },
});
const node = (name: string, ready = "True") => ({
  metadata: { name },
  status: { allocatable: { cpu: "2", memory: "4Gi", pods: "110" }, conditions: [{ type: "Ready", status: ready }] },
});
const podsOn = (s: ClusterState, n: string) => [...(s.podsByNode.get(n) ?? [])].sort();

describe("ClusterState", () => {
  it("indexes pods by node and follows a pod from unscheduled to bound to deleted", () => {
    const s = new ClusterState();
    let changes = 0;
    s.onChange = () => changes++;
    s.replacePods([pod("a", "n1"), pod("b"), pod("c", "n1")]);
    expect(podsOn(s, "n1")).toEqual(["default/a", "default/c"]);
    expect(podsOn(s, "")).toEqual(["default/b"]);
    expect(s.dirtyLayout).toBe(true);
    s.dirtyNodes.clear();

    // Bound: it leaves the unscheduled pods and joins its node; both are drawn again.
    s.podEvent("MODIFIED", pod("b", "n2"));
    expect(podsOn(s, "")).toEqual([]);
    expect(podsOn(s, "n2")).toEqual(["default/b"]);
    expect([...s.dirtyNodes].sort()).toEqual(["", "n2"]);
    expect(s.dirtyPods.has("default/b")).toBe(true);

    s.dirtyNodes.clear();
    s.podEvent("DELETED", pod("a", "n1"));
    expect(s.pods.has("default/a")).toBe(false);
    expect(podsOn(s, "n1")).toEqual(["default/c"]);
    expect([...s.dirtyNodes]).toEqual(["n1"]);
    expect(s.pods.size).toBe(2);
    expect(changes).toBe(3);
  });

  it("redraws the layout only when a node comes or goes", () => {
    const s = new ClusterState();
    s.replaceNodes([node("n1")]);
    s.dirtyLayout = false;
    s.nodeEvent("MODIFIED", node("n1", "False"));
    expect(s.dirtyLayout).toBe(false);
    expect(s.dirtyNodes.has("n1")).toBe(true);
    s.nodeEvent("ADDED", node("n2"));
    expect(s.dirtyLayout).toBe(true);
    s.dirtyLayout = false;
    s.nodeEvent("DELETED", node("n1"));
    expect(s.dirtyLayout).toBe(true);
    expect([...s.nodes.keys()]).toEqual(["n2"]);
  });

  it("redraws a node for its Lease only when the renewal moved and its box is shown", () => {
    const s = new ClusterState();
    const lease = (name: string, renewTime: string) => ({ metadata: { name }, spec: { renewTime } });
    s.replaceLeases([lease("n1", "t1"), lease("n2", "t1")], () => true);
    s.dirtyNodes.clear();
    s.replaceLeases([lease("n1", "t2"), lease("n2", "t2"), lease("n3", "t1")], (n) => n !== "n2");
    // n2 moved but is a tile; n3 is new and shown.
    expect([...s.dirtyNodes].sort()).toEqual(["n1", "n3"]);
    s.dirtyNodes.clear();
    s.replaceLeases([lease("n1", "t2"), lease("n3", "t1")], () => true);
    expect([...s.dirtyNodes]).toEqual([]);
    expect(s.leases.has("n2")).toBe(false);
  });

  it("keeps the newest events, oldest first, and hands each new one on", () => {
    const s = new ClusterState();
    const ev = (i: number) => ({ metadata: { name: `x.${i}` }, lastTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, 0) + Math.floor(i / 60) * 60_000).toISOString() });
    s.replaceEvents([ev(2), ev(0), ev(1)]);
    expect(s.events.map((e) => e.metadata.name)).toEqual(["x.0", "x.1", "x.2"]);
    const seen: string[] = [];
    s.onEvent = (_t, e) => seen.push(e.metadata.name);
    s.eventEvent("DELETED", ev(3));
    for (let i = 3; i < 700; i++) s.eventEvent("ADDED", ev(i));
    expect(seen).toHaveLength(697);
    expect(seen[0]).toBe("x.3");
    // Trimmed to the newest 300 when twice that have piled up; never more than 600.
    expect(s.events.length).toBeLessThanOrEqual(600);
    expect(s.events.at(-1).metadata.name).toBe("x.699");
    expect(s.events[0].metadata.name).toBe(`x.${700 - s.events.length}`);
  });

  it("finds a Service's EndpointSlices by the service-name label in its namespace", () => {
    const s = new ClusterState();
    const slice = (ns: string, name: string, svc: string) => ({ metadata: { namespace: ns, name, labels: { "kubernetes.io/service-name": svc } } });
    s.replaceSlices([slice("default", "web-abc", "web"), slice("other", "web-def", "web"), slice("default", "api-1", "api")]);
    s.sliceEvent("ADDED", slice("default", "web-xyz", "web"));
    s.sliceEvent("DELETED", slice("default", "web-abc", "web"));
    expect(s.slicesOf({ metadata: { namespace: "default", name: "web" } }).map(keyOf)).toEqual(["default/web-xyz"]);
  });
});

describe("eventTime", () => {
  it("reads the recorder's hex nanoseconds in the name, finer than the timestamps", () => {
    const ns = BigInt(Date.UTC(2026, 11, 6, 5, 0, 0, 123)) * 1_000_000n + 456_789n;
    expect(eventTime({ metadata: { name: `web-1.${ns.toString(16)}` }, lastTimestamp: "2026-12-06T05:00:00Z" })).toBe(Date.UTC(2026, 11, 6, 5, 0, 0, 123));
  });

  it("falls back to eventTime, lastTimestamp, firstTimestamp, then the creation time", () => {
    expect(eventTime({ metadata: { name: "x.notahexsuffix" }, eventTime: "2026-12-06T05:00:01.500000Z", lastTimestamp: "2026-12-06T04:00:00Z" })).toBe(Date.UTC(2026, 11, 6, 5, 0, 1, 500));
    expect(eventTime({ metadata: { name: "x" }, lastTimestamp: "2026-12-06T04:00:00Z" })).toBe(Date.UTC(2026, 11, 6, 4));
    expect(eventTime({ metadata: { name: "x", creationTimestamp: "2026-12-06T03:00:00Z" } })).toBe(Date.UTC(2026, 11, 6, 3));
    expect(eventTime({ metadata: {} })).toBe(0);
  });
});

describe("a node's usage and readiness", () => {
  it("counts the requests of the pods that still hold room, against allocatable", () => {
    const s = new ClusterState();
    s.replaceNodes([node("n1"), { metadata: { name: "n2" }, status: { capacity: { cpu: "4", memory: "1Gi", pods: "10" } } }]);
    s.replacePods([pod("a", "n1"), pod("b", "n1", "Pending", "250m"), pod("done", "n1", "Succeeded"), pod("failed", "n1", "Failed"), pod("c", "n2")]);
    const u = usage(s, "n1");
    expect(u.pods).toBe(2);
    expect(u.cpu).toBeCloseTo(0.35, 9);
    expect(u.memory).toBe(64 * 1024 ** 2);
    expect([u.cpuMax, u.memoryMax, u.podsMax]).toEqual([2, 4 * 1024 ** 3, 110]);
    // No allocatable reported: the capacity.
    expect([usage(s, "n2").cpuMax, usage(s, "n2").podsMax]).toEqual([4, 10]);
  });

  it("reads Ready=True, False and Unknown (or none) as the badge shows them", () => {
    expect(readiness(node("n", "True"))).toEqual({ status: "Ready", cls: "ready" });
    expect(readiness(node("n", "False"))).toEqual({ status: "NotReady", cls: "notready" });
    expect(readiness(node("n", "Unknown"))).toEqual({ status: "Unknown", cls: "notready" });
    expect(readiness({ metadata: { name: "n" } })).toEqual({ status: "Unknown", cls: "notready" });
  });
});
