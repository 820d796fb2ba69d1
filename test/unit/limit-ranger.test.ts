import { describe, expect, it } from "vitest";
import { LIMIT_RANGER_ANNOTATION, limitClaim, limitPod } from "../../src/model/limit-ranger";
import type { LimitRange, LimitRangeItem } from "../../src/model/quota-types";
import type { Container, PersistentVolumeClaim, Pod } from "../../src/model/types";
import { validateLimitRange, validateResourceQuota } from "../../src/model/validate-quota";

const range = (...limits: LimitRangeItem[]): LimitRange => ({ apiVersion: "v1", kind: "LimitRange", metadata: { name: "lr", namespace: "n" }, spec: { limits } });

function pod(...containers: Partial<Container>[]): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: "nginx", ...c })) } } as Pod;
}

describe("LimitRanger defaults", () => {
  it("a container without requests or limits gets the defaults and the annotation (docs: default-mem-demo)", () => {
    const p = pod({});
    expect(limitPod(p, [range({ type: "Container", default: { memory: "512Mi" }, defaultRequest: { memory: "256Mi" } })])).toBeUndefined();
    expect(p.spec.containers[0].resources).toEqual({ limits: { memory: "512Mi" }, requests: { memory: "256Mi" } });
    expect(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION]).toBe("LimitRanger plugin set: memory request for container c0; memory limit for container c0");
  });

  it("what a container sets is kept; init containers are defaulted too", () => {
    const p = pod({ resources: { limits: { memory: "1Gi" }, requests: { memory: "1Gi" } } });
    p.spec.initContainers = [{ name: "init", image: "busybox" }];
    limitPod(p, [range({ type: "Container", default: { memory: "512Mi", cpu: "1" }, defaultRequest: { memory: "256Mi", cpu: "500m" } })]);
    expect(p.spec.containers[0].resources).toEqual({ limits: { memory: "1Gi", cpu: "1" }, requests: { memory: "1Gi", cpu: "500m" } });
    expect(p.spec.initContainers[0].resources).toEqual({ limits: { memory: "512Mi", cpu: "1" }, requests: { memory: "256Mi", cpu: "500m" } });
    expect(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION]).toBe(
      "LimitRanger plugin set: cpu request for container c0; cpu limit for container c0; cpu, memory request for init container init; cpu, memory limit for init container init",
    );
  });
});

describe("LimitRanger constraints", () => {
  const cpuRange = range({ type: "Container", max: { cpu: "800m" }, min: { cpu: "200m" } });
  const memRange = range({ type: "Container", max: { memory: "1Gi" }, min: { memory: "500Mi" } });
  it.each<[string, LimitRange, Partial<Container>, string | undefined]>([
    ["max cpu exceeded by the limit", cpuRange, { resources: { limits: { cpu: "1.5" }, requests: { cpu: "500m" } } }, "maximum cpu usage per Container is 800m, but limit is 1500m"],
    ["min cpu above the request", cpuRange, { resources: { limits: { cpu: "800m" }, requests: { cpu: "100m" } } }, "minimum cpu usage per Container is 200m, but request is 100m"],
    ["min memory above the request", memRange, { resources: { limits: { memory: "800Mi" }, requests: { memory: "100Mi" } } }, "minimum memory usage per Container is 500Mi, but request is 100Mi"],
    ["max memory exceeded", memRange, { resources: { limits: { memory: "1.5Gi" }, requests: { memory: "800Mi" } } }, "maximum memory usage per Container is 1Gi, but limit is 1536Mi"],
    ["within both", memRange, { resources: { limits: { memory: "800Mi" }, requests: { memory: "600Mi" } } }, undefined],
    ["no limit against a max", range({ type: "Container", max: { cpu: "1" } }), {}, "maximum cpu usage per Container is 1.  No limit is specified"],
    ["ratio exceeded", range({ type: "Container", maxLimitRequestRatio: { memory: "2" } }), { resources: { limits: { memory: "1Gi" }, requests: { memory: "256Mi" } } }, "memory max limit to request ratio per Container is 2, but provided ratio is 4.000000"],
    ["ratio without a request", range({ type: "Container", maxLimitRequestRatio: { cpu: "2" } }), { resources: { limits: { cpu: "1" } } }, "cpu max limit to request ratio per Container is 2, but no request is specified or request is 0"],
    ["two failures in brackets", range({ type: "Container", max: { cpu: "800m", memory: "1Gi" } }), { resources: { limits: { cpu: "1", memory: "2Gi" } } }, "[maximum cpu usage per Container is 800m, but limit is 1, maximum memory usage per Container is 1Gi, but limit is 2Gi]"],
    ["pod total over the Pod max", range({ type: "Pod", max: { cpu: "1" } }), { resources: { limits: { cpu: "600m" } } }, undefined],
  ])("%s", (_n, lr, c, want) => expect(limitPod(pod(c), [lr])).toBe(want));

  it("a Pod item sums the containers", () => {
    const lr = range({ type: "Pod", max: { cpu: "1" } });
    expect(limitPod(pod({ resources: { limits: { cpu: "600m" } } }, { resources: { limits: { cpu: "600m" } } }), [lr])).toBe("maximum cpu usage per Pod is 1, but limit is 1200m");
  });

  it("a claim's storage request within min and max", () => {
    const lr = range({ type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "2Gi" } });
    const claim = (storage: string) => ({ metadata: { name: "c" }, spec: { resources: { requests: { storage } } } }) as unknown as PersistentVolumeClaim;
    expect(limitClaim(claim("5Gi"), [lr])).toBe("maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi");
    expect(limitClaim(claim("500Mi"), [lr])).toBe("minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
    expect(limitClaim(claim("1Gi"), [lr])).toBeUndefined();
  });
});

