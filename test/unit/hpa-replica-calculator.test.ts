// The HPA's replica calculator, case by case from upstream's rules
// (replica_calculator.go and its tests): utilization over ready pods, the tolerance,
// conservative handling of pods without metrics and of unready pods.
import { describe, it, expect } from "vitest";
import { resourceReplicas, rawResourceReplicas, DEFAULT_CALCULATOR_CONFIG, type PodMetric } from "../../src/controllers/hpa-replica-calculator";
import type { Pod } from "../../src/model/types";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

interface P {
  name: string;
  request?: string | null;
  phase?: "Running" | "Pending" | "Failed";
  /** Ready False (a pod still starting: it started 10 s ago). */
  unready?: boolean;
  deleting?: boolean;
}

function pod(p: P): Pod {
  const started = p.unready ? NOW - 10_000 : NOW - 3_600_000;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: p.name, namespace: "default", uid: `uid-${p.name}`, ...(p.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/hpa-example", ...(p.request === null ? {} : { resources: { requests: { cpu: p.request ?? "1" } } }) }] },
    status: {
      phase: p.phase ?? "Running",
      startTime: iso(started),
      conditions: [{ type: "Ready", status: p.unready ? "False" : "True", lastTransitionTime: iso(started + 1000) }],
    },
  } as Pod;
}

const metric = (value: number): PodMetric => ({ value, timestamp: NOW - 1000, windowMs: 15_000 });

function run(pods: P[], usage: Record<string, number>, target: number, current = pods.length) {
  return resourceReplicas(
    { currentReplicas: current, resource: "cpu", pods: pods.map(pod), metrics: new Map(Object.entries(usage).map(([k, v]) => [k, metric(v)])), now: NOW, config: DEFAULT_CALCULATOR_CONFIG },
    target,
  );
}

const three = [{ name: "a" }, { name: "b" }, { name: "c" }];

describe("resource utilization (percentage of request)", () => {
  it.each([
    // [case, pods, usage (millicores), target %, current, replicas, utilization %]
    ["on target", three, { a: 500, b: 500, c: 500 }, 50, 3, 3, 50],
    ["above: ceil(ratio x ready pods)", three, { a: 900, b: 900, c: 900 }, 50, 3, 6, 90],
    ["uneven pods average out", three, { a: 400, b: 500, c: 600 }, 50, 3, 3, 50],
    ["within the 10% tolerance: no change", three, { a: 540, b: 540, c: 540 }, 50, 3, 3, 54],
    ["just outside the tolerance", three, { a: 560, b: 560, c: 560 }, 50, 3, 4, 56],
    ["below: scale down", three, { a: 100, b: 100, c: 100 }, 50, 3, 1, 10],
    ["utilization is an integer percent (truncated)", [{ name: "a", request: "300m" }], { a: 299 }, 50, 1, 2, 99],
    ["scale up, a pod without metrics counts as 0%", three, { a: 900, b: 900 }, 50, 3, 4, 90],
    ["scale down, a pod without metrics counts as 100% of its request", three, { a: 0, b: 0 }, 50, 3, 2, 0],
    ["missing metrics reversing the direction: no change", three, { a: 600, b: 600 }, 50, 3, 3, 60],
    ["scale up, an unready pod counts as 0%", [...three.slice(0, 2), { name: "c", unready: true }], { a: 900, b: 900, c: 900 }, 50, 3, 4, 90],
    ["scale down, an unready pod is left out", [...three.slice(0, 2), { name: "c", unready: true }], { a: 100, b: 100, c: 900 }, 50, 3, 1, 10],
    ["a pending pod counts as unready", [...three.slice(0, 2), { name: "c", phase: "Pending" }], { a: 900, b: 900 }, 50, 3, 4, 90],
    ["deleted and failed pods are ignored", [...three.slice(0, 2), { name: "c", deleting: true }, { name: "d", phase: "Failed" }], { a: 900, b: 900, c: 0, d: 0 }, 50, 4, 4, 90],
  ] as const)("%s", (_case, pods, usage, target, current, replicas, utilization) => {
    const r = run([...pods], { ...usage }, target, current);
    expect(r).toMatchObject({ ok: true, replicas, utilization });
  });

  it("reports the raw average usage and the metrics' timestamp", () => {
    expect(run(three, { a: 400, b: 500, c: 600 }, 50)).toEqual({ ok: true, replicas: 3, utilization: 50, rawUtilization: 500, timestamp: NOW - 1000 });
  });

  it.each([
    ["no metrics at all", three, {}, "unable to get metrics for resource cpu: no metrics returned from resource metrics API"],
    ["no pods selected", [], { a: 100 }, "no pods returned by selector while calculating replica count"],
    ["only unready pods", [{ name: "a", unready: true }], { a: 100 }, "did not receive metrics for targeted pods (pods might be unready)"],
    ["a container without a cpu request", [{ name: "a" }, { name: "web-2", request: null }], { a: 100, "web-2": 100 }, "missing request for cpu in container app of Pod web-2"],
  ] as const)("fails: %s", (_case, pods, usage, error) => {
    expect(run([...pods], { ...usage }, 50)).toEqual({ ok: false, error });
  });
});

describe("resource average value", () => {
  it("scales on the plain average against the target value", () => {
    const input = { currentReplicas: 2, resource: "cpu", pods: three.slice(0, 2).map(pod), metrics: new Map([["a", metric(300)], ["b", metric(500)]]), now: NOW, config: DEFAULT_CALCULATOR_CONFIG };
    expect(rawResourceReplicas(input, 200)).toEqual({ ok: true, replicas: 4, usage: 400, timestamp: NOW - 1000 });
    expect(rawResourceReplicas(input, 400)).toMatchObject({ ok: true, replicas: 2 });
  });
});
