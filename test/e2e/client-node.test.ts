// The same flows through the official @kubernetes/client-node.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { startCluster, eventually, LOCAL_TOKEN, type Cluster } from "./cluster";

describe("@kubernetes/client-node against the API server", () => {
  let c: Cluster;
  let kc: k8s.KubeConfig;
  beforeAll(async () => {
    c = await startCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "e2e", server: c.url, skipTLSVerify: true }],
      users: [{ name: "e2e", token: LOCAL_TOKEN }],
      contexts: [{ name: "e2e", cluster: "e2e", user: "e2e", namespace: "default" }],
      currentContext: "e2e",
    });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("lists nodes and namespaces", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nodes = await eventually(async () => {
      const list = await core.listNode();
      return list.items.length === 3 ? list : undefined;
    }, 90_000, "3 nodes");
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(nodes.items[0].status?.nodeInfo?.kubeletVersion).toBe("v1.32.0");
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toContain("kube-node-lease");
  });

  it("creates, patches, watches and deletes a pod", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      "/api/v1/namespaces/default/pods",
      { fieldSelector: "metadata.name=client-pod" },
      (type, obj: k8s.V1Pod) => seen.push(`${type} ${obj.metadata?.name} ${obj.metadata?.labels?.stage ?? ""}`.trim()),
      () => undefined,
    );
    try {
      const created = await core.createNamespacedPod({
        namespace: "default",
        body: { metadata: { name: "client-pod", labels: { app: "client" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
      });
      expect(created.metadata?.uid).toBeTruthy();
      expect(created.spec?.restartPolicy).toBe("Always");

      const patched = await core.patchNamespacedPod(
        { name: "client-pod", namespace: "default", body: { metadata: { labels: { stage: "patched" } } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      expect(patched.metadata?.labels).toEqual({ app: "client", stage: "patched" });

      const listed = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=client" });
      expect(listed.items.map((p) => p.metadata?.name)).toEqual(["client-pod"]);

      await core.deleteNamespacedPod({ name: "client-pod", namespace: "default", gracePeriodSeconds: 0 });
      await eventually(async () => seen.some((s) => s.startsWith("DELETED client-pod")), 90_000, "DELETED event");
      expect(seen[0]).toBe("ADDED client-pod");
      expect(seen).toContain("MODIFIED client-pod patched");
      await expect(core.readNamespacedPod({ name: "client-pod", namespace: "default" })).rejects.toMatchObject({ code: 404 });
    } finally {
      req.abort();
    }
  });

  it("creates and scales a deployment", async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "client-deploy" },
        spec: {
          selector: { matchLabels: { app: "client-deploy" } },
          template: { metadata: { labels: { app: "client-deploy" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
        },
      },
    });
    const scale = await apps.patchNamespacedDeploymentScale(
      { name: "client-deploy", namespace: "default", body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(scale.spec?.replicas).toBe(3);
    const dep = await apps.readNamespacedDeployment({ name: "client-deploy", namespace: "default" });
    expect(dep.spec?.replicas).toBe(3);
  });
});
