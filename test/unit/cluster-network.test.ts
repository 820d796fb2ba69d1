// Cluster DNS as a pod sees it: the search path, the names the zone answers, and the
// records each Service, headless Service and pod hostname gets.
import { describe, it, expect } from "vitest";
import { answerQuery, parseClusterName, podHostDomain, reverseName, searchCandidates, podSearchPath } from "../../src/model/cluster-dns";
import type { EndpointSlice, Pod, Service, SliceEndpoint } from "../../src/model/types";

const svc = (name: string, clusterIP: string, extra: Partial<Service["spec"]> = {}): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "shop" },
  spec: { clusterIP, ports: [{ port: 80 }], ...extra },
});

const ep = (ip: string, ready: boolean | undefined, hostname?: string): SliceEndpoint => ({
  addresses: [ip],
  ...(ready === undefined ? {} : { conditions: { ready } }),
  ...(hostname ? { hostname } : {}),
});

const slice = (service: string, endpoints: SliceEndpoint[]): EndpointSlice => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: `${service}-abcde`, namespace: "shop", labels: { "kubernetes.io/service-name": service } },
  addressType: "IPv4",
  endpoints,
});

describe("the resolver's search path", () => {
  const search = podSearchPath("shop");
  const cases: [name: string, tried: string[]][] = [
    ["web", ["web.shop.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]],
    ["web-0.nginx", ["web-0.nginx.shop.svc.cluster.local", "web-0.nginx.svc.cluster.local", "web-0.nginx.cluster.local", "web-0.nginx"]],
    // A trailing dot: absolute, no search.
    ["Web.Other.svc.cluster.local.", ["web.other.svc.cluster.local"]],
    // ndots:5 reached: as given first.
    ["a.b.c.d.e.f", ["a.b.c.d.e.f", "a.b.c.d.e.f.shop.svc.cluster.local", "a.b.c.d.e.f.svc.cluster.local", "a.b.c.d.e.f.cluster.local"]],
  ];
  for (const [name, tried] of cases) it(name, () => expect(searchCandidates(name, search)).toEqual(tried));
});

describe("names in the cluster zone", () => {
  const cases: [fqdn: string, query: ReturnType<typeof parseClusterName>][] = [
    ["web.shop.svc.cluster.local", { kind: "service", service: "web", namespace: "shop" }],
    ["web-0.nginx.shop.svc.cluster.local", { kind: "endpoint", endpoint: "web-0", service: "nginx", namespace: "shop" }],
    ["10-244-1-5.shop.pod.cluster.local", { kind: "pod", ip: "10.244.1.5", namespace: "shop" }],
    ["web.shop.svc.cluster.local.", { kind: "service", service: "web", namespace: "shop" }],
    ["web.cluster.local", null],
    ["web.svc.cluster.local", null],
    ["a.b.c.shop.svc.cluster.local", null],
    ["web.shop.svc.example.com", null],
    ["10-244-1-999.shop.pod.cluster.local", null],
    ["web", null],
  ];
  for (const [fqdn, query] of cases) it(fqdn, () => expect(parseClusterName(fqdn)).toEqual(query));
});

describe("records", () => {
  const nginxSlices = [slice("nginx", [ep("10.244.2.6", true, "web-1"), ep("10.244.1.6", true, "web-0"), ep("10.244.3.9", false, "web-2"), ep("10.244.1.8", undefined)])];
  const headless = svc("nginx", "None");
  const cases: { name: string; fqdn: string; svc: Service | null; slices: EndpointSlice[]; want: string[] }[] = [
    { name: "a ClusterIP Service answers its virtual IP, not its endpoints", fqdn: "web.shop.svc.cluster.local", svc: svc("web", "10.96.12.34"), slices: nginxSlices, want: ["10.96.12.34"] },
    { name: "a headless Service answers its ready endpoints (nil ready is ready)", fqdn: "nginx.shop.svc.cluster.local", svc: headless, slices: nginxSlices, want: ["10.244.1.6", "10.244.1.8", "10.244.2.6"] },
    { name: "a headless Service without ready endpoints: NXDOMAIN", fqdn: "nginx.shop.svc.cluster.local", svc: headless, slices: [slice("nginx", [ep("10.244.3.9", false)])], want: [] },
    { name: "a pod's hostname under its subdomain's Service", fqdn: "web-0.nginx.shop.svc.cluster.local", svc: headless, slices: nginxSlices, want: ["10.244.1.6"] },
    { name: "a not-ready pod's hostname: NXDOMAIN", fqdn: "web-2.nginx.shop.svc.cluster.local", svc: headless, slices: nginxSlices, want: [] },
    { name: "an endpoint without hostname by its dashed address", fqdn: "10-244-1-8.nginx.shop.svc.cluster.local", svc: headless, slices: nginxSlices, want: ["10.244.1.8"] },
    { name: "no such Service", fqdn: "web.shop.svc.cluster.local", svc: null, slices: [], want: [] },
    { name: "ExternalName (a CNAME) is not modelled", fqdn: "ext.shop.svc.cluster.local", svc: svc("ext", "", { type: "ExternalName", externalName: "example.com" }), slices: [], want: [] },
    { name: "a pod name answers its dashed address", fqdn: "10-244-1-5.shop.pod.cluster.local", svc: null, slices: [], want: ["10.244.1.5"] },
  ];
  for (const c of cases) it(c.name, () => expect(answerQuery(parseClusterName(c.fqdn)!, c.svc, c.slices)).toEqual(c.want));

  it("PTR: a ClusterIP names its Service, an endpoint address its hostname under the Service", () => {
    expect(reverseName("10.96.12.34", [svc("web", "10.96.12.34")], [])).toBe("web.shop.svc.cluster.local");
    expect(reverseName("10.244.1.6", [], nginxSlices)).toBe("web-0.nginx.shop.svc.cluster.local");
    expect(reverseName("10.244.1.8", [], nginxSlices)).toBe("10-244-1-8.nginx.shop.svc.cluster.local");
    expect(reverseName("10.244.9.9", [], nginxSlices)).toBeUndefined();
  });
});

describe("a pod's hostname and domain (GeneratePodHostNameAndDomain)", () => {
  const pod = (spec: Partial<Pod["spec"]>, name = "web-0"): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop" }, spec: { containers: [], ...spec } });
  it("spec.hostname, else the pod's name cut to 63; a subdomain adds the domain", () => {
    expect(podHostDomain(pod({}))).toEqual({ hostname: "web-0" });
    expect(podHostDomain(pod({ hostname: "db" }))).toEqual({ hostname: "db" });
    expect(podHostDomain(pod({ subdomain: "nginx" }))).toEqual({ hostname: "web-0", domain: "nginx.shop.svc.cluster.local" });
    expect(podHostDomain(pod({}, "x".repeat(70))).hostname).toHaveLength(63);
  });
});
