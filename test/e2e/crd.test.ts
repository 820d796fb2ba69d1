// CustomResourceDefinitions with the real kubectl, following the documentation's
// "Extend the Kubernetes API with CustomResourceDefinitions" (the CronTab), and a
// small controller written with @kubernetes/client-node that watches CronTabs and
// writes their status through the status subresource; one cluster for both.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { startCluster, eventually, LOCAL_TOKEN, type Cluster } from "./cluster";

const CRD_YAML = readFileSync(join(__dirname, "manifests/crontab-crd.yaml"), "utf8");
const cronTab = (name: string, cronSpec: string, replicas: number) => `apiVersion: "stable.example.com/v1"
kind: CronTab
metadata:
  name: ${name}
spec:
  cronSpec: "${cronSpec}"
  image: my-awesome-cron-image
  replicas: ${replicas}
`;

interface CronTab {
  metadata: { name: string; generation?: number };
  spec: { cronSpec: string; replicas: number };
  status?: { replicas?: number; labelSelector?: string };
}

describe("CustomResourceDefinitions with kubectl and client-node", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("follows the CronTab walk-through with kubectl", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: CRD_YAML });
    await c.kubectl(["wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=30s"]);
    const crds = await c.kubectl(["get", "crd"]);
    expect(crds.stdout).toMatch(/^NAME\s+CREATED AT\ncrontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT/);

    await c.kubectl(["apply", "-f", "-"], { input: cronTab("my-new-cron-object", "* * * * */5", 1) });
    const byShortName = await c.kubectl(["get", "ct"]);
    expect(byShortName.stdout).toMatch(/^NAME\s+SPEC\s+REPLICAS\s+AGE\nmy-new-cron-object\s+\* \* \* \* \*\/5\s+1\s+\d+s\n$/);
    const yaml = await c.kubectl(["get", "crontabs", "-o", "yaml"]);
    expect(yaml.stdout).toContain("apiVersion: stable.example.com/v1");
    expect(yaml.stdout).toContain("kind: CronTab");
    expect(yaml.stdout).toContain("cronSpec: '* * * * */5'");
    const all = await c.kubectl(["get", "all"]);
    expect(all.stdout).toContain("crontab.stable.example.com/my-new-cron-object");

    const invalid = await c.kubectl(["apply", "-f", "-"], { input: cronTab("my-new-cron-object", "* * * *", 15), allowFail: true });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('The CronTab "my-new-cron-object" is invalid');
    expect(invalid.stderr).toContain("spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'");
    expect(invalid.stderr).toContain("spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10");

    const explain = await c.kubectl(["explain", "crontab.spec"]);
    expect(explain.stdout).toContain("The desired schedule of the CronTab.");
    expect(explain.stdout).toMatch(/cronSpec\s+<string>/);
    expect(explain.stdout).toMatch(/replicas\s+<integer>/);

    await c.kubectl(["scale", "crontab", "my-new-cron-object", "--replicas=3"]);
    expect((await c.kubectl(["get", "ct", "my-new-cron-object", "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("3");
  });

  it("runs a client-node controller that watches CronTabs and writes their status", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "e2e", server: c.url, skipTLSVerify: true }],
      users: [{ name: "e2e", token: LOCAL_TOKEN }],
      contexts: [{ name: "e2e", cluster: "e2e", user: "e2e", namespace: "default" }],
      currentContext: "e2e",
    });
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const crontab = { group: "stable.example.com", version: "v1", namespace: "default", plural: "crontabs" };
    // The controller: every CronTab seen reports its replicas and a selector in status.
    const reconcile = async (obj: CronTab) => {
      if (obj.status?.replicas === obj.spec.replicas) return;
      await custom.patchNamespacedCustomObjectStatus(
        { ...crontab, name: obj.metadata.name, body: { status: { replicas: obj.spec.replicas, labelSelector: `crontab=${obj.metadata.name}` } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    };
    const errors: unknown[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      "/apis/stable.example.com/v1/namespaces/default/crontabs",
      {},
      (type, obj: CronTab) => {
        if (type === "ADDED" || type === "MODIFIED") reconcile(obj).catch((e: unknown) => errors.push(e));
      },
      () => undefined,
    );
    try {
      await custom.createNamespacedCustomObject({ ...crontab, body: { apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "from-js" }, spec: { cronSpec: "*/1 * * * *" } } });
      const reported = await eventually(async () => {
        const o = (await custom.getNamespacedCustomObject({ ...crontab, name: "from-js" })) as CronTab;
        return o.status?.replicas === 1 && o;
      }, 30_000, "the controller's status");
      // The default from the schema, and a status write that left the generation alone.
      expect(reported.spec.replicas).toBe(1);
      expect(reported.metadata.generation).toBe(1);
      // kubectl scale reaches the controller through the watch; the scale reads its status.
      await c.kubectl(["scale", "ct", "from-js", "--replicas=4"]);
      await eventually(async () => ((await custom.getNamespacedCustomObject({ ...crontab, name: "from-js" })) as CronTab).status?.replicas === 4, 30_000, "status replicas 4");
      const scale = await c.kubectl(["get", "--raw", "/apis/stable.example.com/v1/namespaces/default/crontabs/from-js/scale"]);
      expect(JSON.parse(scale.stdout)).toMatchObject({ kind: "Scale", spec: { replicas: 4 }, status: { replicas: 4, selector: "crontab=from-js" } });
      expect(errors).toEqual([]);
    } finally {
      req.abort();
    }
  });

  it("deletes every CronTab with the CRD", async () => {
    await c.kubectl(["delete", "crd", "crontabs.stable.example.com", "--timeout=30s"]);
    const gone = await c.kubectl(["get", "crontabs"], { allowFail: true });
    expect(gone.code).not.toBe(0);
    // With discovery cached from before the delete kubectl still maps the name and the
    // list is refused; with a fresh cache the name is unknown.
    expect(gone.stderr).toMatch(/the server doesn't have a resource type "crontabs"|Unable to list "stable\.example\.com\/v1, Resource=crontabs": the server could not find the requested resource/);
    const left = await c.api<{ status: number }>("/apis/stable.example.com/v1/namespaces/default/crontabs");
    expect(left.status).toBe(404);
  });
});
