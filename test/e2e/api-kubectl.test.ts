// The API server driven by the real kubectl, against `wrangler dev`.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, kubectlArgs, kubectlEnv, type Cluster } from "./cluster";
import { join } from "node:path";

const MANIFESTS = new URL("./manifests", import.meta.url).pathname;

describe("kubectl against the API server", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("reports its version and lists nodes and namespaces", async () => {
    const version = await c.kubectl(["version", "-o", "json"]);
    expect(JSON.parse(version.stdout).serverVersion.minor).toBe("32");
    const nodes = await eventually(async () => {
      const r = await c.kubectl(["get", "nodes"]);
      return r.stdout.split("\n").filter((l) => l.startsWith("node-")).length === 3 ? r.stdout : undefined;
    }, 90_000, "3 nodes");
    expect(nodes).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes).toMatch(/node-1\s+Ready\s+worker\s+\S+\s+v1\.32\.0/);
    const ns = await c.kubectl(["get", "namespaces"]);
    for (const n of ["default", "kube-system", "kube-public", "kube-node-lease"]) expect(ns.stdout).toMatch(new RegExp(`^${n}\\s+Active`, "m"));
    const wide = await c.kubectl(["get", "nodes", "-o", "wide"]);
    expect(wide.stdout).toMatch(/CONTAINER-RUNTIME/);
    expect(wide.stdout).toMatch(/containerd:\/\/2\.1\.4/);
    expect(wide.stdout).toMatch(/cri-o:\/\/1\.33\.2/);
  });

  it("describes a node", async () => {
    const d = await c.kubectl(["describe", "node", "node-1"]);
    expect(d.stdout).toMatch(/^Name:\s+node-1/m);
    expect(d.stdout).toMatch(/Container Runtime Version:\s+containerd:\/\/2\.1\.4/);
    expect(d.stdout).toMatch(/PodCIDR:\s+10\.244\.\d+\.0\/24/);
  });

  it("applies and creates a two-container pod manifest, then shows it", async () => {
    const applied = await c.kubectl(["apply", "-f", join(MANIFESTS, "two-containers.yaml")]);
    expect(applied.stdout.trim()).toBe("pod/two-containers created");
    // As on a real cluster, the live pod carries the ServiceAccount admission's
    // kube-api-access volume and mounts, so kubectl's three-way patch holds only
    // $setElementOrder directives: it says "configured", and the spec stays as it was
    // (its generation unmoved; the kubelet's status writes move the resourceVersion).
    const spec = async () => (await c.kubectl(["get", "pod", "two-containers", "-o", "jsonpath={.metadata.generation} {.spec.containers}"])).stdout;
    // Once bound, the binding's write is behind us.
    await c.kubectl(["wait", "--for=condition=PodScheduled", "pod/two-containers", "--timeout=90s"], { timeoutMs: 100_000 });
    const before = await spec();
    const reapplied = await c.kubectl(["apply", "-f", join(MANIFESTS, "two-containers.yaml")]);
    expect(reapplied.stdout.trim()).toBe("pod/two-containers configured");
    expect(await spec()).toBe(before);
    const again = await c.kubectl(["create", "-f", join(MANIFESTS, "two-containers.yaml")], { allowFail: true });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    const yaml = await c.kubectl(["get", "pod", "two-containers", "-o", "yaml"]);
    expect(yaml.stdout).toMatch(/kind: Pod/);
    expect(yaml.stdout).toMatch(/name: sidecar/);
    const wide = await c.kubectl(["get", "pods", "-o", "wide"]);
    expect(wide.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(wide.stdout).toMatch(/two-containers\s+\d\/2/);
  });

  it("creates a deployment from kubectl's protobuf body", async () => {
    const r = await c.kubectl(["create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    expect(r.stdout.trim()).toBe("deployment.apps/kubernetes-bootcamp created");
    const d = await c.kubectl(["get", "deployment", "kubernetes-bootcamp", "-o", "json"]);
    const dep = JSON.parse(d.stdout);
    expect(dep.spec.template.spec.containers[0].image).toBe("gcr.io/google-samples/kubernetes-bootcamp:v1");
    expect(dep.spec.selector.matchLabels).toEqual({ app: "kubernetes-bootcamp" });
    const ns = await c.kubectl(["create", "namespace", "team-a"]);
    expect(ns.stdout.trim()).toBe("namespace/team-a created");
  });

  it("describes pods, deployments and namespaces", async () => {
    const pod = await c.kubectl(["describe", "pod", "two-containers"]);
    expect(pod.stdout).toMatch(/^Name:\s+two-containers/m);
    expect(pod.stdout).toMatch(/^Namespace:\s+default/m);
    expect(pod.stdout).toMatch(/^QoS Class:\s+BestEffort/m);
    expect(pod.stdout).toMatch(/node\.kubernetes\.io\/unreachable:NoExecute op=Exists for 300s/);
    expect(pod.stdout).toMatch(/shared-data:\s*\n\s+Type:\s+EmptyDir/);
    const dep = await c.kubectl(["describe", "deployment", "kubernetes-bootcamp"]);
    expect(dep.stdout).toMatch(/^Name:\s+kubernetes-bootcamp/m);
    expect(dep.stdout).toMatch(/^StrategyType:\s+RollingUpdate/m);
    expect(dep.stdout).toMatch(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/m);
    expect(dep.stdout).toMatch(/Image:\s+gcr\.io\/google-samples\/kubernetes-bootcamp:v1/);
    const ns = await c.kubectl(["describe", "namespace", "default"]);
    expect(ns.stdout).toMatch(/^Status:\s+Active/m);
  });

  it("labels, annotates and deletes", async () => {
    await c.kubectl(["run", "labelled", "--image=nginx:1.27"]);
    expect((await c.kubectl(["label", "pod", "labelled", "version=v1"])).stdout.trim()).toBe("pod/labelled labeled");
    const byLabel = await c.kubectl(["get", "pods", "-l", "version=v1", "-o", "name"]);
    expect(byLabel.stdout.trim()).toBe("pod/labelled");
    expect((await c.kubectl(["annotate", "pod", "labelled", "note=hello"])).stdout.trim()).toBe("pod/labelled annotated");
    const json = JSON.parse((await c.kubectl(["get", "pod", "labelled", "-o", "json"])).stdout);
    expect(json.metadata.annotations.note).toBe("hello");
    const del = await c.kubectl(["delete", "pod", "labelled", "--grace-period=0", "--force"], { timeoutMs: 90_000 });
    expect(del.stdout).toContain('pod "labelled" force deleted');
    const gone = await c.kubectl(["get", "pod", "labelled"], { allowFail: true });
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): pods "labelled" not found');
  });

  it("prints kubectl's usual errors", async () => {
    const unknown = await c.kubectl(["get", "pod", "no-such-pod"], { allowFail: true });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('Error from server (NotFound): pods "no-such-pod" not found');
    const invalid = await c.kubectl(["run", "Bad_Name", "--image=nginx"], { allowFail: true });
    // kubectl run also names the container after the pod, so both fields are invalid.
    expect(invalid.stderr).toMatch(/The Pod "Bad_Name" is invalid: \n\* metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(invalid.stderr).toMatch(/\* spec\.containers\[0\]\.name: Invalid value: "Bad_Name"/);
    // A stale update: replace with an old resourceVersion.
    const pod = JSON.parse((await c.kubectl(["get", "pod", "two-containers", "-o", "json"])).stdout);
    await c.kubectl(["label", "pod", "two-containers", "bump=1"]);
    pod.metadata.labels.stale = "yes";
    const stale = await c.kubectl(["replace", "-f", "-"], { input: JSON.stringify(pod), allowFail: true });
    expect(stale.stderr).toMatch(/Error from server \(Conflict\).*the object has been modified; please apply your changes to the latest version and try again/);
  });

  it("creates, lists, scales and deletes a ReplicationController", async () => {
    const created = await c.kubectl(["create", "-f", join(MANIFESTS, "replication-controller.yaml")]);
    expect(created.stdout.trim()).toBe("replicationcontroller/web-rc created");
    const listed = await eventually(async () => {
      const r = await c.kubectl(["get", "rc", "web-rc"]);
      return /^web-rc\s+2\s+2\s+2\s+\S+$/m.test(r.stdout) && r.stdout;
    }, 90_000, "web-rc with 2 ready pods");
    expect(listed).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    expect((await c.kubectl(["get", "rc", "web-rc", "-o", "wide"])).stdout).toMatch(/SELECTOR\n.*app=web-rc$/m);
    const described = (await c.kubectl(["describe", "rc", "web-rc"])).stdout;
    expect(described).toMatch(/^Replicas:\s+2 current \/ 2 desired$/m);
    expect(described).toMatch(/SuccessfulCreate\s+.*replication-controller\s+Created pod: web-rc-[a-z0-9]{5}/);
    expect((await c.kubectl(["scale", "rc", "web-rc", "--replicas=3"])).stdout.trim()).toBe("replicationcontroller/web-rc scaled");
    await eventually(async () => (await c.kubectl(["get", "pods", "-l", "app=web-rc", "-o", "name"])).stdout.trim().split("\n").length === 3, 90_000, "3 pods");
    const pod = JSON.parse((await c.kubectl(["get", "pods", "-l", "app=web-rc", "-o", "json"])).stdout).items[0];
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: "ReplicationController", name: "web-rc", controller: true });
    expect((await c.kubectl(["delete", "rc", "web-rc"], { timeoutMs: 90_000 })).stdout.trim()).toBe('replicationcontroller "web-rc" deleted');
    await eventually(async () => (await c.kubectl(["get", "pods", "-l", "app=web-rc", "-o", "name"])).stdout.trim() === "", 90_000, "its pods collected");
  });

  it("resolves a pod's hostname under its headless Service: nslookup web-0.nginx", async () => {
    await c.kubectl(["apply", "-f", join(MANIFESTS, "headless-dns.yaml")]);
    const ip = await eventually(async () => JSON.parse((await c.kubectl(["get", "pod", "web-0", "-o", "json"])).stdout).status?.podIP as string | undefined, 90_000, "web-0's IP");
    const out = await eventually(async () => {
      const r = await c.kubectl(["exec", "dns-test", "--", "nslookup", "web-0.nginx"], { allowFail: true });
      return r.code === 0 && r.stdout;
    }, 90_000, "web-0.nginx to resolve");
    expect(out).toBe(`Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web-0.nginx\nAddress 1: ${ip} web-0.nginx.default.svc.cluster.local\n`);
    expect((await c.kubectl(["exec", "web-0", "--", "hostname"])).stdout).toBe("web-0\n");
  });

  it("watches pods with get -w: ADDED, MODIFIED, DELETED", async () => {
    const { spawn } = await import("node:child_process");
    const w = spawn("kubectl", kubectlArgs(c, ["get", "pods", "-w", "--output-watch-events"]), { env: kubectlEnv(c) });
    let out = "";
    w.stdout.on("data", (d) => (out += d));
    try {
      await eventually(async () => out.includes("two-containers"), 90_000, "initial list");
      await c.kubectl(["run", "watched", "--image=nginx:1.27"]);
      await eventually(async () => /ADDED\s+watched/.test(out), 90_000, "ADDED watched");
      await c.kubectl(["label", "pod", "watched", "seen=yes"]);
      await eventually(async () => /MODIFIED\s+watched/.test(out), 90_000, "MODIFIED watched");
      await c.kubectl(["delete", "pod", "watched", "--grace-period=0", "--force"]);
      await eventually(async () => /DELETED\s+watched/.test(out), 90_000, "DELETED watched");
    } finally {
      w.kill();
    }
  });
});
