import { describe, it, expect } from "vitest";
import { formatAge, toTable } from "../../src/api/printers";
import type { ContainerStatus, Deployment, Event, KubeObject, Node, Pod, ReplicaSet } from "../../src/model/types";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const H = 3600;
const D = 24 * H;

function cellsOf(resource: string, obj: KubeObject): unknown[] {
  return toTable(resource, [obj], { now: NOW }).rows[0].cells;
}

describe("formatAge (duration.HumanDuration)", () => {
  it.each([
    [0, "0s"], [-1, "0s"], [-2, "<invalid>"], [5, "5s"], [119, "119s"], [120, "2m"], [303, "5m3s"],
    [599, "9m59s"], [600, "10m"], [179 * 60, "179m"], [3 * H, "3h"], [3 * H + 600, "3h10m"],
    [8 * H, "8h"], [47 * H + 59 * 60, "47h"], [2 * D, "2d"], [2 * D + 3 * H, "2d3h"], [7 * D + 23 * H, "7d23h"],
    [8 * D, "8d"], [45 * D, "45d"], [729 * D, "729d"], [730 * D, "2y"], [(3 * 365 + 20) * D, "3y20d"], [8 * 365 * D, "8y"],
  ])("%d s ago -> %s", (seconds, want) => {
    expect(formatAge(ago(seconds), NOW)).toBe(want);
  });
  it("is <unknown> without a timestamp", () => {
    expect(formatAge(undefined, NOW)).toBe("<unknown>");
    expect(formatAge("not a time", NOW)).toBe("<unknown>");
  });
});

function pod(status: Pod["status"], extra: { spec?: Partial<Pod["spec"]>; deletionTimestamp?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", creationTimestamp: ago(90), deletionTimestamp: extra.deletionTimestamp },
    spec: { containers: [{ name: "app", image: "nginx" }], ...extra.spec },
    status,
  };
}
function cs(state: ContainerStatus["state"], more: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: "app", image: "nginx", imageID: "", ready: false, restartCount: 0, state, ...more };
}
/** [READY, STATUS, RESTARTS] */
const podSummary = (p: Pod) => cellsOf("pods", p).slice(1, 4);

describe("pods", () => {
  it("has the real column set, wide columns at priority 1", () => {
    const cols = toTable("pods", [], { now: NOW }).columnDefinitions;
    expect(cols.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0], ["Ready", 0], ["Status", 0], ["Restarts", 0], ["Age", 0],
      ["IP", 1], ["Node", 1], ["Nominated Node", 1], ["Readiness Gates", 1],
    ]);
    expect(cols[0]).toMatchObject({ type: "string", format: "name" });
  });

  it("prints a running pod with wide cells", () => {
    const p = pod({ phase: "Running", podIP: "10.0.0.5", containerStatuses: [cs({ running: {} }, { ready: true })] }, { spec: { nodeName: "node-1" } });
    expect(cellsOf("pods", p)).toEqual(["web", "1/1", "Running", "0", "90s", "10.0.0.5", "node-1", "<none>", "<none>"]);
  });

  it.each(["ContainerCreating", "ErrImagePull", "ImagePullBackOff"])("shows the waiting reason %s", (reason) => {
    expect(podSummary(pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason } })] }))).toEqual(["0/1", reason, "0"]);
  });

  it("shows CrashLoopBackOff with restarts and when the last one was", () => {
    const p = pod({
      phase: "Running",
      containerStatuses: [cs({ waiting: { reason: "CrashLoopBackOff" } }, { restartCount: 5, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(303) } } })],
    });
    expect(podSummary(p)).toEqual(["0/1", "CrashLoopBackOff", "5 (5m3s ago)"]);
  });

  it("shows restarts without a suffix when no termination time is known", () => {
    expect(podSummary(pod({ phase: "Running", containerStatuses: [cs({ running: {} }, { ready: true, restartCount: 3 })] }))[2]).toBe("3");
  });

  it("shows Completed and marks the row completed", () => {
    const p = pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] });
    const row = toTable("pods", [p], { now: NOW }).rows[0];
    expect(row.cells.slice(1, 4)).toEqual(["0/1", "Completed", "0"]);
    expect(row.conditions).toEqual([{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }]);
  });

  it("shows ExitCode:N and Signal:N for a termination without a reason", () => {
    expect(podSummary(pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 137 } })] }))[1]).toBe("ExitCode:137");
    expect(podSummary(pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 0, signal: 9 } })] }))[1]).toBe("Signal:9");
  });

  it("shows NotReady when a container completed, another runs and the pod is not Ready", () => {
    const p = pod({
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [cs({ running: {} }, { ready: true }), cs({ terminated: { exitCode: 0, reason: "Completed" } }, { name: "job" })],
    }, { spec: { containers: [{ name: "app" }, { name: "job" }] } });
    expect(podSummary(p)).toEqual(["1/2", "NotReady", "0"]);
  });

  it("shows Terminating, Unknown for NodeLost, and keeps a finished pod's status", () => {
    const running = { phase: "Running" as const, containerStatuses: [cs({ running: {} }, { ready: true })] };
    expect(podSummary(pod(running, { deletionTimestamp: ago(1) }))[1]).toBe("Terminating");
    expect(podSummary(pod({ ...running, reason: "NodeLost" }, { deletionTimestamp: ago(1) }))[1]).toBe("Unknown");
    const done = { phase: "Succeeded" as const, containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] };
    expect(podSummary(pod(done, { deletionTimestamp: ago(1) }))[1]).toBe("Completed");
  });

  it("shows Init:0/1 and an init container's failure", () => {
    const spec = { initContainers: [{ name: "init" }] };
    const waiting = pod({ phase: "Pending", initContainerStatuses: [cs({ waiting: { reason: "PodInitializing" } }, { name: "init" })], containerStatuses: [cs({ waiting: { reason: "PodInitializing" } })] }, { spec });
    expect(podSummary(waiting)).toEqual(["0/1", "Init:0/1", "0"]);
    const crashing = pod({ phase: "Pending", initContainerStatuses: [cs({ waiting: { reason: "CrashLoopBackOff" } }, { name: "init", restartCount: 2 })] }, { spec });
    expect(podSummary(crashing)).toEqual(["0/1", "Init:CrashLoopBackOff", "2"]);
    const failed = pod({ phase: "Pending", initContainerStatuses: [cs({ terminated: { exitCode: 3 } }, { name: "init" })] }, { spec });
    expect(podSummary(failed)[1]).toBe("Init:ExitCode:3");
  });

  it("counts a started sidecar init container in READY", () => {
    const p = pod({
      phase: "Running",
      conditions: [{ type: "Initialized", status: "True" }],
      initContainerStatuses: [cs({ running: {} }, { name: "proxy", started: true, ready: true, restartCount: 1 })],
      containerStatuses: [cs({ running: {} }, { ready: true })],
    }, { spec: { initContainers: [{ name: "proxy", restartPolicy: "Always" }] } });
    expect(podSummary(p)).toEqual(["2/2", "Running", "1"]);
  });

  it("counts readiness gates", () => {
    const p = pod({ phase: "Running", conditions: [{ type: "a", status: "True" }, { type: "b", status: "False" }] }, { spec: { readinessGates: [{ conditionType: "a" }, { conditionType: "b" }] } });
    expect(cellsOf("pods", p)[8]).toBe("1/2");
  });
});

