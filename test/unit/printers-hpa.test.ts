// kubectl get hpa: the TARGETS column as printHorizontalPodAutoscaler formats it.
import { describe, it, expect } from "vitest";
import { formatHPAMetrics } from "../../src/api/printers/hpa";
import { toTable } from "../../src/api/printers";
import type { HorizontalPodAutoscaler, MetricSpec } from "../../src/model/types";

const cpu = (n: number): MetricSpec => ({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: n } } });
const mem: MetricSpec = { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } };

describe("HPA TARGETS", () => {
  it.each([
    ["not measured yet", [cpu(50)], [], "cpu: <unknown>/50%"],
    ["measured", [cpu(50)], [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 12, averageValue: "24m" } } }], "cpu: 12%/50%"],
    ["an average value", [mem], [{ type: "Resource", resource: { name: "memory", current: { averageValue: "50Mi" } } }], "memory: 50Mi/100Mi"],
    ["two metrics", [cpu(50), mem], [], "cpu: <unknown>/50%, memory: <unknown>/100Mi"],
    ["more than two", [cpu(50), mem, cpu(70)], [], "cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more..."],
    ["none", [], [], "<none>"],
  ] as const)("%s", (_c, specs, statuses, text) => {
    expect(formatHPAMetrics([...specs] as MetricSpec[], [...statuses] as never)).toBe(text);
  });

  it("prints NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE", () => {
    const hpa: HorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "php-apache", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "php-apache", apiVersion: "apps/v1" }, minReplicas: 1, maxReplicas: 10, metrics: [cpu(50)] },
      status: { currentReplicas: 4, desiredReplicas: 4 },
    };
    const t = toTable("horizontalpodautoscalers.autoscaling", [hpa], { now: Date.parse("2026-01-01T00:05:00Z") });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
    expect(t.rows[0].cells).toEqual(["php-apache", "Deployment/php-apache", "cpu: <unknown>/50%", "1", 10, 4, "5m"]);
  });
});
