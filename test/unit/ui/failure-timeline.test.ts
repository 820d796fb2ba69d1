// The node failure timeline (public/ui/js/failure-timeline.js) built from events: which
// events count for which failure, and in what order they must come.
import { describe, expect, it } from "vitest";
import { FailureTimeline } from "../../../public/ui/js/failure-timeline.js";

const T0 = Date.UTC(2026, 11, 6, 5, 0, 0);
const ev = (kind: string, name: string, reason: string, atMs: number) => ({
  metadata: { name: `${name}.x` },
  involvedObject: { kind, name },
  reason,
  eventTime: new Date(T0 + atMs).toISOString(),
});

describe("FailureTimeline", () => {
  it("tells detection, evictions, replacements bound and started, and recovery", () => {
    const t = new FailureTimeline();
    // Before the failure: a pod scheduled and started is nobody's replacement.
    t.add(ev("Pod", "old", "Scheduled", -5000));
    expect(t.dirty).toBe(false);
    t.add(ev("Node", "n2", "NodeNotReady", 0));
    expect(t.dirty).toBe(true);
    // Bound before any eviction: not a replacement (the failure's pods are not out yet).
    t.add(ev("Pod", "early", "Scheduled", 500));
    t.add(ev("Pod", "web-1", "TaintManagerEviction", 5000));
    t.add(ev("Pod", "web-2", "TaintManagerEviction", 5100));
    t.add(ev("Pod", "web-3", "Scheduled", 5200));
    t.add(ev("Pod", "web-4", "Scheduled", 5300));
    // Started without having been bound in this failure: not counted.
    t.add(ev("Pod", "early", "Started", 5400));
    t.add(ev("Pod", "web-3", "Started", 6000));
    t.add(ev("Pod", "web-3", "Pulled", 5900));
    const f = t.open();
    expect(f?.node).toBe("n2");
    expect(f?.detectedAt).toBe(T0);
    expect([...(f?.evicted.keys() ?? [])]).toEqual(["web-1", "web-2"]);
    expect([...(f?.bound.keys() ?? [])]).toEqual(["web-3", "web-4"]);
    expect([...(f?.running.entries() ?? [])]).toEqual([["web-3", T0 + 6000]]);

    t.add(ev("Node", "n2", "NodeReady", 30_000));
    expect(t.open()).toBeUndefined();
    expect(t.failures[0].recoveredAt).toBe(T0 + 30_000);
    // After recovery, pod events belong to no failure.
    t.add(ev("Pod", "web-5", "TaintManagerEviction", 31_000));
    expect(t.failures[0].evicted.size).toBe(2);
  });

  it("opens one failure per node however often NotReady is said, and keeps the last five", () => {
    const t = new FailureTimeline();
    t.add(ev("Node", "n1", "NodeNotReady", 0));
    t.add(ev("Node", "n1", "NodeNotReady", 1000));
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0].detectedAt).toBe(T0);
    for (let i = 2; i <= 7; i++) t.add(ev("Node", `n${i}`, "NodeNotReady", i * 1000));
    expect(t.failures.map((f) => f.node)).toEqual(["n3", "n4", "n5", "n6", "n7"]);
    // Pod events go to the newest failure still open.
    t.add(ev("Node", "n7", "NodeReady", 8000));
    t.add(ev("Pod", "p", "TaintManagerEviction", 9000));
    expect(t.open()?.node).toBe("n6");
    expect(t.open()?.evicted.has("p")).toBe(true);
    // A NodeReady for a node with no open failure changes nothing.
    t.dirty = false;
    t.add(ev("Node", "n99", "NodeReady", 10_000));
    expect(t.dirty).toBe(false);
  });

  it("ignores pod events older than the detection", () => {
    const t = new FailureTimeline();
    t.add(ev("Node", "n1", "NodeNotReady", 10_000));
    t.add(ev("Pod", "late-delivered", "TaintManagerEviction", 9_000));
    expect(t.open()?.evicted.size).toBe(0);
  });
});
