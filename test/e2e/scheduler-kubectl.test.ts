// The scheduler as kubectl shows it, against `wrangler dev`: where pods went
// (get -o wide), why one cannot go anywhere (describe: the FailedScheduling event
// from default-scheduler), and cordon/uncordon.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const bigPod = `apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "16"
`;

describe("scheduling seen through kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
    await eventually(async () => {
      const r = await c.kubectl(["get", "nodes", "-o", "name"]);
      return r.stdout.trim().split("\n").length >= 3;
    }, 60_000, "3 nodes");
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("places pods on nodes and records Scheduled events", async () => {
    await c.kubectl(["run", "web", "--image=nginx:1.27"]);
    const node = await eventually(async () => {
      const r = await c.kubectl(["get", "pod", "web", "-o", "jsonpath={.spec.nodeName}"]);
      return r.stdout.trim() || undefined;
    }, 90_000, "web to be bound");
    expect(node).toMatch(/^node-[123]$/);
    const wide = await c.kubectl(["get", "pod", "web", "-o", "wide"]);
    expect(wide.stdout).toMatch(new RegExp(`web\\s+.*\\s${node}\\s`));
    const d = await c.kubectl(["describe", "pod", "web"]);
    expect(d.stdout).toMatch(new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/web to ${node}`));
  });

  it("explains why a pod stays Pending, and schedules it once a node fits", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: bigPod });
    const d = await eventually(async () => {
      const r = await c.kubectl(["describe", "pod", "big"]);
      return /FailedScheduling/.test(r.stdout) ? r.stdout : undefined;
    }, 90_000, "FailedScheduling");
    expect(d).toMatch(/Status:\s+Pending/);
    expect(d).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\./);
    expect(d).toMatch(/PodScheduled\s+False/);

    const node = `apiVersion: v1
kind: Node
metadata:
  name: big-node
status:
  capacity:
    cpu: "64"
    memory: 256Gi
    pods: "110"
`;
    await c.kubectl(["apply", "-f", "-"], { input: node });
    await eventually(async () => {
      const r = await c.kubectl(["get", "pod", "big", "-o", "jsonpath={.spec.nodeName}"]);
      return r.stdout.trim() === "big-node";
    }, 90_000, "big to be bound to big-node");
  });

  it("a cordoned node takes no new pods", async () => {
    await c.kubectl(["cordon", "node-1"]);
    await c.kubectl(["cordon", "big-node"]);
    const names = ["c1", "c2", "c3", "c4"];
    for (const n of names) await c.kubectl(["run", n, "--image=nginx:1.27"]);
    const nodes = await eventually(async () => {
      const r = await c.kubectl(["get", "pods", ...names, "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}"]);
      const list = r.stdout.trim().split("\n").filter(Boolean);
      return list.length === names.length ? list : undefined;
    }, 90_000, "cordon pods to be bound");
    expect(nodes).not.toContain("node-1");
    expect(nodes).not.toContain("big-node");
    const get = await c.kubectl(["get", "node", "node-1"]);
    expect(get.stdout).toMatch(/node-1\s+Ready,SchedulingDisabled/);
  });
});