describe("validation", () => {
  const msgs = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
  it.each<[string, LimitRangeItem, string[]]>([
    ["min above max", { type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }, ["spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"]],
    ["default request above the default", { type: "Container", default: { memory: "256Mi" }, defaultRequest: { memory: "512Mi" } }, ["spec.limits[0].defaultRequest[memory]: Invalid value: \"512Mi\": default request value 512Mi is greater than default limit value 256Mi"]],
    ["default above max", { type: "Container", default: { cpu: "2" }, max: { cpu: "1" } }, ["spec.limits[0].default[cpu]: Invalid value: \"1\": default value 2 is greater than max value 1"]],
    ["a ratio below 1", { type: "Container", maxLimitRequestRatio: { cpu: "500m" } }, ["spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: \"500m\": ratio 500m is less than 1"]],
    ["defaults on a Pod item", { type: "Pod", default: { cpu: "1" } }, ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]],
    ["a claim item without storage bounds", { type: "PersistentVolumeClaim" }, ["spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided"]],
    ["an unknown resource", { type: "Container", max: { gpus: "1" } }, ["spec.limits[0].max[gpus]: Invalid value: \"gpus\": must be a standard limit type or fully qualified"]],
    ["a valid item", { type: "Container", min: { cpu: "100m" }, max: { cpu: "1" }, default: { cpu: "500m" }, defaultRequest: { cpu: "200m" } }, []],
  ])("LimitRange: %s", (_n, item, want) => expect(msgs(validateLimitRange(range(item)))).toEqual(want));

  const q = (spec: Record<string, unknown>) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "n" }, spec });
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a name that is no quota resource", { hard: { gpus: "1" } }, ["spec.hard[gpus]: Invalid value: \"gpus\": must be a standard resource for quota"]],
    ["a fractional object count", { hard: { pods: "1.5" } }, ["spec.hard[pods]: Invalid value: \"1500m\": must be an integer"]],
    ["a negative cap", { hard: { "requests.cpu": "-1" } }, ["spec.hard[requests.cpu]: Invalid value: \"-1\": must be greater than or equal to 0"]],
    ["conflicting scopes", { hard: { pods: "1" }, scopes: ["BestEffort", "NotBestEffort"] }, ["spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\", \"NotBestEffort\"}: conflicting scopes"]],
    ["BestEffort may cap only pods", { hard: { "requests.cpu": "1" }, scopes: ["BestEffort"] }, ["spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\"}: unsupported scope applied to resource"]],
    ["a valid quota", { hard: { pods: "2", "requests.cpu": "1", "count/deployments.apps": "2", "example.com/gpu": "4" } }, []],
  ])("ResourceQuota: %s", (_n, spec, want) => expect(msgs(validateResourceQuota(q(spec)))).toEqual(want));
});
