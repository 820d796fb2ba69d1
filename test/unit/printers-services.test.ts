import { describe, it, expect } from "vitest";
import { toTable } from "../../src/api/printers";
import type { EndpointSlice, EndpointSubset, Endpoints, KubeObject, Service, SliceEndpoint } from "../../src/model/types";

const NOW = Date.parse("2024-06-01T12:00:00Z");
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function cellsOf(resource: string, obj: KubeObject): unknown[] {
  return toTable(resource, [obj], { now: NOW }).rows[0].cells;
}
const columnsOf = (resource: string) => toTable(resource, [], { now: NOW }).columnDefinitions;

function svc(spec: Service["spec"], status?: Service["status"]): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default", creationTimestamp: ago(600) }, spec, status };
}
/** [TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S)] */
const svcSummary = (s: Service) => cellsOf("services", s).slice(1, 5);

describe("services", () => {
  it("has the real column set, SELECTOR at priority 1", () => {
    const cols = columnsOf("services");
    expect(cols.map((c) => [c.name, c.type, c.priority])).toEqual([
      ["Name", "string", 0], ["Type", "string", 0], ["Cluster-IP", "string", 0], ["External-IP", "string", 0],
      ["Port(s)", "string", 0], ["Age", "string", 0], ["Selector", "string", 1],
    ]);
    expect(cols[0].format).toBe("name");
    expect(cols[3].description).toBe(
      "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
    );
    expect(cols[4].description).toBe("The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies");
  });

  it("prints a ClusterIP service with a sorted selector", () => {
    const s = svc({ type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], selector: { tier: "front", app: "web" }, ports: [{ port: 443, protocol: "TCP", targetPort: 8443 }] });
    expect(cellsOf("services", s)).toEqual(["web", "ClusterIP", "10.96.0.10", "<none>", "443/TCP", "10m", "app=web,tier=front"]);
  });

  it("joins externalIPs for ClusterIP and NodePort services", () => {
    expect(svcSummary(svc({ type: "ClusterIP", clusterIP: "10.96.0.10", externalIPs: ["198.51.100.1", "198.51.100.2"], ports: [{ port: 80, protocol: "TCP" }] })))
      .toEqual(["ClusterIP", "10.96.0.10", "198.51.100.1,198.51.100.2", "80/TCP"]);
    expect(svcSummary(svc({ type: "NodePort", clusterIP: "10.96.0.11", externalIPs: ["198.51.100.3"], ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }] }))[2])
      .toBe("198.51.100.3");
  });

  it("prints node ports and joins several ports in spec order", () => {
    const s = svc({ type: "NodePort", clusterIP: "10.96.0.12", ports: [{ port: 8080, nodePort: 31234, protocol: "TCP" }, { port: 53, nodePort: 30053, protocol: "UDP" }, { port: 9000, protocol: "SCTP" }] });
    expect(svcSummary(s)).toEqual(["NodePort", "10.96.0.12", "<none>", "8080:31234/TCP,53:30053/UDP,9000/SCTP"]);
  });

  it("shows <pending> for a LoadBalancer without ingress", () => {
    const s = svc({ type: "LoadBalancer", clusterIP: "10.96.0.13", ports: [{ port: 80, nodePort: 30000, protocol: "TCP" }] }, { loadBalancer: {} });
    expect(svcSummary(s)).toEqual(["LoadBalancer", "10.96.0.13", "<pending>", "80:30000/TCP"]);
  });

  it("shows LoadBalancer ingress ips or hostnames, unique and sorted, unclipped, then externalIPs", () => {
    const ingress = [{ hostname: "a-very-long-name.elb.example.com" }, { ip: "203.0.113.9" }, { ip: "203.0.113.9" }, { ip: "192.0.2.1", hostname: "ignored.example.com" }];
    const s = svc({ type: "LoadBalancer", clusterIP: "10.96.0.14", ports: [] }, { loadBalancer: { ingress } });
    expect(svcSummary(s)[2]).toBe("192.0.2.1,203.0.113.9,a-very-long-name.elb.example.com");
    const withExternal = svc({ ...s.spec, externalIPs: ["198.51.100.7"] }, s.status);
    expect(svcSummary(withExternal)[2]).toBe("192.0.2.1,203.0.113.9,a-very-long-name.elb.example.com,198.51.100.7");
    const externalOnly = svc({ type: "LoadBalancer", clusterIP: "10.96.0.15", externalIPs: ["198.51.100.8"] }, { loadBalancer: {} });
    expect(svcSummary(externalOnly)[2]).toBe("198.51.100.8");
  });

  it("prints an ExternalName service with <none> for what it lacks", () => {
    const s = svc({ type: "ExternalName", externalName: "db.example.com" });
    expect(cellsOf("services", s)).toEqual(["web", "ExternalName", "<none>", "db.example.com", "<none>", "10m", "<none>"]);
  });

  it("prints a headless service's None, and the first of dual-stack clusterIPs", () => {
    expect(svcSummary(svc({ type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], ports: [{ port: 5432, protocol: "TCP" }] }))[1]).toBe("None");
    expect(svcSummary(svc({ type: "ClusterIP", clusterIP: "10.96.0.20", clusterIPs: ["10.96.0.20", "fd00:10:96::20"] }))[1]).toBe("10.96.0.20");
    expect(svcSummary(svc({ type: "ClusterIP", clusterIP: "10.96.0.21" }))[1]).toBe("10.96.0.21");
  });

  it("prints an undefaulted type as upstream would: empty TYPE, <unknown> EXTERNAL-IP", () => {
    expect(svcSummary(svc({ clusterIP: "10.96.0.30", ports: [{ port: 80, protocol: "TCP" }] }))).toEqual(["", "10.96.0.30", "<unknown>", "80/TCP"]);
  });
});

