// Server-side apply as the Server-Side Apply page walks through it, with the real
// kubectl (apply --server-side, a second manager's conflict, --force-conflicts,
// get --show-managed-fields, a conflict with a client-side applier), then
// @kubernetes/client-node and Debian's Python client, all against one cluster.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { startCluster, LOCAL_TOKEN, type Cluster } from "./cluster";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./python/ssa_checks.py", import.meta.url));

const configMap = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: test-cm
  namespace: default
  labels:
    test-label: test
data:
  key: ${value}
`;

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa-web
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ssa-web}}
  template:
    metadata: {labels: {app: ssa-web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

describe("server-side apply", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("kubectl: apply, a second manager's conflict, force, and the managed fields", async () => {
    const first = await c.kubectl(["apply", "--server-side", "-f", "-"], { input: configMap("some value") });
    expect(first.stdout.trim()).toBe("configmap/test-cm serverside-applied");

    const refused = await c.kubectl(["apply", "--server-side", "--field-manager=other", "-f", "-"], { input: configMap("new value"), allowFail: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .data.key');
    expect((await c.kubectl(["get", "cm", "test-cm", "-o", "jsonpath={.data.key}"])).stdout).toBe("some value");

    await c.kubectl(["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"], { input: configMap("new value") });
    const yaml = (await c.kubectl(["get", "cm", "test-cm", "-o", "yaml", "--show-managed-fields"])).stdout;
    expect(yaml).toContain("key: new value");
    expect(yaml).toMatch(/- apiVersion: v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n {6}f:data:\n {8}f:key: \{\}\n {6}f:metadata:\n {8}f:labels:\n {10}f:test-label: \{\}\n {4}manager: other\n {4}operation: Apply/);
    // Without the flag kubectl hides them.
    expect((await c.kubectl(["get", "cm", "test-cm", "-o", "yaml"])).stdout).not.toContain("managedFields");
  });

  it("kubectl: a server-side apply conflicts with what client-side apply set", async () => {
    const created = await c.kubectl(["apply", "-f", "-"], { input: deployment(2) });
    expect(created.stdout.trim()).toBe("deployment.apps/ssa-web created");
    const refused = await c.kubectl(["apply", "--server-side", "-f", "-"], { input: deployment(3), allowFail: true });
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    const same = await c.kubectl(["apply", "--server-side", "-f", "-"], { input: deployment(2) });
    expect(same.stdout.trim()).toBe("deployment.apps/ssa-web serverside-applied");
  });

  it("@kubernetes/client-node: a server-side apply patch with a field manager and force", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "e2e", server: c.url, skipTLSVerify: true }],
      users: [{ name: "e2e", token: LOCAL_TOKEN }],
      contexts: [{ name: "e2e", cluster: "e2e", user: "e2e", namespace: "default" }],
      currentContext: "e2e",
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const applied = await core.patchNamespacedConfigMap(
      { name: "test-cm", namespace: "default", fieldManager: "node-client", force: true, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "test-cm" }, data: { key: "from node", extra: "x" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
    );
    expect(applied.data).toEqual({ key: "from node", extra: "x" });
    const mine = applied.metadata?.managedFields?.find((e) => e.manager === "node-client");
    expect(mine?.operation).toBe("Apply");
    expect(mine?.fieldsV1).toEqual({ "f:data": { "f:extra": {}, "f:key": {} } });
  });

  it("the Python client: apply, a 409 conflict, a forced apply", async () => {
    const { stdout } = await run(PYTHON, [SCRIPT, c.url, LOCAL_TOKEN], { timeout: 60_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as { created: unknown; conflict: { status: number; body: { reason: string; message: string } }; forced: unknown; managers: string[][] };
    expect(r.created).toEqual({ from: "python" });
    expect(r.conflict.status).toBe(409);
    expect(r.conflict.body).toMatchObject({ reason: "Conflict", message: 'Apply failed with 1 conflict: conflict with "python-client": .data.from' });
    expect(r.forced).toEqual({ from: "other" });
    expect(r.managers).toEqual([["python-other", "Apply"]]);
  });
});
