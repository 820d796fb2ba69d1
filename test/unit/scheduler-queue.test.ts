import { beforeEach, describe, expect, it } from "vitest";
import type { Pod } from "../../src/model/types";
import { type ClusterEvent, nodeUpdateEvents } from "../../src/scheduler/events";
import { makeNode, makePod } from "../../src/scheduler/fixtures";
import { seededRandom } from "../../src/util/seeded-random";
import { KeyedHeap } from "../../src/util/heap";
import { SchedulingQueue } from "../../src/scheduler/queue";

let now = 0;
let q: SchedulingQueue;
beforeEach(() => {
  now = 1_000_000;
  q = new SchedulingQueue({ now: () => now });
});

const pod = (name: string, priority?: number): Pod => makePod(name, { spec: priority === undefined ? {} : { priority } });
const popName = () => q.pop()?.pod.metadata.name;

describe("activeQ ordering", () => {
  it("highest priority first, then arrival order", () => {
    q.add(pod("a"));
    now++;
    q.add(pod("b", 10));
    now++;
    q.add(pod("c"));
    now++;
    q.add(pod("d", 10));
    q.add(pod("e", -5));
    expect([popName(), popName(), popName(), popName(), popName(), popName()]).toEqual(["b", "d", "a", "c", "e", undefined]);
  });

  it("pods added in the same millisecond keep first-in first-out order", () => {
    for (const n of ["x", "y", "z"]) q.add(pod(n));
    expect([popName(), popName(), popName()]).toEqual(["x", "y", "z"]);
  });

  it("a priority change reorders a queued pod", () => {
    q.add(pod("a"));
    q.add(pod("b"));
    q.update(pod("b", 100));
    expect(popName()).toBe("b");
  });

  it("counts attempts", () => {
    q.add(pod("a"));
    const info = q.pop()!;
    expect(info.attempts).toBe(1);
    expect(info.initialAttemptTimestamp).toBe(now);
    expect(q.where("default/a")).toBe("inFlight");
  });
});

describe("back-off", () => {
  it("waits 1 s, 2 s, 4 s, 8 s, then 10 s per failed attempt", () => {
    q.add(pod("a"));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const info = q.pop()!;
      expect(info.attempts).toBe(attempt);
      q.addBackoff(info);
      expect(q.where("default/a")).toBe("backoff");
      const readyAt = q.nextBackoffAt()!;
      waits.push(readyAt - now);
      now = readyAt - 1;
      expect(q.pop()).toBeUndefined(); // not a millisecond early
      now = readyAt;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    expect(popName()).toBe("a");
  });

  it("back-off durations as a function of attempts", () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((attempts) => q.backoffDuration({ attempts }))).toEqual([0, 1000, 2000, 4000, 8000, 10000, 10000]);
    const fast = new SchedulingQueue({ now: () => now, initialBackoffMs: 100, maxBackoffMs: 300 });
    expect([1, 2, 3].map((attempts) => fast.backoffDuration({ attempts }))).toEqual([100, 200, 300]);
  });
});

