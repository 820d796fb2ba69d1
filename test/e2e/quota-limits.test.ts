// The docs' "Configure Memory and CPU Quotas for a Namespace" and "Configure Default
// Memory Requests and Limits for a Namespace" with the real kubectl: `kubectl create
// quota` (a protobuf body), a pod that fits and runs, one refused with the admission's
// exact message, the used figures in `get -o yaml`, get/describe of quotas and limits,
// and the LimitRange's defaults written into a pod.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const QUOTA_NS = "quota-mem-cpu-example";
const LIMITS_NS = "default-mem-example";

const pod = (name: string, requests: Record<string, string>, limits: Record<string, string>) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: ${name}-ctr
    image: nginx
    resources:
      limits:
${Object.entries(limits).map(([k, v]) => `        ${k}: "${v}"`).join("\n")}
      requests:
${Object.entries(requests).map(([k, v]) => `        ${k}: "${v}"`).join("\n")}
`;

const MEMORY_DEFAULTS = `apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
`;

const DEFAULTS_POD = `apiVersion: v1
kind: Pod
metadata:
  name: default-mem-demo
spec:
  containers:
  - name: default-mem-demo-ctr
    image: nginx
`;

interface QuotaJson {
  status: { hard: Record<string, string>; used: Record<string, string> };
}

describe("ResourceQuota and LimitRange with kubectl", () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("a namespace's memory and CPU quota: a pod that fits runs, the next is refused, used figures follow", async () => {
    await c.kubectl(["create", "namespace", QUOTA_NS]);
    const created = await c.kubectl(["create", "quota", "mem-cpu-demo", "--hard=requests.cpu=1,requests.memory=1Gi,limits.cpu=2,limits.memory=2Gi", "-n", QUOTA_NS]);
    expect(created.stdout.trim()).toBe("resourcequota/mem-cpu-demo created");

    await c.kubectl(["apply", "-n", QUOTA_NS, "-f", "-"], { input: pod("quota-mem-cpu-demo", { memory: "600Mi", cpu: "400m" }, { memory: "800Mi", cpu: "800m" }) });
    await eventually(async () => /\bRunning\b/.test((await c.kubectl(["get", "pod", "quota-mem-cpu-demo", "-n", QUOTA_NS])).stdout) || undefined, 60_000, "quota-mem-cpu-demo Running");

    const yaml = (await c.kubectl(["get", "resourcequota", "mem-cpu-demo", "-n", QUOTA_NS, "--output=yaml"])).stdout;
    expect(yaml).toMatch(/status:\n {2}hard:\n {4}limits\.cpu: "2"\n {4}limits\.memory: 2Gi\n {4}requests\.cpu: "1"\n {4}requests\.memory: 1Gi\n {2}used:\n {4}limits\.cpu: 800m\n {4}limits\.memory: 800Mi\n {4}requests\.cpu: 400m\n {4}requests\.memory: 600Mi\n/);

    const refused = await c.kubectl(["apply", "-n", QUOTA_NS, "-f", "-"], { input: pod("quota-mem-cpu-demo-2", { memory: "700Mi", cpu: "400m" }, { memory: "1Gi", cpu: "800m" }), allowFail: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi',
    );

    const got = (await c.kubectl(["get", "quota", "-n", QUOTA_NS])).stdout;
    expect(got).toMatch(/^NAME\s+AGE\s+REQUEST\s+LIMIT\n/);
    expect(got).toMatch(/^mem-cpu-demo\s+\d+s\s+requests\.cpu: 400m\/1, requests\.memory: 600Mi\/1Gi\s+limits\.cpu: 800m\/2, limits\.memory: 800Mi\/2Gi$/m);
    const described = (await c.kubectl(["describe", "quota", "mem-cpu-demo", "-n", QUOTA_NS])).stdout;
    expect(described).toMatch(/^Resource\s+Used\s+Hard$/m);
    expect(described).toMatch(/^requests\.memory\s+600Mi\s+1Gi$/m);

    // Deleting the pod gives its share back (the resourcequota controller recounts).
    await c.kubectl(["delete", "pod", "quota-mem-cpu-demo", "-n", QUOTA_NS, "--grace-period=0", "--force"]);
    await eventually(async () => {
      const q = JSON.parse((await c.kubectl(["get", "quota", "mem-cpu-demo", "-n", QUOTA_NS, "-o", "json"])).stdout) as QuotaJson;
      return q.status.used["requests.memory"] === "0" || undefined;
    }, 30_000, "the quota's used memory back to 0");
  });

  it("a LimitRange's default memory request and limit are written into a pod that sets none", async () => {
    await c.kubectl(["create", "namespace", LIMITS_NS]);
    await c.kubectl(["apply", "-n", LIMITS_NS, "-f", "-"], { input: MEMORY_DEFAULTS });
    await c.kubectl(["apply", "-n", LIMITS_NS, "-f", "-"], { input: DEFAULTS_POD });
    const yaml = (await c.kubectl(["get", "pod", "default-mem-demo", "--output=yaml", "-n", LIMITS_NS])).stdout;
    expect(yaml).toMatch(/ {4}resources:\n {6}limits:\n {8}memory: 512Mi\n {6}requests:\n {8}memory: 256Mi\n/);
    const note = (await c.kubectl(["get", "pod", "default-mem-demo", "-n", LIMITS_NS, "-o", "jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}"])).stdout;
    expect(note).toBe("LimitRanger plugin set: memory request for container default-mem-demo-ctr; memory limit for container default-mem-demo-ctr");

    const limits = (await c.kubectl(["get", "limits", "-n", LIMITS_NS])).stdout;
    expect(limits).toMatch(/^NAME\s+CREATED AT\nmem-limit-range\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const described = (await c.kubectl(["describe", "limits", "mem-limit-range", "-n", LIMITS_NS])).stdout;
    expect(described).toMatch(/^Container\s+memory\s+-\s+-\s+256Mi\s+512Mi\s+-$/m);
  });
});
