// From a recommendation to the replica count the HPA writes: stabilization windows,
// rate limits (the classic ones without a behavior, the policies with one), min/max,
// with upstream's AbleToScale and ScalingLimited reasons.
import { describe, it, expect } from "vitest";
import { emptyHistory, normalizeReplicas, recordScaleEvent, type HPAHistory, type NormalizeInput } from "../../src/controllers/hpa-behavior";
import type { HorizontalPodAutoscalerBehavior } from "../../src/model/types";

const NOW = 1_000_000_000;
const s = (sec: number) => NOW - sec * 1000;

function norm(o: Partial<NormalizeInput> & { current: number; desired: number }): ReturnType<typeof normalizeReplicas> & { history: HPAHistory } {
  const history = o.history ?? emptyHistory();
  const r = normalizeReplicas({ history, now: NOW, currentReplicas: o.current, desiredReplicas: o.desired, minReplicas: o.minReplicas ?? 1, maxReplicas: o.maxReplicas ?? 10, behavior: o.behavior, downscaleStabilizationMs: o.downscaleStabilizationMs ?? 300_000 });
  return { ...r, history };
}

const hist = (recs: [number, number][], up: [number, number][] = [], down: [number, number][] = []): HPAHistory => ({
  recommendations: recs.map(([ago, replicas]) => ({ t: s(ago), replicas })),
  scaleUp: up.map(([ago, change]) => ({ t: s(ago), change, outdated: false })),
  scaleDown: down.map(([ago, change]) => ({ t: s(ago), change, outdated: false })),
});

describe("without a behavior (the classic rules)", () => {
  it.each([
    // [case, current, desired, min, max, history, replicas, able reason, limited, limit reason]
    ["within range", 3, 5, 1, 10, hist([]), 5, "ReadyForNewScale", false, "DesiredWithinRange"],
    ["scale up at most to max(2 x current, 4)", 1, 10, 1, 10, hist([]), 4, "ReadyForNewScale", true, "ScaleUpLimit"],
    ["doubling from 4", 4, 10, 1, 10, hist([]), 8, "ReadyForNewScale", true, "ScaleUpLimit"],
    ["max below the rate limit", 8, 20, 1, 10, hist([]), 10, "ReadyForNewScale", true, "TooManyReplicas"],
    ["min", 3, 0, 2, 10, hist([]), 2, "ReadyForNewScale", true, "TooFewReplicas"],
    ["a higher recommendation in the last 5 min holds a scale down", 5, 2, 1, 10, hist([[60, 5]]), 5, "ScaleDownStabilized", false, "DesiredWithinRange"],
    ["the highest one in the window wins", 5, 2, 1, 10, hist([[60, 4], [200, 3]]), 4, "ScaleDownStabilized", false, "DesiredWithinRange"],
    ["recommendations older than the window are forgotten", 5, 2, 1, 10, hist([[301, 5]]), 2, "ReadyForNewScale", false, "DesiredWithinRange"],
  ] as const)("%s", (_c, current, desired, minReplicas, maxReplicas, history, replicas, able, limited, limit) => {
    const r = norm({ current, desired, minReplicas, maxReplicas, history: structuredClone(history) });
    expect(r).toMatchObject({ replicas, ableReason: able, limited, limitReason: limit });
  });

  it("remembers each recommendation, reusing the slot of one past the window", () => {
    const r = norm({ current: 5, desired: 2, history: hist([[400, 9], [10, 4]]) });
    expect(r.history.recommendations).toEqual([{ t: NOW, replicas: 2 }, { t: s(10), replicas: 4 }]);
    expect(r.ableMessage).toBe("recent recommendations were higher than current one, applying the highest recent recommendation");
  });
});

const behavior = (b: HorizontalPodAutoscalerBehavior) => b;

describe("with a behavior (policies and windows)", () => {
  it.each([
    ["default scale-up: +4 pods or +100% per 15 s, the larger", {}, 2, 20, hist([]), 6, true, "ScaleUpLimit"],
    ["default scale-up from 10: doubling wins", {}, 10, 50, hist([]), 20, true, "ScaleUpLimit"],
    ["a scale-up in the period counts against it", {}, 6, 20, hist([], [[5, 4]]), 6, true, "ScaleUpLimit"],
    ["selectPolicy Min takes the smaller policy", { scaleUp: { selectPolicy: "Min" } }, 10, 50, hist([]), 14, true, "ScaleUpLimit"],
    ["scale-down Percent 50 per minute", { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] } }, 10, 1, hist([]), 5, true, "ScaleDownLimit"],
    ["scale-down Pods 1 per minute", { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } }, 10, 1, hist([]), 9, true, "ScaleDownLimit"],
    ["scale-down disabled", { scaleDown: { selectPolicy: "Disabled" } }, 5, 1, hist([]), 5, true, "ScaleDownLimit"],
    ["the default scale-down window holds a higher recommendation (5 min)", {}, 5, 1, hist([[100, 5]]), 5, false, "DesiredWithinRange"],
    ["a short scale-down window lets it go", { scaleDown: { stabilizationWindowSeconds: 30 } }, 5, 1, hist([[100, 5]]), 1, false, "DesiredWithinRange"],
  ] as const)("%s", (_c, b, current, desired, history, replicas, limited, limit) => {
    const r = norm({ current, desired, maxReplicas: 100, behavior: behavior(structuredClone(b) as HorizontalPodAutoscalerBehavior), history: structuredClone(history) });
    expect(r).toMatchObject({ replicas, limited, limitReason: limit });
  });

  it("a scale-up window applies the lowest recent recommendation", () => {
    const r = norm({ current: 3, desired: 8, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } }, history: hist([[30, 3]]) });
    expect(r).toMatchObject({ replicas: 3, ableReason: "ScaleUpStabilized", ableMessage: "recent recommendations were lower than current one, applying the lowest recent recommendation" });
  });

  it("records scale events per direction and reuses outdated slots", () => {
    const h = hist([], [[100, 2]]);
    recordScaleEvent(h, {}, NOW, 2, 6);
    expect(h.scaleUp).toEqual([{ t: NOW, change: 4, outdated: false }]);
    recordScaleEvent(h, {}, NOW, 6, 3);
    expect(h.scaleDown).toEqual([{ t: NOW, change: 3, outdated: false }]);
    // Without a behavior nothing is recorded (the classic limits need no history).
    const none = emptyHistory();
    recordScaleEvent(none, undefined, NOW, 2, 6);
    expect(none.scaleUp).toEqual([]);
  });
});