function node(ready: "True" | "False" | "Unknown" | null, extra: { unschedulable?: boolean; labels?: Record<string, string> } = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", creationTimestamp: ago(2 * D + 3 * H), labels: extra.labels },
    spec: { unschedulable: extra.unschedulable },
    status: {
      conditions: ready ? [{ type: "Ready", status: ready }] : [],
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
      nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Workers", kernelVersion: "", containerRuntimeVersion: "edgekube://1", machineID: "", systemUUID: "", bootID: "", kubeProxyVersion: "", operatingSystem: "linux", architecture: "amd64" },
    },
  };
}

describe("nodes", () => {
  it("prints status, roles, version and wide cells", () => {
    expect(cellsOf("nodes", node("True", { labels: { "node-role.kubernetes.io/control-plane": "" } })))
      .toEqual(["node-1", "Ready", "control-plane", "2d3h", "v1.32.0", "10.0.0.1", "<none>", "Workers", "<unknown>", "edgekube://1"]);
  });
  it.each([
    ["True", true, "Ready,SchedulingDisabled"],
    ["False", false, "NotReady"],
    ["Unknown", false, "NotReady"],
    [null, true, "Unknown,SchedulingDisabled"],
  ] as const)("Ready=%s unschedulable=%s -> %s", (ready, unschedulable, want) => {
    expect(cellsOf("nodes", node(ready, { unschedulable }))[1]).toBe(want);
  });
  it("joins sorted roles and shows <none> without any", () => {
    expect(cellsOf("nodes", node("True", { labels: { "node-role.kubernetes.io/worker": "", "kubernetes.io/role": "edge" } }))[2]).toBe("edge,worker");
    expect(cellsOf("nodes", node("True"))[2]).toBe("<none>");
  });
});

const template = { spec: { containers: [{ name: "app", image: "nginx:1" }, { name: "log", image: "busybox" }] } };

