// autoscaling/v1 <-> autoscaling/v2 as the API server converts: the CPU target and
// current utilization map to the v1 fields, the rest rides in annotations and comes back.
import { describe, it, expect } from "vitest";
import { hpaFromV1, hpaToV1, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, CURRENT_METRICS_ANNOTATION, METRICS_ANNOTATION } from "../../src/model/hpa-conversion";
import { fromStorageVersion, toStorageVersion } from "../../src/model/conversion";
import { findResource } from "../../src/model/resources";
import { ApiError } from "../../src/model/errors";
import { validateObject } from "../../src/model/validation";
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from "../../src/model/types";

const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" };

const v2: HorizontalPodAutoscaler = {
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "php-apache", namespace: "default", annotations: { team: "web" } },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 15, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] } },
  },
  status: {
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [
      { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 75, averageValue: "150m" } } },
      { type: "Resource", resource: { name: "memory", current: { averageValue: "50Mi" } } },
    ],
    conditions: [{ type: "AbleToScale", status: "True", reason: "SucceededRescale", message: "the HPA controller was able to update the target scale to 3" }],
  },
};

describe("autoscaling/v1 <-> v2", () => {
  it("shows the CPU target and utilization in v1 fields and the rest in annotations", () => {
    const v1 = hpaToV1(v2);
    expect(v1.apiVersion).toBe("autoscaling/v1");
    expect(v1.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 75 });
    const a = v1.metadata.annotations!;
    expect(a.team).toBe("web");
    expect(JSON.parse(a[METRICS_ANNOTATION])).toEqual([{ type: "Resource", resource: { name: "memory", targetAverageValue: "100Mi" } }]);
    expect(JSON.parse(a[CURRENT_METRICS_ANNOTATION])).toEqual([
      { type: "Resource", resource: { name: "cpu", currentAverageUtilization: 75, currentAverageValue: "150m" } },
      { type: "Resource", resource: { name: "memory", currentAverageValue: "50Mi" } },
    ]);
    expect(JSON.parse(a[BEHAVIOR_ANNOTATION])).toEqual(v2.spec.behavior);
    expect(JSON.parse(a[CONDITIONS_ANNOTATION])).toEqual(v2.status!.conditions);
  });

  it("round-trips through v1 without losing anything", () => {
    expect(hpaFromV1(hpaToV1(v2))).toEqual(v2);
  });

  it("a plain v1 object: one cpu metric, or none (then the v2 default applies on write)", () => {
    const v1: HorizontalPodAutoscalerV1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "x" }, spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } };
    expect(hpaFromV1(v1).spec).toEqual({ scaleTargetRef: ref, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] });
    const bare = hpaFromV1({ ...v1, spec: { scaleTargetRef: ref, maxReplicas: 5 } });
    expect(bare.spec.metrics).toBeUndefined();
  });

  it("is applied at the API edge by version; v2 drops the v1-only annotations; bad annotation JSON is a 400", () => {
    const v1info = findResource("autoscaling", "v1", "horizontalpodautoscalers")!;
    const v2info = findResource("autoscaling", "v2", "horizontalpodautoscalers")!;
    expect(fromStorageVersion(v2info, v2)).toBe(v2);
    expect((fromStorageVersion(v1info, v2) as HorizontalPodAutoscalerV1).spec.targetCPUUtilizationPercentage).toBe(50);
    const sneaky = { ...v2, metadata: { ...v2.metadata, annotations: { [BEHAVIOR_ANNOTATION]: "{}", team: "web" } } };
    expect(toStorageVersion(v2info, sneaky).metadata.annotations).toEqual({ team: "web" });
    const broken = { ...hpaToV1(v2), metadata: { name: "x", annotations: { [METRICS_ANNOTATION]: "[{" } } };
    let err: unknown;
    try {
      toStorageVersion(v1info, broken);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
  });

  it("junk in a v1 body converts without throwing, and validation reports it", () => {
    const v1info = findResource("autoscaling", "v1", "horizontalpodautoscalers")!;
    const target = { kind: "Deployment", name: "x" };
    for (const body of [{ spec: "junk" }, { metadata: { name: "j", annotations: "x" } }, { spec: { targetCPUUtilizationPercentage: "high", maxReplicas: 2, scaleTargetRef: target } }, { status: 5 }, { spec: { scaleTargetRef: target, maxReplicas: 0 } }]) {
      const obj = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "j" }, ...body } as unknown as HorizontalPodAutoscalerV1;
      const stored = toStorageVersion(v1info, obj);
      expect(validateObject("horizontalpodautoscalers.autoscaling", stored).length, JSON.stringify(body)).toBeGreaterThan(0);
    }
  });
});
