// The docs' "Specifying a Disruption Budget for your Application" and "Safely Drain a
// Node" with the real kubectl: a 3-replica Deployment guarded by the docs' zk-pdb
// (minAvailable: 2) applied from YAML, a second budget from `kubectl create pdb` (a
// protobuf body), `kubectl get pdb` columns, then `kubectl drain` of a node holding two
// of the three pods: the second eviction is refused (429) and retried every 5 s until
// the first pod's replacement is Ready elsewhere, and the drain completes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: zookeeper
spec:
  replicas: 3
  selector:
    matchLabels:
      app: zookeeper
  template:
    metadata:
      labels:
        app: zookeeper
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: nginx
        image: nginx:1.27
`;

const PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zk-pdb
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: zookeeper
`;

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}

describe("PodDisruptionBudgets with kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  const ready = (p: PodJson) => !p.metadata.deletionTimestamp && p.status.phase === "Running" && !!p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True");
  async function pods(): Promise<PodJson[]> {
    return JSON.parse((await c.kubectl(["get", "pods", "-l", "app=zookeeper", "-o", "json"])).stdout).items as PodJson[];
  }
  const pdbRow = (name: string, cells: string) =>
    eventually(async () => {
      const out = (await c.kubectl(["get", "pdb"])).stdout;
      return new RegExp(`^${name}\\s+${cells}\\s+\\S+$`, "m").test(out) ? out : undefined;
    }, 60_000, `kubectl get pdb: ${name} ${cells}`);

  it("guards a Deployment with the docs' budget: get, describe, create pdb", { timeout: 180_000 }, async () => {
    // Two of the three pods on one node: node-3 takes none while the Deployment starts.
    await c.kubectl(["cordon", "node-3"]);
    expect((await c.kubectl(["apply", "-f", "-"], { input: DEPLOYMENT })).stdout).toContain("deployment.apps/zookeeper created");
    await eventually(async () => ((await pods()).filter(ready).length === 3 ? true : undefined), 120_000, "three Ready zookeeper pods");
    await c.kubectl(["uncordon", "node-3"]);

    expect((await c.kubectl(["apply", "-f", "-"], { input: PDB })).stdout).toContain("poddisruptionbudget.policy/zk-pdb created");
    const table = await pdbRow("zk-pdb", "2\\s+N/A\\s+1");
    expect(table).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/m);
    const status = JSON.parse((await c.kubectl(["get", "poddisruptionbudgets", "zk-pdb", "-o", "json"])).stdout).status;
    expect(status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3, observedGeneration: 1 });
    expect(status.conditions).toMatchObject([{ type: "DisruptionAllowed", status: "True", reason: "SufficientPods" }]);
    const described = (await c.kubectl(["describe", "pdb", "zk-pdb"])).stdout;
    expect(described).toMatch(/^Min available:\s+2$/m);
    expect(described).toMatch(/^Selector:\s+app=zookeeper$/m);
    expect(described).toMatch(/^\s+Allowed disruptions:\s+1\n\s+Current:\s+3\n\s+Desired:\s+2\n\s+Total:\s+3$/m);

    // `kubectl create pdb` sends protobuf; a budget over no pods allows nothing.
    expect((await c.kubectl(["create", "pdb", "web-pdb", "--selector=app=web", "--max-unavailable=50%"])).stdout).toContain("poddisruptionbudget.policy/web-pdb created");
    await pdbRow("web-pdb", "N/A\\s+50%\\s+0");
  });

  it("drains a node holding two of the pods: retries the refused eviction, then completes", { timeout: 180_000 }, async () => {
    const byNode = new Map<string, string[]>();
    for (const p of (await pods()).filter(ready)) byNode.set(p.spec.nodeName!, [...(byNode.get(p.spec.nodeName!) ?? []), p.metadata.name]);
    const [victim, held] = [...byNode.entries()].find(([, names]) => names.length === 2)!;
    expect(held).toHaveLength(2);

    const drained = await c.kubectl(["drain", victim, "--ignore-daemonsets", "--timeout=150s"], { timeoutMs: 170_000 });
    const out = drained.stdout + drained.stderr;
    expect(out).toMatch(/error when evicting pods\/"zookeeper-[\w-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    for (const name of held) expect(out).toContain(`pod/${name} evicted`);
    expect(drained.stdout).toContain(`node/${victim} drained`);

    // Three Ready pods again, none on the drained node; the budget allows one disruption again.
    const after = await eventually(async () => {
      const live = (await pods()).filter(ready);
      return live.length === 3 ? live : undefined;
    }, 60_000, "three Ready pods after the drain");
    expect(after.every((p) => p.spec.nodeName !== victim)).toBe(true);
    await pdbRow("zk-pdb", "2\\s+N/A\\s+1");
    await c.kubectl(["uncordon", victim]);
  });
});