describe("deployments and replicasets", () => {
  it("prints READY as ready/desired", () => {
    const d: Deployment = {
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name: "web", creationTimestamp: ago(600) },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cellsOf("deployments.apps", d)).toEqual(["web", "2/3", 3, 2, "10m", "app,log", "nginx:1,busybox", "app=web,tier in (a,b)"]);
    const fresh = { ...d, spec: { ...d.spec, replicas: undefined }, status: undefined };
    expect(cellsOf("deployments.apps", fresh).slice(1, 4)).toEqual(["0/1", 0, 0]);
  });
  it("prints replicaset counts", () => {
    const rs: ReplicaSet = {
      apiVersion: "apps/v1", kind: "ReplicaSet",
      metadata: { name: "web-abc", creationTimestamp: ago(600) },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(toTable("replicasets.apps", [rs], { now: NOW }).columnDefinitions.map((c) => c.name))
      .toEqual(["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"]);
    expect(cellsOf("replicasets.apps", rs)).toEqual(["web-abc", 3, 3, 1, "10m", "app,log", "nginx:1,busybox", "app=web"]);
  });
});

describe("events", () => {
  const ev: Event = {
    apiVersion: "v1", kind: "Event",
    metadata: { name: "web.17a", namespace: "default" },
    involvedObject: { kind: "Pod", name: "web", fieldPath: "spec.containers{app}" },
    reason: "Pulled", message: "Pulled image\n", type: "Normal",
    source: { component: "kubelet", host: "node-1" },
    firstTimestamp: ago(600), lastTimestamp: ago(30), count: 4,
  };
  it("uses the wide column order with OBJECT as kind/name", () => {
    expect(toTable("events", [], { now: NOW }).columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      "Last Seen:0", "Type:0", "Reason:0", "Object:0", "Subobject:1", "Source:1", "Message:0", "First Seen:1", "Count:1", "Name:1",
    ]);
    expect(cellsOf("events", ev)).toEqual(["30s", "Normal", "Pulled", "pod/web", "spec.containers{app}", "kubelet, node-1", "Pulled image", "10m", 4, "web.17a"]);
  });
  it("falls back to eventTime, count 1 and reporting fields", () => {
    const modern: Event = { ...ev, firstTimestamp: null, lastTimestamp: null, count: undefined, source: undefined, eventTime: ago(5), reportingComponent: "scheduler" };
    const cells = cellsOf("events", modern);
    expect([cells[0], cells[5], cells[7], cells[8]]).toEqual(["5s", "scheduler", "5s", 1]);
  });
});

describe("namespaces, leases and the default", () => {
  it("prints namespace and lease columns", () => {
    expect(cellsOf("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default", creationTimestamp: ago(45 * D) }, status: { phase: "Active" } }))
      .toEqual(["default", "Active", "45d"]);
    expect(cellsOf("leases.coordination.k8s.io", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1", creationTimestamp: ago(60) }, spec: { holderIdentity: "node-1" } }))
      .toEqual(["node-1", "node-1", "60s"]);
  });
  it("gives unknown resources NAME and AGE", () => {
    const t = toTable("widgets.example.com", [{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }], { now: NOW });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Age"]);
    expect(t.rows[0].cells).toEqual(["w", "<unknown>"]);
  });
});

describe("table envelope", () => {
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a", labels: { x: "1" } }, status: { phase: "Active" } };
  it("carries PartialObjectMetadata by default and list metadata", () => {
    const t = toTable("namespaces", [ns], { now: NOW, resourceVersion: "42", continue: "tok" });
    expect(t).toMatchObject({ kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: "42", continue: "tok" } });
    expect(t.rows[0].object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: ns.metadata });
  });
  it("honours includeObject and omitHeaders", () => {
    expect(toTable("namespaces", [ns], { now: NOW, includeObject: "Object" }).rows[0].object).toBe(ns);
    expect(toTable("namespaces", [ns], { now: NOW, includeObject: "None" }).rows[0].object).toBeNull();
    const t = toTable("namespaces", [ns], { now: NOW, omitHeaders: true });
    expect(t.columnDefinitions).toEqual([]);
    expect(t.metadata).toEqual({});
  });
});

describe("configmaps, secrets and serviceaccounts", () => {
  const at = Date.parse("2026-01-01T00:00:00Z");
  const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" });
  const row = (resource: string, obj: KubeObject) => toTable(resource, [obj], { now: at + 65_000 }).rows[0].cells;
  const header = (resource: string) => toTable(resource, [], { now: at }).columnDefinitions.map((c) => c.name);

  it("prints NAME DATA AGE for a ConfigMap, counting both maps", () => {
    expect(header("configmaps")).toEqual(["Name", "Data", "Age"]);
    expect(row("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cm"), data: { a: "1", b: "2" }, binaryData: { c: "AA==" } })).toEqual(["cm", 3, "65s"]);
  });

  it("prints NAME TYPE DATA AGE for a Secret", () => {
    expect(header("secrets")).toEqual(["Name", "Type", "Data", "Age"]);
    expect(row("secrets", { apiVersion: "v1", kind: "Secret", metadata: meta("s"), type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } })).toEqual(["s", "kubernetes.io/tls", 2, "65s"]);
  });

  it("prints NAME SECRETS AGE for a ServiceAccount", () => {
    expect(header("serviceaccounts")).toEqual(["Name", "Secrets", "Age"]);
    expect(row("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("default") })).toEqual(["default", 0, "65s"]);
  });
});
