// Cluster DNS inside workerd, as a StatefulSet's pods use it: a headless Service
// `nginx`, pods with spec.hostname and spec.subdomain=nginx on a node, and a busybox
// pod that looks them up. The Endpoints and EndpointSlices carry the hostnames; DNS
// answers <hostname>.nginx and the Service's ready endpoints; publishNotReadyAddresses
// adds the not-ready ones; wget reaches a pod by its DNS name.
import { describe, it, expect, beforeAll } from "vitest";
import { callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";
import type { EndpointSlice, Endpoints } from "../../src/model/types";

const clock = new FakeClock();
const NODE = "kn-dns";
let node: AgentStub;
const ips: Record<string, string> = {};

const headless = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { clusterIP: "None", selector: { app: "nginx" }, ports: [{ port: 80 }], ...extra },
});

const member = (name: string, spec: Record<string, unknown> = {}) =>
  boundPod(name, NODE, { hostname: name, subdomain: "nginx", containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }], ...spec }, { labels: { app: "nginx" } });

beforeAll(async () => {
  node = await startNode(NODE, clock);
  for (const svc of [headless("nginx"), headless("nginx-all", { publishNotReadyAddresses: true })]) {
    expect((await callJson("/api/v1/namespaces/default/services", { method: "POST", body: svc })).status).toBe(201);
  }
  await createPod(member("web-0"));
  await createPod(member("web-1"));
  // Never ready: its readiness probe fails.
  await createPod(member("web-2", { containers: [{ name: "nginx", image: "nginx:1.27", readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 } }] }));
  await createPod(boundPod("dns-test", NODE, { containers: [{ name: "c", image: "busybox:1.28", command: ["sleep", "3600"] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
  for (const p of ["web-0", "web-1", "web-2", "dns-test"]) ips[p] = (await getPod(p))!.status!.podIP!;
});

describe("cluster DNS", () => {
  it("the endpoints of the subdomain's Service carry the pods' hostnames; publishNotReadyAddresses makes every endpoint ready", { timeout: 120_000 }, async () => {
    const ep = await waitFor(async () => {
      const r = await callJson<Endpoints>("/api/v1/namespaces/default/endpoints/nginx");
      const s = r.body.subsets?.[0];
      return s?.addresses?.length === 2 && s.notReadyAddresses?.length === 1 && r.body;
    }, "the Endpoints of nginx");
    const byHost = (a: { ip: string; hostname?: string }) => [a.hostname, a.ip];
    expect(ep.subsets![0].addresses!.map(byHost).sort()).toEqual([["web-0", ips["web-0"]], ["web-1", ips["web-1"]]]);
    expect(ep.subsets![0].notReadyAddresses!.map(byHost)).toEqual([["web-2", ips["web-2"]]]);
    const slice = (svc: string) => callJson<{ items: EndpointSlice[] }>(`/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`);
    const nginx = (await slice("nginx")).body.items[0];
    expect(nginx.endpoints!.map((e) => [e.hostname, e.conditions?.ready]).sort()).toEqual([["web-0", true], ["web-1", true], ["web-2", false]]);
    // Another Service than the pods' subdomain: no hostnames, and (publishNotReadyAddresses) all ready.
    const all = await waitFor(async () => {
      const items = (await slice("nginx-all")).body.items;
      return items[0]?.endpoints?.length === 3 && items[0];
    }, "the slice of nginx-all");
    expect(all.endpoints!.map((e) => [e.hostname, e.conditions?.ready])).toEqual([[undefined, true], [undefined, true], [undefined, true]]);
  });

  it("nslookup in busybox:1.28 answers <hostname>.<subdomain> through the search path, and the headless Service's ready pods", { timeout: 120_000 }, async () => {
    const r = await execWs("dns-test", ["nslookup", "web-0.nginx"]);
    expect(r.stdout).toBe(
      `Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web-0.nginx\nAddress 1: ${ips["web-0"]} web-0.nginx.default.svc.cluster.local\n`,
    );
    const ready = (await execWs("dns-test", ["nslookup", "nginx.default.svc.cluster.local"])).stdout;
    expect(ready).toContain(`${ips["web-0"]} web-0.nginx.default.svc.cluster.local`);
    expect(ready).toContain(`${ips["web-1"]} web-1.nginx.default.svc.cluster.local`);
    expect(ready).not.toContain(ips["web-2"]);
    // publishNotReadyAddresses: the not-ready pod is answered too.
    const everyone = (await execWs("dns-test", ["nslookup", "nginx-all"])).stdout;
    for (const p of ["web-0", "web-1", "web-2"]) expect(everyone).toContain(ips[p]);
    // A not-ready pod's own name does not resolve (its endpoint is not ready).
    const notReady = await execWs("dns-test", ["nslookup", "web-2.nginx"]);
    expect(notReady.stderr).toBe("nslookup: can't resolve 'web-2.nginx'\n");
    expect(notReady.exit).toMatchObject({ status: "Failure" });
  });

  it("the pod's hostname, /etc/hosts FQDN line, and a request by DNS name", { timeout: 120_000 }, async () => {
    expect((await execWs("web-0", ["hostname"])).stdout).toBe("web-0\n");
    expect((await execWs("web-0", ["cat", "/etc/hosts"])).stdout).toContain(`${ips["web-0"]}\tweb-0.nginx.default.svc.cluster.local\tweb-0\n`);
    const page = await execWs("dns-test", ["wget", "-qO-", "http://web-1.nginx"]);
    expect(page.stdout).toContain("Welcome to nginx!");
  });
});