function endpoints(subsets: EndpointSubset[] | undefined): Endpoints {
  return { apiVersion: "v1", kind: "Endpoints", metadata: { name: "web", namespace: "default", creationTimestamp: ago(90) }, subsets };
}
const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));
const epCell = (subsets: EndpointSubset[] | undefined) => cellsOf("endpoints", endpoints(subsets))[1];

describe("endpoints", () => {
  it("has NAME, ENDPOINTS, AGE", () => {
    const cols = columnsOf("endpoints");
    expect(cols.map((c) => [c.name, c.type, c.priority])).toEqual([["Name", "string", 0], ["Endpoints", "string", 0], ["Age", "string", 0]]);
    expect(cols[1].description).toMatch(/^The set of all endpoints is the union of all subsets\. .* Sets of addresses and ports that comprise a service\.$/);
  });

  it("prints ready ip:port pairs and the age", () => {
    const subsets = [{ addresses: addrs("10.244.0.5", "10.244.1.7"), notReadyAddresses: addrs("10.244.2.9"), ports: [{ port: 8080, protocol: "TCP" as const }] }];
    expect(cellsOf("endpoints", endpoints(subsets))).toEqual(["web", "10.244.0.5:8080,10.244.1.7:8080", "90s"]);
  });

  it("is <none> without subsets and empty when no address is ready", () => {
    expect(epCell(undefined)).toBe("<none>");
    expect(epCell([])).toBe("<none>");
    expect(epCell([{ notReadyAddresses: addrs("10.244.2.9"), ports: [{ port: 80 }] }])).toBe("");
  });

  it("pairs every port with every address, port by port, and caps at three", () => {
    expect(epCell([{ addresses: addrs("10.0.0.1", "10.0.0.2"), ports: [{ port: 80 }, { port: 443 }] }])).toBe("10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...");
  });

  it("counts the rest over all subsets", () => {
    const subsets = [{ addresses: addrs("10.0.0.1", "10.0.0.2"), ports: [{ port: 80 }] }, { addresses: addrs("10.0.1.1", "10.0.1.2", "10.0.1.3"), ports: [{ port: 80 }] }];
    expect(epCell(subsets)).toBe("10.0.0.1:80,10.0.0.2:80,10.0.1.1:80 + 2 more...");
    expect(epCell(subsets.slice(0, 1).concat([{ addresses: addrs("10.0.1.1"), ports: [{ port: 80 }] }]))).toBe("10.0.0.1:80,10.0.0.2:80,10.0.1.1:80");
  });

  it("prints bare IPs for a subset without ports and brackets IPv6", () => {
    expect(epCell([{ addresses: addrs("10.0.0.1", "10.0.0.2") }])).toBe("10.0.0.1,10.0.0.2");
    expect(epCell([{ addresses: addrs("fd00::1"), ports: [{ port: 80 }] }])).toBe("[fd00::1]:80");
  });
});

function slice(endpointsList: SliceEndpoint[] | null, ports: unknown, addressType: EndpointSlice["addressType"] = "IPv4"): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name: "web-abc12", namespace: "default", creationTimestamp: ago(3 * 3600) },
    addressType, endpoints: endpointsList, ports: ports as EndpointSlice["ports"],
  };
}
const ready = (...addresses: string[]): SliceEndpoint => ({ addresses, conditions: { ready: true } });
/** [PORTS, ENDPOINTS] */
const sliceSummary = (s: EndpointSlice) => cellsOf("endpointslices.discovery.k8s.io", s).slice(2, 4);

describe("endpointslices", () => {
  it("has NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE with the v1beta1 field docs", () => {
    const cols = columnsOf("endpointslices.discovery.k8s.io");
    expect(cols.map((c) => [c.name, c.type, c.priority])).toEqual([
      ["Name", "string", 0], ["AddressType", "string", 0], ["Ports", "string", 0], ["Endpoints", "string", 0], ["Age", "string", 0],
    ]);
    expect(cols[3].description).toBe("endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.");
    expect(cols[2].description).toContain("When a port is defined with a nil port value, it indicates \"all ports\".");
  });

  it("prints a typical slice, listing addresses whether ready or not", () => {
    const s = slice([ready("10.244.0.5"), { addresses: ["10.244.1.7"], conditions: { ready: false } }], [{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(cellsOf("endpointslices.discovery.k8s.io", s)).toEqual(["web-abc12", "IPv4", "8080", "10.244.0.5,10.244.1.7", "3h"]);
  });

  it("caps ports and addresses at three", () => {
    const s = slice([ready("10.0.0.1", "10.0.0.2"), ready("10.0.0.3"), ready("10.0.0.4", "10.0.0.5")], [{ port: 80 }, { port: 443 }, { port: 8080 }, { port: 9090 }]);
    expect(sliceSummary(s)).toEqual(["80,443,8080 + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."]);
  });

  it("prints a nil port by its name, else *", () => {
    expect(sliceSummary(slice([ready("10.0.0.1")], [{ name: "metrics" }, { port: null, name: null }, { port: 53, name: "dns" }]))[0]).toBe("metrics,*,53");
  });

  it("prints <unset> for no ports or no endpoints", () => {
    expect(sliceSummary(slice(null, null))).toEqual(["<unset>", "<unset>"]);
    expect(sliceSummary(slice([], []))).toEqual(["<unset>", "<unset>"]);
    expect(sliceSummary(slice([{ addresses: [] }], undefined))).toEqual(["<unset>", "<unset>"]);
  });

  it("prints the address type as stored", () => {
    expect(cellsOf("endpointslices.discovery.k8s.io", slice([ready("fd00::5")], [{ port: 80 }], "IPv6")).slice(1, 4)).toEqual(["IPv6", "80", "fd00::5"]);
  });
});
