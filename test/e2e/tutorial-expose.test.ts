// Tutorial module 4 with the real kubectl: the kubernetes Service, `expose` as a
// NodePort, describe with its endpoints, the service proxy, labels, and deleting the
// Service by label.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";
import { startProxy, type Proxy } from "./kubectl-proxy";

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  status: { phase?: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
}

describe("tutorial: expose your app", () => {
  let c: Cluster;
  let proxy: Proxy;
  let podName = "";
  let podIP = "";
  beforeAll(async () => {
    c = await startCluster();
    proxy = await startProxy(c);
  });
  afterAll(async () => {
    proxy?.stop();
    await c?.stop();
  });

  it("lists the kubernetes Service", async () => {
    const out = (await c.kubectl(["get", "services"])).stdout;
    expect(out).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    expect(out).toMatch(/^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s\n/m);
  });

  it("exposes the deployment as a NodePort Service with the pod as its endpoint", async () => {
    await c.kubectl(["create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    const pod = await eventually(async () => {
      const items = JSON.parse((await c.kubectl(["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "json"])).stdout).items as PodJson[];
      const live = items.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 1 && live[0].status.phase === "Running" && live[0].status.containerStatuses?.every((s) => s.ready) ? live[0] : undefined;
    }, 90_000, "the bootcamp pod Running");
    podName = pod.metadata.name;
    podIP = pod.status.podIP!;

    const exposed = await c.kubectl(["expose", "deployment/kubernetes-bootcamp", "--type=NodePort", "--port", "8080"]);
    expect(exposed.stdout.trim()).toBe("service/kubernetes-bootcamp exposed");

    const list = (await c.kubectl(["get", "services"])).stdout;
    const row = /^kubernetes-bootcamp\s+NodePort\s+(10\.\d+\.\d+\.\d+)\s+<none>\s+8080:(\d+)\/TCP\s+\d+s$/m.exec(list);
    expect(row, list).not.toBeNull();
    const nodePort = Number(row![2]);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);

    const described = await eventually(async () => {
      const out = (await c.kubectl(["describe", "services/kubernetes-bootcamp"])).stdout;
      return out.includes(`${podIP}:8080`) ? out : undefined;
    }, 90_000, "describe to show the pod's endpoint");
    expect(described).toMatch(/^Name:\s+kubernetes-bootcamp$/m);
    expect(described).toMatch(/^Labels:\s+app=kubernetes-bootcamp$/m);
    expect(described).toMatch(/^Selector:\s+app=kubernetes-bootcamp$/m);
    expect(described).toMatch(/^Type:\s+NodePort$/m);
    expect(described).toMatch(new RegExp(`^IP:\\s+${row![1].replace(/\./g, "\\.")}$`, "m"));
    expect(described).toMatch(/^Port:\s+<unset>\s+8080\/TCP$/m);
    expect(described).toMatch(/^TargetPort:\s+8080\/TCP$/m);
    expect(described).toMatch(new RegExp(`^NodePort:\\s+<unset>\\s+${nodePort}/TCP$`, "m"));
    expect(described).toMatch(new RegExp(`^Endpoints:\\s+${podIP.replace(/\./g, "\\.")}:8080$`, "m"));
  });

  it("reaches the app from inside a pod by Service name, cluster IP and pod IP", async () => {
    const svc = JSON.parse((await c.kubectl(["get", "service", "kubernetes-bootcamp", "-o", "json"])).stdout);
    const hello = `Hello Kubernetes bootcamp! | Running on: ${podName} | v=1\n`;
    for (const url of ["http://kubernetes-bootcamp:8080", "http://kubernetes-bootcamp.default.svc.cluster.local:8080", `http://${svc.spec.clusterIP}:8080`, `http://${podIP}:8080`]) {
      const r = await c.kubectl(["exec", podName, "--", "curl", "-s", url]);
      expect(r.stdout, url).toBe(hello);
    }
    const unknown = await c.kubectl(["exec", podName, "--", "curl", "-sS", "http://nothing-here:8080"], { allowFail: true });
    expect(unknown.stderr).toContain("Could not resolve host: nothing-here");
  });

  it("answers through the service proxy", async () => {
    const answer = await (await fetch(`${proxy.url}/api/v1/namespaces/default/services/kubernetes-bootcamp:8080/proxy/`)).text();
    expect(answer).toBe(`Hello Kubernetes bootcamp! | Running on: ${podName} | v=1\n`);
    const missing = await fetch(`${proxy.url}/api/v1/namespaces/default/services/nothing-here:8080/proxy/`);
    expect(missing.status).toBe(404);
  });

  it("labels the pod and selects by the new label", async () => {
    expect((await c.kubectl(["label", "pods", podName, "version=v1"])).stdout.trim()).toBe(`pod/${podName} labeled`);
    const out = (await c.kubectl(["get", "pods", "-l", "version=v1"])).stdout;
    expect(out).toMatch(new RegExp(`^${podName}\\s+1/1\\s+Running`, "m"));
  });

  it("creates a Service from kubectl's protobuf body", async () => {
    expect((await c.kubectl(["create", "service", "nodeport", "extra", "--tcp=5678:8080"])).stdout.trim()).toBe("service/extra created");
    const svc = JSON.parse((await c.kubectl(["get", "service", "extra", "-o", "json"])).stdout);
    expect(svc.spec).toMatchObject({ type: "NodePort", selector: { app: "extra" }, ports: [{ name: "5678-8080", port: 5678, protocol: "TCP", targetPort: 8080 }] });
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect((await c.kubectl(["delete", "service", "extra"])).stdout.trim()).toBe('service "extra" deleted');
  });

  it("applies a Service manifest, then merges a new port by number keeping the allocated ones", async () => {
    const manifest = (ports: string) => `apiVersion: v1
kind: Service
metadata:
  name: applied
spec:
  type: NodePort
  selector:
    app: kubernetes-bootcamp
  ports:
${ports}`;
    const http = "  - name: http\n    port: 8080\n";
    expect((await c.kubectl(["apply", "-f", "-"], { input: manifest(http) })).stdout.trim()).toBe("service/applied created");
    const first = JSON.parse((await c.kubectl(["get", "service", "applied", "-o", "json"])).stdout);
    expect((await c.kubectl(["apply", "-f", "-"], { input: manifest(http + "  - name: metrics\n    port: 9090\n") })).stdout.trim()).toBe("service/applied configured");
    const second = JSON.parse((await c.kubectl(["get", "service", "applied", "-o", "json"])).stdout);
    expect(second.spec.clusterIP).toBe(first.spec.clusterIP);
    expect(second.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`)).toEqual(["http:8080", "metrics:9090"]);
    expect(second.spec.ports[0].nodePort).toBe(first.spec.ports[0].nodePort);
    expect(second.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
    expect((await c.kubectl(["apply", "-f", "-"], { input: manifest(http + "  - name: metrics\n    port: 9090\n") })).stdout.trim()).toBe("service/applied unchanged");
    const bad = await c.kubectl(["apply", "-f", "-"], { input: manifest("  - name: http\n    port: 8080\n    nodePort: 80\n"), allowFail: true });
    expect(bad.stderr).toContain("spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767");
    expect((await c.kubectl(["delete", "service", "applied"])).stdout.trim()).toBe('service "applied" deleted');
  });

  it("deletes the Service by label; the app keeps running", async () => {
    expect((await c.kubectl(["delete", "service", "-l", "app=kubernetes-bootcamp"])).stdout.trim()).toBe('service "kubernetes-bootcamp" deleted');
    const list = (await c.kubectl(["get", "services"])).stdout;
    expect(list).not.toMatch(/kubernetes-bootcamp/);
    expect(list).toMatch(/^kubernetes\s+ClusterIP/m);
    await eventually(async () => ((await c.kubectl(["get", "endpoints", "kubernetes-bootcamp"], { allowFail: true })).stderr.includes("NotFound") ? true : undefined), 90_000, "the endpoints to go");
    const exec = await c.kubectl(["exec", podName, "--", "curl", "-s", "http://localhost:8080"]);
    expect(exec.stdout).toBe(`Hello Kubernetes bootcamp! | Running on: ${podName} | v=1\n`);
  });

  it("reaches pods on other nodes by their IPs", async () => {
    await c.kubectl(["scale", "deployments/kubernetes-bootcamp", "--replicas=3"]);
    const pods = await eventually(async () => {
      const items = JSON.parse((await c.kubectl(["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "json"])).stdout).items as (PodJson & { spec: { nodeName?: string } })[];
      const up = items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === "Running" && p.status.containerStatuses?.every((s) => s.ready));
      return up.length === 3 && new Set(up.map((p) => p.spec.nodeName)).size === 3 ? up : undefined;
    }, 90_000, "3 pods on 3 nodes");
    for (const other of pods.filter((p) => p.metadata.name !== podName)) {
      const r = await c.kubectl(["exec", podName, "--", "curl", "-s", `http://${other.status.podIP}:8080`]);
      expect(r.stdout).toBe(`Hello Kubernetes bootcamp! | Running on: ${other.metadata.name} | v=1\n`);
    }
  });
});
