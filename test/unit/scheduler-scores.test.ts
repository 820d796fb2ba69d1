import { describe, expect, it } from "vitest";
import type { Pod, Taint } from "../../src/model/types";
import { CycleState, type NodeInfo, type ScorePlugin } from "../../src/scheduler/framework";
import { makeNode, makePod, type NodeOptions } from "../../src/scheduler/fixtures";
import { newNodeInfo } from "../../src/scheduler/node-info";
import { defaultNormalizeScore } from "../../src/scheduler/normalize";
import { ImageLocality, calculatePriority, normalizedImageName } from "../../src/scheduler/plugins/image-locality";
import { NodeAffinity } from "../../src/scheduler/plugins/node-affinity";
import { NodeResourcesBalancedAllocation } from "../../src/scheduler/plugins/node-resources-balanced-allocation";
import { NodeResourcesFit } from "../../src/scheduler/plugins/node-resources-fit";
import { TaintToleration } from "../../src/scheduler/plugins/taint-toleration";

const MiB = 1024 * 1024;

/** Runs PreScore, Score and Normalize the way schedulePod does; undefined when PreScore skips. */
function scoreAll(plugin: ScorePlugin, pod: Pod, nodes: NodeInfo[]): { raw: number[]; normalized: number[] } | undefined {
  const state = new CycleState(nodes);
  if (plugin.preScore?.(state, pod, nodes).code === "Skip") return undefined;
  const raw = nodes.map((n) => plugin.score(state, pod, n));
  const normalized = raw.slice();
  plugin.normalize?.(normalized);
  return { raw, normalized };
}

const node = (name: string, o: NodeOptions = {}, pods: Pod[] = []) => newNodeInfo(makeNode(name, o), pods);
const bound = (name: string, cpu: string, memory: string) => makePod(name, { cpu, memory, spec: { nodeName: "x" } });

describe("NodeResourcesFit score", () => {
  it("LeastAllocated: mean over cpu and memory of free share after placing the pod", () => {
    // cpu (4000-1000)*100/4000 = 75; memory (8-1)*100/8 = 87 (integer division); (75+87)/2 = 81
    const r = scoreAll(new NodeResourcesFit(), makePod("p", { cpu: "1", memory: "1Gi" }), [node("a")]);
    expect(r?.raw).toEqual([81]);
  });

  it("LeastAllocated prefers the emptier node", () => {
    const r = scoreAll(new NodeResourcesFit(), makePod("p", { cpu: "1", memory: "1Gi" }), [node("a", {}, [bound("x", "2", "4Gi")]), node("b")]);
    // a: cpu (4000-3000)*100/4000 = 25, mem (8-5)/8 = 37 -> 31; b: 81
    expect(r?.raw).toEqual([31, 81]);
  });

  it("LeastAllocated counts 100m / 200Mi for request-less pods", () => {
    // cpu (1000-100)*100/1000 = 90; memory (1024-200)*100/1024 = 80; (90+80)/2 = 85
    const r = scoreAll(new NodeResourcesFit(), makePod("p"), [node("a", { cpu: "1", memory: "1Gi" })]);
    expect(r?.raw).toEqual([85]);
  });

  it("LeastAllocated gives 0 for a resource requested beyond capacity", () => {
    const r = scoreAll(new NodeResourcesFit(), makePod("p", { cpu: "8", memory: "1Gi" }), [node("a")]);
    expect(r?.raw).toEqual([43]); // cpu 0, memory 87 -> 43
  });

  it("MostAllocated prefers the fuller node", () => {
    const r = scoreAll(new NodeResourcesFit("MostAllocated"), makePod("p", { cpu: "1", memory: "1Gi" }), [node("a", {}, [bound("x", "2", "4Gi")]), node("b")]);
    // a: cpu 3000*100/4000 = 75, mem 5/8 = 62 -> 68; b: 25, 12 -> 18
    expect(r?.raw).toEqual([68, 18]);
  });

  it("a node offering no memory is scored on cpu alone", () => {
    const r = scoreAll(new NodeResourcesFit(), makePod("p", { cpu: "1" }), [node("a", { memory: "0" })]);
    expect(r?.raw).toEqual([75]);
  });
});

describe("NodeResourcesBalancedAllocation", () => {
  it("scores (1 - |cpu share - memory share| / 2) * 100 on real requests", () => {
    // shares 1/4 and 1/8: std = 0.0625 -> 93
    const r = scoreAll(new NodeResourcesBalancedAllocation(), makePod("p", { cpu: "1", memory: "1Gi" }), [node("a")]);
    expect(r?.raw).toEqual([93]);
  });

  it("prefers the node where the pod evens out usage", () => {
    const cpuHeavy = node("a", {}, [bound("x", "2", "0")]); // cpu 3/4, mem 1/8 -> std 0.3125 -> 68
    const memHeavy = node("b", {}, [bound("y", "0", "3Gi")]); // cpu 1/4, mem 4/8 -> std 0.125 -> 87
    const r = scoreAll(new NodeResourcesBalancedAllocation(), makePod("p", { cpu: "1", memory: "1Gi" }), [cpuHeavy, memHeavy]);
    expect(r?.raw).toEqual([68, 87]);
  });

  it("is skipped for a pod requesting nothing (it would pile best-effort pods on one node)", () => {
    expect(scoreAll(new NodeResourcesBalancedAllocation(), makePod("p"), [node("a")])).toBeUndefined();
  });

  it("caps a share at 1", () => {
    const r = scoreAll(new NodeResourcesBalancedAllocation(), makePod("p", { cpu: "8", memory: "8Gi" }), [node("a")]);
    expect(r?.raw).toEqual([100]);
  });

  it("leaves out a resource the node does not offer: one share left is balanced", () => {
    const r = scoreAll(new NodeResourcesBalancedAllocation(), makePod("p", { cpu: "1", memory: "1Gi" }), [node("a", { memory: "0" })]);
    expect(r?.raw).toEqual([100]);
  });
});

