// The "Pod Priority and Preemption" page with the real kubectl, on two 2-cpu nodes
// filled by a low-priority Deployment: the PriorityClasses (`kubectl create
// priorityclass` sends protobuf), a high-priority pod that preempts one filler and
// takes its place while the filler's replacement waits, a non-preempting class that
// waits instead, and admission's errors.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const classes = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority-nonpreempting
value: 1000000
preemptionPolicy: Never
globalDefault: false
description: "This priority class will not cause other pods to be preempted."
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: low-priority
value: 10
description: "Fillers."
`;

const filler = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: filler
spec:
  replicas: 2
  selector:
    matchLabels: {app: filler}
  template:
    metadata:
      labels: {app: filler}
    spec:
      priorityClassName: low-priority
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests: {cpu: 1500m}
`;

const pod = (name: string, className: string, cpu = "1") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    env: test
spec:
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
    resources:
      requests: {cpu: "${cpu}"}
  priorityClassName: ${className}
`;

describe("pod priority and preemption through kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ DEFAULT_NODE_COUNT: "2", DEFAULT_NODE_CPU: "2" });
    await eventually(async () => (await c.kubectl(["get", "nodes", "-o", "name"])).stdout.trim().split("\n").length >= 2, 60_000, "2 nodes");
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("creates classes with kubectl create (protobuf) and apply, and lists them as kubectl 1.32 does", async () => {
    const created = await c.kubectl(["create", "priorityclass", "high-priority", "--value=1000000", "--description=This priority class should be used for XYZ service pods only."]);
    expect(created.stdout.trim()).toBe("priorityclass.scheduling.k8s.io/high-priority created");
    await c.kubectl(["apply", "-f", "-"], { input: classes });
    const list = await c.kubectl(["get", "priorityclasses"]);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/);
    expect(list.stdout).toMatch(/\nhigh-priority\s+1000000\s+false\s+\S+\s+PreemptLowerPriority\n/);
    expect(list.stdout).toMatch(/\nhigh-priority-nonpreempting\s+1000000\s+false\s+\S+\s+Never\n/);
    expect(list.stdout).toMatch(/\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority/);
    const reserved = await c.kubectl(["create", "priorityclass", "system-mine", "--value=5"], { allowFail: true });
    expect(reserved.stderr).toContain(`"system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`);
  });

  it("a high-priority pod preempts one low-priority filler on a full cluster and takes its room", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: filler });
    const fillers = await eventually(async () => {
      const r = await c.kubectl(["get", "pods", "-l", "app=filler", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase}{\"\\n\"}{end}"]);
      const rows = r.stdout.trim().split("\n").filter((l) => /Running$/.test(l));
      return rows.length === 2 && new Set(rows.map((l) => l.split(" ")[1])).size === 2 ? rows.map((l) => l.split(" ")) : undefined;
    }, 60_000, "2 fillers running on 2 nodes");

    await c.kubectl(["apply", "-f", "-"], { input: pod("nginx", "high-priority") });
    const node = await eventually(async () => {
      const r = await c.kubectl(["get", "pod", "nginx", "-o", "jsonpath={.spec.nodeName}"]);
      return r.stdout.trim() || undefined;
    }, 60_000, "nginx to be bound");
    const victim = fillers.find(([, n]) => n === node)![0];
    const preempted = await c.kubectl(["get", "events", "--field-selector", "reason=Preempted", "-o", "jsonpath={range .items[*]}{.involvedObject.name}: {.message}{\"\\n\"}{end}"]);
    const uid = (await c.kubectl(["get", "pod", "nginx", "-o", "jsonpath={.metadata.uid}"])).stdout.trim();
    expect(preempted.stdout.trim()).toBe(`${victim}: Preempted by pod ${uid} on node ${node}`);
    const d = await c.kubectl(["describe", "pod", "nginx"]);
    expect(d.stdout).toMatch(/Priority:\s+1000000\n/);
    expect(d.stdout).toMatch(/Priority Class Name:\s+high-priority\n/);

    // The Deployment replaces its filler; the replacement may not preempt anyone back.
    const pending = await eventually(async () => {
      const r = await c.kubectl(["get", "pods", "-l", "app=filler", "--field-selector", "status.phase=Pending", "-o", "name"]);
      return r.stdout.trim() || undefined;
    }, 60_000, "the replacement filler");
    const why = await eventually(async () => {
      const r = await c.kubectl(["describe", pending]);
      return /FailedScheduling/.test(r.stdout) ? r.stdout : undefined;
    }, 60_000, "the replacement's FailedScheduling");
    expect(why).toContain("0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    expect((await c.kubectl(["get", "pods", "-l", "app=filler", "--field-selector", "status.phase=Running", "-o", "name"])).stdout.trim().split("\n")).toHaveLength(1);
  });

  it("a non-preempting pod waits; an unknown class is refused by admission", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: pod("polite", "high-priority-nonpreempting", "1500m") });
    const d = await eventually(async () => {
      const r = await c.kubectl(["describe", "pod", "polite"]);
      return /FailedScheduling/.test(r.stdout) ? r.stdout : undefined;
    }, 60_000, "polite's FailedScheduling");
    expect(d).toContain("0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    expect((await c.kubectl(["get", "pods", "-l", "app=filler", "--field-selector", "status.phase=Running", "-o", "name"])).stdout.trim().split("\n")).toHaveLength(1);

    const refused = await c.kubectl(["apply", "-f", "-"], { input: pod("stray", "no-such-class"), allowFail: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`pods "stray" is forbidden: no PriorityClass with name no-such-class was found`);
  });
});
