// nslookup, hostname, /etc/hosts and /etc/resolv.conf in a pod with a hostname and a
// subdomain, against cluster DNS rules over fixed objects: a ClusterIP Service `web`
// and a headless Service `nginx` whose endpoints carry the pods' hostnames.
import { describe, it, expect } from "vitest";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";
import type { DnsHook } from "../../src/node/runtime";
import { answerQuery, parseClusterName, podSearchPath, reverseName, searchCandidates } from "../../src/model/cluster-dns";
import type { EndpointSlice, Service } from "../../src/model/types";

const services: Service[] = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { clusterIP: "10.96.12.34", ports: [{ port: 80 }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "nginx", namespace: "default" }, spec: { clusterIP: "None", ports: [{ port: 80 }] } },
];
const slices: EndpointSlice[] = [
  {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "nginx-x", namespace: "default", labels: { "kubernetes.io/service-name": "nginx" } },
    addressType: "IPv4",
    endpoints: [
      { addresses: ["10.244.1.6"], conditions: { ready: true }, hostname: "web-0" },
      { addresses: ["10.244.2.6"], conditions: { ready: true }, hostname: "web-1" },
    ],
  },
];

/** The cluster DNS rules over the objects above, as the node's ClusterNetwork applies them over the store. */
const dns: DnsHook = {
  async lookup(_from, name, search) {
    for (const fqdn of search ? searchCandidates(name, podSearchPath("default")) : [name.toLowerCase().replace(/\.$/, "")]) {
      const q = parseClusterName(fqdn);
      if (!q) continue;
      const svc = q.kind === "pod" ? null : (services.find((s) => s.metadata.name === q.service && s.metadata.namespace === q.namespace) ?? null);
      const addresses = answerQuery(q, svc, slices.filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc?.metadata.name));
      if (addresses.length) return { name: fqdn, addresses };
    }
    return null;
  },
  reverse: async (ip) => reverseName(ip, services, slices),
};

async function pod(image: string) {
  const rt = testRuntime("containerd", { dns });
  await rt.images.pullImage(image);
  const sb = await rt.runtime.runPodSandbox(sandboxConfig("web-0", "10.244.1.6", { hostname: "web-0", hostDomain: "nginx.default.svc.cluster.local" }));
  const id = await rt.runtime.createContainer(sb, { metadata: { name: "c", attempt: 0 }, image, command: ["sleep", "86400"] });
  await rt.runtime.startContainer(id);
  return (script: string) => rt.runtime.execSync(id, ["sh", "-c", script]);
}

describe("a pod with hostname web-0 and subdomain nginx", () => {
  it("has the kubelet's /etc/hosts FQDN line, its hostname, and the cluster search path", async () => {
    const run = await pod("busybox:1.28");
    expect((await run("tail -n 1 /etc/hosts")).stdout).toBe("10.244.1.6\tweb-0.nginx.default.svc.cluster.local\tweb-0\n");
    expect((await run("hostname; cat /etc/hostname")).stdout).toBe("web-0\nweb-0\n");
    expect((await run("cat /etc/resolv.conf")).stdout).toBe("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  });
});

describe("nslookup in busybox:1.28 (getaddrinfo through the search path, reverse names)", () => {
  const cases: [name: string, stdout: string, stderr: string, exitCode: number][] = [
    [
      "web-1.nginx",
      "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web-1.nginx\nAddress 1: 10.244.2.6 web-1.nginx.default.svc.cluster.local\n",
      "",
      0,
    ],
    [
      "nginx",
      "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      nginx\nAddress 1: 10.244.1.6 web-0.nginx.default.svc.cluster.local\nAddress 2: 10.244.2.6 web-1.nginx.default.svc.cluster.local\n",
      "",
      0,
    ],
    ["web", "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web\nAddress 1: 10.96.12.34 web.default.svc.cluster.local\n", "", 0],
    ["web-7.nginx", "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n", "nslookup: can't resolve 'web-7.nginx'\n", 1],
  ];
  for (const [name, stdout, stderr, exitCode] of cases) {
    it(name, async () => {
      const run = await pod("busybox:1.28");
      expect(await run(`nslookup ${name}`)).toEqual({ stdout, stderr, exitCode });
    });
  }
});

describe("nslookup in busybox:1.37 (its own queries; no search for a dotted name)", () => {
  it("answers a fully qualified pod name, A then an empty AAAA", async () => {
    const run = await pod("busybox:1.37");
    expect(await run("nslookup web-0.nginx.default.svc.cluster.local")).toEqual({
      stdout: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb-0.nginx.default.svc.cluster.local\nAddress: 10.244.1.6\n\n\n",
      stderr: "",
      exitCode: 0,
    });
  });

  it("does not search for web-0.nginx, as the real one does not", async () => {
    const run = await pod("busybox:1.37");
    const r = await run("nslookup web-0.nginx");
    expect(r.stdout).toBe("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web-0.nginx: NXDOMAIN\n\n** server can't find web-0.nginx: NXDOMAIN\n\n");
    expect(r.exitCode).toBe(1);
  });
});