describe("TaintToleration score", () => {
  const soft = (key: string): Taint => ({ key, value: "true", effect: "PreferNoSchedule" });

  it("counts untolerated PreferNoSchedule taints; fewer is better after reverse normalisation", () => {
    const nodes = [node("a"), node("b", { taints: [soft("x")] }), node("c", { taints: [soft("x"), soft("y")] })];
    const r = scoreAll(new TaintToleration(), makePod("p"), nodes);
    expect(r).toEqual({ raw: [0, 1, 2], normalized: [100, 50, 0] });
  });

  it("tolerated PreferNoSchedule taints and NoSchedule taints do not count", () => {
    const nodes = [node("a", { taints: [soft("x"), { key: "hard", effect: "NoSchedule" }] }), node("b", { taints: [soft("y")] })];
    const pod = makePod("p", { spec: { tolerations: [{ key: "x", operator: "Exists", effect: "PreferNoSchedule" }] } });
    expect(scoreAll(new TaintToleration(), pod, nodes)).toEqual({ raw: [0, 1], normalized: [100, 0] });
  });

  it("no taints anywhere: every node gets 100", () => {
    expect(scoreAll(new TaintToleration(), makePod("p"), [node("a"), node("b")])?.normalized).toEqual([100, 100]);
  });
});

describe("NodeAffinity score", () => {
  const pod = makePod("p", {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
            { weight: 30, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
            { weight: 0, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } },
            { weight: 50, preference: {} },
          ],
        },
      },
    },
  });

  it("sums matching weights and normalises to the best node", () => {
    const nodes = [node("a", { labels: { zone: "a" } }), node("b", { labels: { disk: "ssd" } }), node("c", { labels: { zone: "a", disk: "ssd" } }), node("d")];
    expect(scoreAll(new NodeAffinity(), pod, nodes)).toEqual({ raw: [10, 30, 40, 0], normalized: [25, 75, 100, 0] });
  });

  it("is skipped without preferred terms", () => {
    expect(scoreAll(new NodeAffinity(), makePod("p"), [node("a")])).toBeUndefined();
  });
});

describe("ImageLocality", () => {
  const img = (name: string, mib: number) => ({ names: [name], sizeBytes: mib * MiB });

  it("normalises image names to the latest tag", () => {
    expect(normalizedImageName("nginx")).toBe("nginx:latest");
    expect(normalizedImageName("nginx:1.27")).toBe("nginx:1.27");
    expect(normalizedImageName("localhost:5000/app")).toBe("localhost:5000/app:latest");
    expect(normalizedImageName("gcr.io/google-samples/kubernetes-bootcamp:v1")).toBe("gcr.io/google-samples/kubernetes-bootcamp:v1");
  });

  it("clamps between 23 MiB and 1000 MiB per container", () => {
    expect(calculatePriority(10 * MiB, 1)).toBe(0);
    expect(calculatePriority(23 * MiB, 1)).toBe(0);
    expect(calculatePriority(1000 * MiB, 1)).toBe(100);
    expect(calculatePriority(5000 * MiB, 1)).toBe(100);
    expect(calculatePriority(1000 * MiB, 2)).toBe(49); // 100*(1000-23)/(2000-23) = 49.4
  });

  it("scales an image's size by the share of nodes that have it", () => {
    const pod = makePod("p", { image: "big:1" });
    const one = [node("a", { images: [img("big:1", 500)] }), node("b"), node("c")];
    // 500 MiB * 1/3 = 174762666 B -> 100*(174762666-23Mi)/(1000Mi-23Mi) = 14
    expect(scoreAll(new ImageLocality(), pod, one)?.raw).toEqual([14, 0, 0]);
    const all = [0, 1, 2].map((i) => node(`n${i}`, { images: [img("big:1", 500)] }));
    expect(scoreAll(new ImageLocality(), pod, all)?.raw).toEqual([48, 48, 48]);
  });

  it("matches an untagged pod image to the node's :latest, and counts init containers", () => {
    const pod = makePod("p", { image: "nginx", spec: { initContainers: [{ name: "i", image: "tools:1" }] } });
    const n = node("a", { images: [img("nginx:latest", 600), img("tools:1", 600)] });
    // sum 1200 MiB over 2 containers: 100*(1200-23)/(2000-23) = 59
    expect(scoreAll(new ImageLocality(), pod, [n])?.raw).toEqual([59]);
  });
});

describe("defaultNormalizeScore", () => {
  it("scales to the maximum, or reverses", () => {
    const a = [1, 2, 4];
    defaultNormalizeScore(a, false);
    expect(a).toEqual([25, 50, 100]);
    const b = [1, 2, 4];
    defaultNormalizeScore(b, true);
    expect(b).toEqual([75, 50, 0]);
    const c = [0, 0];
    defaultNormalizeScore(c, false);
    expect(c).toEqual([0, 0]);
  });
});
