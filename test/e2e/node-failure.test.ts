// A node fails and its pods come back, identical, on the other nodes: a Deployment of
// 6 replicas over 3 nodes, one node crashed by label, with a fast lifecycle profile.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, FAST_PROFILE, type Cluster } from "./cluster";

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; containerStatuses?: { ready: boolean }[] };
}

describe("node failure and redeployment", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster(FAST_PROFILE);
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function livePods(): Promise<PodJson[]> {
    const r = await c.kubectl(["get", "pods", "-l", "app=resilient", "-o", "json"]);
    return (JSON.parse(r.stdout).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
  }

  async function renewTimes(): Promise<Map<string, number>> {
    const r = await c.kubectl(["get", "leases", "-n", "kube-node-lease", "-o", "json"]);
    const items = JSON.parse(r.stdout).items as { metadata: { name: string }; spec: { holderIdentity?: string; renewTime?: string } }[];
    return new Map(items.map((l) => [l.metadata.name, Date.parse(l.spec.renewTime ?? "")]));
  }

  const running = (p: PodJson) => p.status.phase === "Running" && (p.status.containerStatuses ?? []).every((s) => s.ready);

  it("shows every node's Lease in kube-node-lease with renewTime moving", async () => {
    const first = await renewTimes();
    expect([...first.keys()].sort()).toEqual(["node-1", "node-2", "node-3"]);
    const holders = (await c.kubectl(["get", "leases", "-n", "kube-node-lease"])).stdout;
    expect(holders).toMatch(/^NAME\s+HOLDER\s+AGE/m);
    expect(holders).toMatch(/^node-1\s+node-1\s/m);
    // Heartbeats reach D1 in batches (NODE_LEASE_WRITE_INTERVAL), so renewTime moves in steps.
    await eventually(async () => {
      const now = await renewTimes();
      return [...first].every(([name, t]) => (now.get(name) ?? 0) > t) ? now : undefined;
    }, 60_000, "every Lease renewed");
  });

  it("replaces a crashed node's pods on the others, then the node recovers", async () => {
    await c.kubectl(["create", "deployment", "resilient", "--image=nginx:1.27", "--replicas=6"]);
    const before = await eventually(async () => {
      const pods = await livePods();
      return pods.length === 6 && pods.every(running) && new Set(pods.map((p) => p.spec.nodeName)).size === 3 ? pods : undefined;
    }, 90_000, "6 running pods over 3 nodes");
    const victim = before[0].spec.nodeName!;
    const onVictim = before.filter((p) => p.spec.nodeName === victim).length;
    expect(onVictim).toBeGreaterThan(0);

    await c.kubectl(["label", "node", victim, "sim.edgekube.io/fault=crash"]);

    const nodes = await eventually(async () => {
      const out = (await c.kubectl(["get", "nodes"])).stdout;
      return new RegExp(`^${victim}\\s+NotReady`, "m").test(out) ? out : undefined;
    }, 60_000, `${victim} NotReady`);
    expect(nodes).toMatch(/Ready/);
    const described = await c.kubectl(["describe", "node", victim]);
    expect(described.stdout).toMatch(/Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute/);
    expect(described.stdout).toMatch(/Ready\s+Unknown\s.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);

    const after = await eventually(async () => {
      const pods = await livePods();
      return pods.length === 6 && pods.every(running) && pods.every((p) => p.spec.nodeName !== victim) ? pods : undefined;
    }, 120_000, "6 running pods, none on the failed node");
    expect(after.every((p) => p.spec.containers[0].image === "nginx:1.27")).toBe(true);

    const events = (await c.kubectl(["get", "events", "--field-selector", `involvedObject.name=${victim}`])).stdout;
    expect(events).toMatch(/NodeNotReady/);
    const podEvents = (await c.kubectl(["get", "events"])).stdout;
    expect(podEvents).toMatch(/TaintManagerEviction/);
    expect(podEvents).toMatch(/SuccessfulCreate/);

    await c.kubectl(["label", "node", victim, "sim.edgekube.io/fault-"]);
    await eventually(async () => {
      const out = (await c.kubectl(["get", "nodes"])).stdout;
      return new RegExp(`^${victim}\\s+Ready\\s`, "m").test(out) ? out : undefined;
    }, 60_000, `${victim} Ready again`);
    const recovered = await c.kubectl(["describe", "node", victim]);
    expect(recovered.stdout).toMatch(/Taints:\s+<none>/);
    // The evicted pods are cleaned up on the recovered node.
    await eventually(async () => {
      const r = await c.kubectl(["get", "pods", "-l", "app=resilient", "-o", "json"]);
      const all = JSON.parse(r.stdout).items as PodJson[];
      return all.length === 6 ? all : undefined;
    }, 60_000, "terminating pods gone");
  });
});