describe("unschedulable pods", () => {
  it("wait for a relevant event, then go back through back-off", () => {
    q.add(pod("big"));
    const info = q.pop()!;
    q.addUnschedulable(info, new Set(["NodeResourcesFit"]));
    expect(q.where("default/big")).toBe("unschedulable");
    expect(q.moveAllToActiveOrBackoff("NodeLabelChange")).toBe(0);
    expect(q.moveAllToActiveOrBackoff("NodeTaintChange")).toBe(0);
    now += 500;
    expect(q.moveAllToActiveOrBackoff("NodeAdd")).toBe(1);
    expect(q.where("default/big")).toBe("backoff"); // its 1 s back-off has not ended yet
    expect(q.pop()).toBeUndefined();
    now += 500;
    expect(popName()).toBe("big");
  });

  it("once the back-off is over, an event moves the pod straight to activeQ", () => {
    q.add(pod("big"));
    q.addUnschedulable(q.pop()!, new Set(["NodeResourcesFit"]));
    now += 5000;
    q.moveAllToActiveOrBackoff("AssignedPodDelete");
    expect(q.where("default/big")).toBe("active");
  });

  it("only events relevant to the rejecting plugins wake a pod", () => {
    const cases: [string, ClusterEvent, boolean][] = [
      ["NodeUnschedulable", "NodeTaintChange", true],
      ["NodeUnschedulable", "AssignedPodDelete", false],
      ["TaintToleration", "NodeTaintChange", true],
      ["NodeAffinity", "NodeLabelChange", true],
      ["NodeAffinity", "NodeAllocatableChange", false],
      ["NodePorts", "AssignedPodDelete", true],
      ["NodeResourcesFit", "NodeAllocatableChange", true],
      ["NodeResourcesFit", "NodeConditionChange", false],
      ["NodeName", "ForceActivate", true],
    ];
    for (const [plugin, event, moves] of cases) {
      q = new SchedulingQueue({ now: () => now });
      q.add(pod("p"));
      q.addUnschedulable(q.pop()!, new Set([plugin]));
      expect([plugin, event, q.moveAllToActiveOrBackoff(event)]).toEqual([plugin, event, moves ? 1 : 0]);
    }
  });

  it("an event that arrives while the pod is being scheduled is not lost", () => {
    q.add(pod("big"));
    const info = q.pop()!;
    q.moveAllToActiveOrBackoff("NodeAdd"); // a node joins mid-cycle
    q.addUnschedulable(info, new Set(["NodeResourcesFit"]));
    expect(q.where("default/big")).toBe("backoff");
  });

  it("an irrelevant in-flight event still parks the pod", () => {
    q.add(pod("big"));
    const info = q.pop()!;
    q.moveAllToActiveOrBackoff("NodeLabelChange");
    q.addUnschedulable(info, new Set(["NodeResourcesFit"]));
    expect(q.where("default/big")).toBe("unschedulable");
  });

  it("are retried after 5 minutes without any event", () => {
    q.add(pod("big"));
    q.addUnschedulable(q.pop()!, new Set(["NodeResourcesFit"]));
    expect(q.nextWakeAt()).toBe(now + 5 * 60_000);
    now += 5 * 60_000 - 1;
    expect(q.pop()).toBeUndefined();
    now += 1;
    expect(popName()).toBe("big");
  });

  it("a spec change re-activates a parked pod, a status-only change does not", () => {
    q.add(pod("p"));
    q.addUnschedulable(q.pop()!, new Set(["NodeAffinity"]));
    q.update({ ...pod("p"), status: { phase: "Pending" } });
    expect(q.where("default/p")).toBe("unschedulable");
    now += 2000;
    q.update(makePod("p", { spec: { nodeSelector: { zone: "a" } } }));
    expect(q.where("default/p")).toBe("active");
    expect(q.pop()?.pod.spec.nodeSelector).toEqual({ zone: "a" });
  });

  it("a pod updated while in flight is retried with the new object", () => {
    q.add(pod("p"));
    const info = q.pop()!;
    q.update(pod("p", 50));
    q.addUnschedulable(info, new Set(["NodeAffinity"]));
    expect(q.where("default/p")).toBe("backoff");
    expect(q.get("default/p")?.priority).toBe(50);
  });
});

describe("delete and done", () => {
  it("a pod deleted while in flight is not re-queued by a late failure report", () => {
    q.add(pod("p"));
    const info = q.pop()!;
    q.delete("default/p");
    expect(q.addUnschedulable(info, new Set(["NodeResourcesFit"]))).toBe(false);
    expect(q.addBackoff(info)).toBe(false);
    expect(q.where("default/p")).toBeUndefined();
  });

  it("delete removes a pod from any queue; done forgets a bound pod", () => {
    q.add(pod("a"));
    q.add(pod("b"));
    q.delete("default/a");
    expect(popName()).toBe("b");
    q.done("default/b");
    expect(q.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  });

  it("adding a known pod again is an update, not a duplicate", () => {
    q.add(pod("a"));
    q.add(pod("a"));
    expect(q.stats().active).toBe(1);
  });
});

describe("nextWakeAt", () => {
  it("is the earliest of back-off end and unschedulable timeout", () => {
    expect(q.nextWakeAt()).toBeUndefined();
    q.add(pod("a"));
    q.add(pod("b"));
    q.addUnschedulable(q.pop()!, new Set(["NodeResourcesFit"]));
    now += 10;
    q.addBackoff(q.pop()!);
    expect(q.nextBackoffAt()).toBe(now + 1000);
    expect(q.nextWakeAt()).toBe(now + 1000);
  });
});

describe("nodeUpdateEvents", () => {
  it("names what changed", () => {
    const a = makeNode("n", { labels: { zone: "a" } });
    expect(nodeUpdateEvents(a, a)).toEqual([]);
    expect(nodeUpdateEvents(a, makeNode("n", { labels: { zone: "b" } }))).toEqual(["NodeLabelChange"]);
    expect(nodeUpdateEvents(a, makeNode("n", { labels: { zone: "a" }, unschedulable: true }))).toEqual(["NodeTaintChange"]);
    expect(nodeUpdateEvents(a, makeNode("n", { labels: { zone: "a" }, cpu: "8" }))).toEqual(["NodeAllocatableChange"]);
  });
});

describe("KeyedHeap", () => {
  it("pops in order under random pushes, replacements and deletes", () => {
    const rnd = seededRandom(42);
    const h = new KeyedHeap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
    const model = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const k = `k${Math.floor(rnd() * 50)}`;
      const op = rnd();
      if (op < 0.6) {
        const v = Math.floor(rnd() * 1000);
        h.push({ k, v });
        model.set(k, v);
      } else if (op < 0.8) {
        expect(h.delete(k)?.v).toBe(model.get(k));
        model.delete(k);
      } else {
        const top = h.pop();
        const min = Math.min(...model.values());
        expect(top?.v).toBe(model.size ? min : undefined);
        if (top) model.delete(top.k);
      }
      expect(h.size).toBe(model.size);
    }
  });
});
