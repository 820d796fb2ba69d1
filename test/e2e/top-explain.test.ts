// `kubectl top` and `kubectl explain` with the real kubectl against `wrangler dev`:
// the metrics API found through discovery and printed in kubectl's columns (CPU% and
// MEMORY% of allocatable for nodes, per container for pods), and field documentation
// read from the published OpenAPI v3 schemas.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const workloads = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: burner
  labels: {app: burner}
spec:
  containers:
  - name: loop
    image: busybox:1.37
    command: ["sh", "-c", "while true; do true; done"]
    resources:
      limits: {cpu: 300m, memory: 32Mi}
  - name: idle
    image: busybox:1.37
    command: ["sleep", "3600"]
`;

describe("kubectl top and explain", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
    await eventually(async () => (await c.kubectl(["get", "nodes", "-o", "name"])).stdout.trim().split("\n").length >= 3, 60_000, "3 nodes");
    await c.kubectl(["apply", "-f", "-"], { input: workloads });
    await eventually(async () => {
      const r = await c.kubectl(["get", "pods", "-o", "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}"]);
      const phases = r.stdout.trim().split("\n");
      return phases.length === 3 && phases.every((p) => p === "Running");
    }, 120_000, "3 pods running");
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("top nodes: usage and percentages of allocatable per node", async () => {
    const r = await c.kubectl(["top", "nodes"]);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(?%\)?\s+MEMORY\(bytes\)\s+MEMORY\(?%\)?\s*$/);
    const rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows.map((x) => x[0]).sort()).toEqual(["node-1", "node-2", "node-3"]);
    for (const [, cpu, cpuPct, mem, memPct] of rows) {
      expect(cpu).toMatch(/^\d+m$/);
      expect(mem).toMatch(/^\d+Mi$/);
      // Percentages against allocatable (4 cores, 8Gi by default), as kubectl computes them.
      expect(Number(cpuPct.replace("%", ""))).toBe(Math.floor((Number(cpu.slice(0, -1)) / 4000) * 100));
      // (MEMORY% comes from the exact bytes, the column from whole MiB: allow one point.)
      expect(Math.abs(Number(memPct.replace("%", "")) - Math.floor((Number(mem.slice(0, -2)) / 8192) * 100))).toBeLessThanOrEqual(1);
      // Every node uses at least what its system does.
      expect(Number(cpu.slice(0, -1))).toBeGreaterThanOrEqual(40);
    }
    // The node running the busy loop carries its 300m.
    const burnerNode = (await c.kubectl(["get", "pod", "burner", "-o", "jsonpath={.spec.nodeName}"])).stdout.trim();
    const burnerRow = rows.find((x) => x[0] === burnerNode)!;
    expect(Number(burnerRow[1].slice(0, -1))).toBeGreaterThanOrEqual(340);
  });

  it("top pods --containers: each container's usage, limits holding the busy loop", async () => {
    const r = await c.kubectl(["top", "pods", "--containers"]);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    const rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows).toContainEqual(["burner", "loop", "300m", "0Mi"]);
    expect(rows).toContainEqual(["burner", "idle", "0m", "0Mi"]);
    const nginx = rows.filter((x) => x[0].startsWith("web-"));
    expect(nginx).toHaveLength(2);
    for (const row of nginx) expect(row.slice(1)).toEqual(["nginx", "1m", "5Mi"]);
  });

  it("top pods -A and by label: the NAMESPACE column and a filtered list", async () => {
    const all = await c.kubectl(["top", "pods", "-A"]);
    expect(all.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(all.stdout).toMatch(/default\s+burner\s+300m\s+0Mi/);
    const sel = await c.kubectl(["top", "pods", "-l", "app=web", "--no-headers"]);
    expect(sel.stdout.trim().split("\n")).toHaveLength(2);
    const missing = await c.kubectl(["top", "pod", "nope"], { allowFail: true });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('pods "nope" not found');
  });

  it("explain pod.spec.containers.livenessProbe: the field's type, description and fields", async () => {
    const r = await c.kubectl(["explain", "pod.spec.containers.livenessProbe"]);
    expect(r.stdout).toMatch(/KIND:\s+Pod/);
    expect(r.stdout).toMatch(/VERSION:\s+v1/);
    expect(r.stdout).toMatch(/FIELD:\s+livenessProbe <Probe>/);
    expect(r.stdout).toContain("the kubelet restarts the container");
    expect(r.stdout).toMatch(/httpGet\s+<HTTPGetAction>/);
    expect(r.stdout).toMatch(/periodSeconds\s+<integer>/);
    expect(r.stdout).toContain("How often, in seconds, to probe");
  });

  it("explain deployment.spec --recursive: the whole tree, down to the containers", async () => {
    const r = await c.kubectl(["explain", "deployment.spec", "--recursive"]);
    expect(r.stdout).toMatch(/GROUP:\s+apps/);
    expect(r.stdout).toMatch(/KIND:\s+Deployment/);
    expect(r.stdout).toMatch(/FIELD:\s+spec <DeploymentSpec>/);
    expect(r.stdout).toMatch(/\n {2}replicas\s+<integer>/);
    expect(r.stdout).toMatch(/\n {2}selector\s+<LabelSelector> -required-/);
    expect(r.stdout).toMatch(/\n {2}strategy\s+<DeploymentStrategy>\n {4}rollingUpdate\s+<RollingUpdateDeployment>\n {6}maxSurge\s+<IntOrString>/);
    expect(r.stdout).toMatch(/\n {6}containers\s+<\[\]Container> -required-\n/);
    expect(r.stdout).toMatch(/\n {8}image\s+<string>/);
    // Quantities and int-or-strings show their own names, timestamps plain strings, as upstream.
    expect(r.stdout).toMatch(/\n {10}limits\s+<map\[string\]Quantity>/);
    expect(r.stdout).toMatch(/\n {6}creationTimestamp\s+<string>/);
  });

  it("explain reaches affinity and projected volumes: enums, formats, required fields", async () => {
    const op = await c.kubectl(["explain", "pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.operator"]);
    expect(op.stdout).toMatch(/FIELD:\s+operator <string>[^]*ENUM:\s+DoesNotExist\s+Exists\s+Gt\s+In\s+Lt\s+NotIn/);
    const token = await c.kubectl(["explain", "deployment.spec.template.spec.volumes.projected.sources.serviceAccountToken"]);
    expect(token.stdout).toMatch(/FIELD:\s+serviceAccountToken <ServiceAccountTokenProjection>[^]*\n {2}expirationSeconds\s+<integer>[^]*\n {2}path\s+<string> -required-/);
  });

  it("explain of the other kinds, and of a field that does not exist", async () => {
    for (const [what, kind] of [["services", "Service"], ["nodes", "Node"], ["configmaps", "ConfigMap"], ["secrets", "Secret"], ["namespaces", "Namespace"], ["replicasets", "ReplicaSet"]]) {
      const r = await c.kubectl(["explain", what]);
      expect(r.stdout).toMatch(new RegExp(`KIND:\\s+${kind}`));
      expect(r.stdout).toMatch(/metadata\s+<ObjectMeta>/);
    }
    const bad = await c.kubectl(["explain", "pod.spec.nosuchfield"], { allowFail: true });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('field "nosuchfield" does not exist');
  });

  it("apply still patches with the schemas published: a changed image rolls out", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: workloads.replace("image: nginx:1.27", "image: nginx:1.27-alpine") });
    await eventually(async () => (await c.kubectl(["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).stdout === "nginx:1.27-alpine", 30_000, "image changed");
    const r = await c.kubectl(["apply", "-f", "-"], { input: workloads.replace("image: nginx:1.27", "image: nginx:1.27-alpine") });
    expect(r.stdout).toContain("deployment.apps/web unchanged");
    expect(r.stderr).not.toContain("warning");
  });
});
