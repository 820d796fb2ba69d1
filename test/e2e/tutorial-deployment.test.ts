// Tutorial modules 2, 5 and 6 with the real kubectl: a Deployment, scaling, a rolling
// update to v2, a failed update to v10 and its undo, drain, and delete.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";
import { startProxy, type Proxy } from "./kubectl-proxy";

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; containerStatuses?: { ready: boolean; state?: { waiting?: { reason?: string } } }[] };
}

describe("tutorial: deployment, scale, rolling update, undo, drain", () => {
  let c: Cluster;
  let proxy: Proxy;
  beforeAll(async () => {
    c = await startCluster();
    proxy = await startProxy(c);
  });
  afterAll(async () => {
    proxy?.stop();
    await c?.stop();
  });

  async function pods(): Promise<PodJson[]> {
    const r = await c.kubectl(["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "json"]);
    return (JSON.parse(r.stdout).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
  }

  async function runningPods(n: number, image?: string): Promise<PodJson[]> {
    return eventually(async () => {
      const list = await pods();
      const ready = list.filter((p) => p.status.phase === "Running" && p.status.containerStatuses?.every((s) => s.ready) && (!image || p.spec.containers[0].image === image));
      return ready.length === n && list.length === n ? ready : undefined;
    }, 90_000, `${n} running pods${image ? " of " + image : ""}`);
  }

  it("creates the deployment and its pod answers through kubectl proxy", async () => {
    await c.kubectl(["create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    const [pod] = await runningPods(1);
    expect(pod.metadata.name).toMatch(/^kubernetes-bootcamp-[a-z0-9]{6,10}-[a-z0-9]{5}$/);
    const deployments = await c.kubectl(["get", "deployments"]);
    expect(deployments.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(deployments.stdout).toMatch(/kubernetes-bootcamp\s+1\/1\s+1\s+1\s/);
    const version = await (await fetch(`${proxy.url}/version`)).json();
    expect(version.minor).toBe("32");
    const answer = await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods/${pod.metadata.name}:8080/proxy/`)).text();
    expect(answer).toBe(`Hello Kubernetes bootcamp! | Running on: ${pod.metadata.name} | v=1\n`);
  });

  it("scales 1 -> 4 -> 2", async () => {
    const rs = await c.kubectl(["get", "rs"]);
    expect(rs.stdout).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
    expect(rs.stdout).toMatch(/kubernetes-bootcamp-\S+\s+1\s+1\s+1\s/);
    expect((await c.kubectl(["scale", "deployments/kubernetes-bootcamp", "--replicas=4"])).stdout.trim()).toBe("deployment.apps/kubernetes-bootcamp scaled");
    const four = await runningPods(4);
    expect(new Set(four.map((p) => p.spec.nodeName)).size).toBe(3);
    const wide = await c.kubectl(["get", "pods", "-o", "wide"]);
    expect(wide.stdout).toMatch(/10\.244\.\d+\.\d+\s+node-\d/);
    const describe = await c.kubectl(["describe", "deployments/kubernetes-bootcamp"]);
    expect(describe.stdout).toMatch(/Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable/);
    expect(describe.stdout).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set kubernetes-bootcamp-\S+ to 4 from 1/);
    await c.kubectl(["scale", "deployments/kubernetes-bootcamp", "--replicas=2"]);
    await runningPods(2);
  });

  it("rolls out v2, which answers v=2", async () => {
    await c.kubectl(["set", "image", "deployments/kubernetes-bootcamp", "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2"]);
    const status = await c.kubectl(["rollout", "status", "deployments/kubernetes-bootcamp", "--timeout=120s"], { timeoutMs: 130_000 });
    expect(status.stdout).toContain('deployment "kubernetes-bootcamp" successfully rolled out');
    const v2 = await runningPods(2, "docker.io/jocatalin/kubernetes-bootcamp:v2");
    const answer = await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods/${v2[0].metadata.name}:8080/proxy/`)).text();
    expect(answer).toBe(`Hello Kubernetes bootcamp! | Running on: ${v2[0].metadata.name} | v=2\n`);
    const history = await c.kubectl(["rollout", "history", "deployments/kubernetes-bootcamp"]);
    expect(history.stdout).toMatch(/^1\s/m);
    expect(history.stdout).toMatch(/^2\s/m);
  });

  it("a v10 update fails to pull while v2 keeps serving; undo goes back", async () => {
    await c.kubectl(["set", "image", "deployments/kubernetes-bootcamp", "kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10"]);
    await eventually(async () => {
      const out = (await c.kubectl(["get", "pods"])).stdout;
      return /(ErrImagePull|ImagePullBackOff)/.test(out) ? out : undefined;
    }, 60_000, "a v10 pod failing to pull");
    const serving = (await pods()).filter((p) => p.spec.containers[0].image.endsWith(":v2") && p.status.phase === "Running");
    expect(serving.length).toBeGreaterThanOrEqual(1);
    const undo = await c.kubectl(["rollout", "undo", "deployments/kubernetes-bootcamp"]);
    expect(undo.stdout.trim()).toBe("deployment.apps/kubernetes-bootcamp rolled back");
    await runningPods(2, "docker.io/jocatalin/kubernetes-bootcamp:v2");
  });

  it("drains a node: its pods come back on the others", async () => {
    const before = await runningPods(2);
    const victim = before[0].spec.nodeName!;
    const drained = await c.kubectl(["drain", victim, "--ignore-daemonsets", "--timeout=90s"], { timeoutMs: 100_000 });
    expect(drained.stdout).toContain(`node/${victim} drained`);
    const after = await runningPods(2);
    expect(after.every((p) => p.spec.nodeName !== victim)).toBe(true);
    const nodes = await c.kubectl(["get", "nodes"]);
    expect(nodes.stdout).toMatch(new RegExp(`${victim}\\s+Ready,SchedulingDisabled`));
    await c.kubectl(["uncordon", victim]);
  });

  it("deletes the deployment and everything it owned", async () => {
    expect((await c.kubectl(["delete", "deployments/kubernetes-bootcamp"], { timeoutMs: 90_000 })).stdout.trim()).toBe('deployment.apps "kubernetes-bootcamp" deleted');
    await eventually(async () => {
      const rs = await c.kubectl(["get", "rs", "-o", "name"]);
      const p = await c.kubectl(["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "name"]);
      return rs.stdout.trim() === "" && p.stdout.trim() === "";
    }, 90_000, "replicasets and pods gone");
  });
});
