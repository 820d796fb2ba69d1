import { describe, expect, it } from "vitest";
import { checkQuotas, deltaUsage, missingConstraints, objectUsage, podUsage, quotaMatches, resourcesCounted, usedOf } from "../../src/model/quota-usage";
import type { ResourceQuota } from "../../src/model/quota-types";
import type { Container, Pod } from "../../src/model/types";
import { addQuantities } from "../../src/model/quantity";

const NOW = Date.parse("2026-01-01T00:00:00Z");

function pod(containers: Partial<Container>[], extra: Partial<Pod["spec"]> = {}, status?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "n" },
    spec: { containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, image: "nginx", ...c })), ...extra },
    ...(status ? { status: { phase: status } } : {}),
  } as Pod;
}

const res = (requests?: Record<string, string>, limits?: Record<string, string>): Partial<Container> => ({ resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

function quota(name: string, hard: Record<string, string>, used: Record<string, string> = {}, spec: Partial<NonNullable<ResourceQuota["spec"]>> = {}): ResourceQuota {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: { name, namespace: "n", resourceVersion: "7" }, spec: { hard, ...spec }, status: { hard, used: usedOf(hard, [used]) } };
}

describe("quantities add exactly, in the first operand's format", () => {
  it.each([
    ["600Mi", "100Mi", "700Mi"],
    ["500m", "500m", "1"],
    ["0", "700Mi", "700Mi"],
    ["1Gi", "512Mi", "1536Mi"],
    ["1", "250m", "1250m"],
    ["700M", "300M", "1G"],
  ])("%s + %s = %s", (a, b, sum) => expect(addQuantities(a, b)).toBe(sum));
});

describe("what a pod costs a quota", () => {
  it.each<[string, Pod, Record<string, string>]>([
    ["requests and limits of its containers, summed", pod([res({ cpu: "400m", memory: "600Mi" }, { cpu: "800m", memory: "800Mi" }), res({ cpu: "100m" }, { cpu: "200m" })]), {
      "count/pods": "1", pods: "1", cpu: "500m", "requests.cpu": "500m", memory: "600Mi", "requests.memory": "600Mi", "limits.cpu": "1", "limits.memory": "800Mi",
    }],
    ["a limit alone is also the request", pod([res(undefined, { memory: "1Gi" })]), { "count/pods": "1", pods: "1", memory: "1Gi", "requests.memory": "1Gi", "limits.memory": "1Gi" }],
    ["nothing set: a pod and nothing more", pod([{}]), { "count/pods": "1", pods: "1" }],
    ["a finished pod counts only as an object", pod([res({ cpu: "1" })], {}, "Succeeded"), { "count/pods": "1" }],
    ["an init container is a floor, not added", pod([res({ cpu: "200m" })], { initContainers: [{ name: "init", image: "busybox", resources: { requests: { cpu: "500m" } } }] }), {
      "count/pods": "1", pods: "1", cpu: "500m", "requests.cpu": "500m",
    }],
  ])("%s", (_name, p, want) => expect(podUsage(p, NOW)).toEqual(want));

  it("a pod past its deletion grace period no longer uses compute", () => {
    const p = pod([res({ cpu: "1" })]);
    p.metadata.deletionTimestamp = "2025-12-31T23:59:00Z";
    p.metadata.deletionGracePeriodSeconds = 30;
    expect(podUsage(p, NOW)).toEqual({ "count/pods": "1" });
    p.metadata.deletionGracePeriodSeconds = 3600;
    expect(podUsage(p, NOW)["requests.cpu"]).toBe("1");
  });

  it("other objects: claims by storage (and class), Services by load balancers and node ports, everything by count", () => {
    expect(objectUsage("persistentvolumeclaims", { metadata: {}, spec: { storageClassName: "gold", resources: { requests: { storage: "5Gi" } } } }, NOW)).toEqual({
      persistentvolumeclaims: "1", "count/persistentvolumeclaims": "1", "requests.storage": "5Gi",
      "gold.storageclass.storage.k8s.io/requests.storage": "5Gi", "gold.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
    });
    expect(objectUsage("services", { metadata: {}, spec: { type: "NodePort", ports: [{ port: 80 }, { port: 443 }] } }, NOW)).toEqual({ services: "1", "count/services": "1", "services.nodeports": "2" });
    expect(objectUsage("deployments.apps", { metadata: {} }, NOW)).toEqual({ "count/deployments.apps": "1" });
    expect(objectUsage("configmaps", { metadata: {} }, NOW)).toEqual({ configmaps: "1", "count/configmaps": "1" });
  });

  it("which resources a quota's names make a recount list", () => {
    expect([...resourcesCounted({ pods: "2", "requests.cpu": "1", "count/deployments.apps": "1", "requests.storage": "1Gi", "services.loadbalancers": "1", secrets: "3" })].sort()).toEqual(
      ["deployments.apps", "persistentvolumeclaims", "pods", "secrets", "services"],
    );
  });
});

describe("scopes", () => {
  const terminating = pod([res({ cpu: "1" })], { activeDeadlineSeconds: 30 });
  const bestEffort = pod([{}]);
  it.each<[string, Partial<NonNullable<ResourceQuota["spec"]>>, Pod, boolean]>([
    ["Terminating holds for a pod with a deadline", { scopes: ["Terminating"] }, terminating, true],
    ["NotTerminating does not", { scopes: ["NotTerminating"] }, terminating, false],
    ["BestEffort: no requests nor limits", { scopes: ["BestEffort"] }, bestEffort, true],
    ["NotBestEffort", { scopes: ["NotBestEffort"] }, bestEffort, false],
    ["all scopes must hold", { scopes: ["NotBestEffort", "NotTerminating"] }, terminating, false],
    ["scopeSelector Exists", { scopeSelector: { matchExpressions: [{ scopeName: "BestEffort", operator: "Exists" }] } }, bestEffort, true],
    ["scopeSelector DoesNotExist", { scopeSelector: { matchExpressions: [{ scopeName: "BestEffort", operator: "DoesNotExist" }] } }, bestEffort, false],
  ])("%s", (_n, spec, p, want) => expect(quotaMatches(quota("q", { pods: "1" }, {}, spec), "pods", p)).toBe(want));

  it("a scoped quota applies to pods only", () => {
    expect(quotaMatches(quota("q", { pods: "1" }, {}, { scopes: ["BestEffort"] }), "services", { metadata: {} })).toBe(false);
  });
});

describe("the admission's check", () => {
  const memCpu = quota("mem-cpu-demo", { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi" }, { "requests.cpu": "400m", "requests.memory": "600Mi", "limits.cpu": "800m", "limits.memory": "800Mi" });

  it("refuses a pod that would exceed, naming only what is exceeded (docs: quota-mem-cpu-demo-2)", () => {
    const p = pod([res({ cpu: "400m", memory: "700Mi" }, { cpu: "800m", memory: "1Gi" })]);
    expect(checkQuotas([memCpu], "pods", p, podUsage(p, NOW))).toEqual({
      refused: "exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi",
    });
  });

  it("charges a pod that fits, in every quota that tracks it", () => {
    const p = pod([res({ cpu: "100m", memory: "100Mi" }, { cpu: "200m", memory: "200Mi" })]);
    const pods = quota("pods", { pods: "2" }, { pods: "1" });
    const out = checkQuotas([memCpu, pods], "pods", p, podUsage(p, NOW));
    expect("charges" in out && out.charges.map((c) => [c.quota.metadata.name, c.used])).toEqual([
      ["mem-cpu-demo", { "requests.cpu": "500m", "requests.memory": "700Mi", "limits.cpu": "1", "limits.memory": "1000Mi" }],
      ["pods", { pods: "2" }],
    ]);
  });

  it("several exceeded names are sorted and joined with commas", () => {
    const q = quota("q", { pods: "1", "count/pods": "1" }, { pods: "1", "count/pods": "1" });
    const p = pod([{}]);
    expect(checkQuotas([q], "pods", p, podUsage(p, NOW))).toEqual({ refused: "exceeded quota: q, requested: count/pods=1,pods=1, used: count/pods=1,pods=1, limited: count/pods=1,pods=1" });
  });

  it("a quota on cpu and memory needs each container to set them", () => {
    const p = pod([{ name: "app" }, { name: "sidecar", ...res({ cpu: "100m" }, { cpu: "100m" }) }]);
    expect(missingConstraints(p, memCpu.status!.hard!)).toBe("must specify limits.cpu for: app; limits.memory for: app,sidecar; requests.cpu for: app; requests.memory for: app,sidecar");
    expect(checkQuotas([memCpu], "pods", p, podUsage(p, NOW))).toEqual({
      refused: "failed quota: mem-cpu-demo: must specify limits.cpu for: app; limits.memory for: app,sidecar; requests.cpu for: app; requests.memory for: app,sidecar",
    });
    expect(missingConstraints(p, { pods: "3" })).toBeUndefined();
  });

  it("an update is charged only what grows (a claim resized)", () => {
    const small = { metadata: {}, spec: { resources: { requests: { storage: "1Gi" } } } };
    const big = { metadata: {}, spec: { resources: { requests: { storage: "3Gi" } } } };
    const delta = deltaUsage(objectUsage("persistentvolumeclaims", big, NOW), objectUsage("persistentvolumeclaims", small, NOW));
    expect(delta).toEqual({ "requests.storage": "2Gi" });
    const q = quota("storage", { "requests.storage": "2Gi" }, { "requests.storage": "1Gi" });
    expect(checkQuotas([q], "persistentvolumeclaims", big, delta)).toEqual({ refused: "exceeded quota: storage, requested: requests.storage=2Gi, used: requests.storage=1Gi, limited: requests.storage=2Gi" });
    expect(deltaUsage(objectUsage("persistentvolumeclaims", small, NOW), objectUsage("persistentvolumeclaims", big, NOW))).toEqual({});
  });

  it("objects a quota does not track pass without a charge", () => {
    expect(checkQuotas([memCpu], "configmaps", { metadata: {} }, objectUsage("configmaps", { metadata: {} }, NOW))).toEqual({ charges: [] });
  });

  it("a recount sums what every object uses, 0 where nothing", () => {
    expect(usedOf({ pods: "2", "requests.memory": "1Gi", secrets: "1" }, [{ pods: "1", "requests.memory": "600Mi" }, { pods: "1", "requests.memory": "100Mi" }])).toEqual({ pods: "2", "requests.memory": "700Mi", secrets: "0" });
  });
});
