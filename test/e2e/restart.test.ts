// Restarting `npm run dev` keeps the cluster: objects in D1, and the pods' containers,
// logs, files and timers in the nodes' Durable Object storage.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

describe("a restarted local cluster resumes where it was", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("keeps pods, logs and files across a restart", async () => {
    await c.kubectl(["create", "deployment", "keeper", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    const name = await eventually(async () => {
      const out = (await c.kubectl(["get", "pods", "-l", "app=keeper", "-o", "jsonpath={.items[?(@.status.phase=='Running')].metadata.name}"])).stdout.trim();
      return out || undefined;
    }, 90_000, "a running pod");
    await c.kubectl(["exec", name, "--", "sh", "-c", "echo kept > /tmp/marker"]);
    const logsBefore = (await c.kubectl(["logs", name])).stdout;
    expect(logsBefore).toMatch(/Kubernetes Bootcamp App Started At: .* \| Running On:  /);

    await c.restart();

    const after = await eventually(async () => {
      const pod = JSON.parse((await c.kubectl(["get", "pod", name, "-o", "json"])).stdout);
      return pod.status.phase === "Running" ? pod : undefined;
    }, 60_000, "the same pod running");
    expect(after.status.containerStatuses[0].restartCount).toBe(0);
    expect((await c.kubectl(["logs", name])).stdout).toContain(logsBefore.split("\n")[0]);
    expect((await c.kubectl(["exec", name, "--", "cat", "/tmp/marker"])).stdout).toBe("kept\n");
    const nodes = (await c.kubectl(["get", "nodes", "-o", "name"])).stdout.trim().split("\n");
    expect(nodes).toEqual(["node/node-1", "node/node-2", "node/node-3"]);
  });
});
