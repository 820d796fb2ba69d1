import { describe, it, expect } from "vitest";
import { validateObject, strictUnknownFields } from "../../src/model/validation";
import { invalid } from "../../src/model/errors";
import { normalizeClusterIPs, validateNodePortRange, validateServiceClusterIPsRelatedFields } from "../../src/model/validate-service";
import type { KubeObject, Service, StatusCause } from "../../src/model/types";

const clone = <T>(v: T): T => structuredClone(v);
const byField = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

/** A Service as the server holds it after defaulting and allocation. */
function svc(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", ...meta },
    spec: {
      type: "ClusterIP",
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 8080 }],
      sessionAffinity: "None",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
      ...spec,
    },
  };
}

function nodePortSvc(ports: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return svc({ type: "NodePort", externalTrafficPolicy: "Cluster", ports, ...extra });
}

function externalName(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "db", namespace: "default" },
    spec: { type: "ExternalName", externalName: "db.example.com", sessionAffinity: "None", ...spec },
  };
}

function endpoints(subsets: unknown[], name = "web"): KubeObject {
  return { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace: "default" }, subsets } as KubeObject;
}

function slice(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "web-abc12", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true }, nodeName: "node-1" }],
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    ...extra,
  } as KubeObject;
}

const SLICES = "endpointslices.discovery.k8s.io";

const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const PORT_RANGE = "must be between 1 and 65535, inclusive";

describe("services: create", () => {
  it("accepts a defaulted ClusterIP service", () => {
    expect(validateObject("services", svc())).toEqual([]);
  });

  it("accepts a service before defaulting, as the server would default it", () => {
    const raw = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { ports: [{ port: 80 }], selector: { app: "web" } } };
    expect(validateObject("services", raw as KubeObject)).toEqual([]);
  });

  it("accepts headless, NodePort, LoadBalancer, ClientIP and dual-stack services", () => {
    expect(validateObject("services", svc({ clusterIP: "None", clusterIPs: ["None"], ports: [] }))).toEqual([]);
    expect(validateObject("services", nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 }]))).toEqual([]);
    expect(
      validateObject("services", svc({ type: "LoadBalancer", externalTrafficPolicy: "Local", allocateLoadBalancerNodePorts: true, healthCheckNodePort: 31000 })),
    ).toEqual([]);
    expect(validateObject("services", svc({ sessionAffinity: "ClientIP" }))).toEqual([]);
    expect(
      validateObject(
        "services",
        svc({ clusterIPs: ["10.96.0.10", "fd00::10"], ipFamilies: ["IPv4", "IPv6"], ipFamilyPolicy: "RequireDualStack" }),
      ),
    ).toEqual([]);
  });

  it("requires Service names to be DNS-1035 labels, with the upstream cause", () => {
    expect(validateObject("services", svc({}, { name: "1web" }))).toEqual([
      { reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "1web": ${DNS1035_MSG}` },
    ]);
    expect(byField(validateObject("services", svc({}, { name: "web.v2" })))).toEqual([`metadata.name: Invalid value: "web.v2": ${DNS1035_MSG}`]);
    expect(byField(validateObject("services", svc({}, { name: "x".repeat(64) })))).toEqual([
      `metadata.name: Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
    ]);
    expect(validateObject("services", svc({}, { name: "web-xk2p9", generateName: "web-" }))).toEqual([]);
  });

  it("produces the Invalid Status message kubectl prints", () => {
    const causes = validateObject("services", svc({ ports: [] }));
    expect(causes).toEqual([{ reason: "FieldValueRequired", field: "spec.ports", message: "Required value" }]);
    expect(invalid("Service", "web", causes).message).toBe('Service "web" is invalid: spec.ports: Required value');
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["port out of range", { ports: [{ port: 70000, protocol: "TCP", targetPort: 80 }] }, [`spec.ports[0].port: Invalid value: 70000: ${PORT_RANGE}`]],
    ["port missing", { ports: [{ protocol: "TCP", targetPort: 80 }] }, [`spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`]],
    [
      "unsupported protocol",
      { ports: [{ port: 80, protocol: "HTTP", targetPort: 80 }] },
      ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      "unnamed ports when there are several",
      { ports: [{ port: 80, protocol: "TCP", targetPort: 80 }, { port: 443, protocol: "TCP", targetPort: 443 }] },
      ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
    ],
    [
      "duplicate port names",
      { ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 80 }, { name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }] },
      ['spec.ports[1].name: Duplicate value: "http"'],
    ],
    ["a port name that is not a DNS label", { ports: [{ name: "Web_Port", port: 80, protocol: "TCP", targetPort: 80 }] }, [`spec.ports[0].name: Invalid value: "Web_Port": ${LABEL_MSG}`]],
    [
      "duplicate port and protocol",
      { ports: [{ name: "a", port: 80, protocol: "TCP", targetPort: 80 }, { name: "b", port: 80, protocol: "TCP", targetPort: 81 }] },
      [
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    ],
    ["targetPort out of range", { ports: [{ port: 80, protocol: "TCP", targetPort: 70000 }] }, [`spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`]],
    ["a numeric string targetPort", { ports: [{ port: 80, protocol: "TCP", targetPort: "8080" }] }, ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)']],
    [
      "a targetPort name with bad characters",
      { ports: [{ port: 80, protocol: "TCP", targetPort: "http_web" }] },
      ['spec.ports[0].targetPort: Invalid value: "http_web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ],
    [
      "a targetPort name that is too long",
      { ports: [{ port: 80, protocol: "TCP", targetPort: "a-very-long-port-name" }] },
      ['spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters'],
    ],
    [
      "a nodePort on a ClusterIP service",
      { ports: [{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 }] },
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    ["an unknown type", { type: "Internal" }, ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ["an unknown session affinity", { sessionAffinity: "Sticky" }, ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']],
    [
      "a ClientIP timeout of 0",
      { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } },
      ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400"],
    ],
    ["a bad selector value", { selector: { app: "-web" } }, ['spec.selector: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')']],
    ["a cluster IP that is not an IP", { clusterIP: "10.96.0.300", clusterIPs: undefined }, [`spec.clusterIPs[0]: Invalid value: "10.96.0.300": ${IP_MSG}`]],
    ["clusterIPs that disagree with clusterIP", { clusterIPs: ["10.96.0.11"] }, ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`']],
    ["clusterIPs without clusterIP", { clusterIP: "" }, ['spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: must be empty when `clusterIP` is not specified']],
    [
      "an IPv6 cluster IP on an IPv4 service",
      { clusterIP: "fd00::10", clusterIPs: ["fd00::10"] },
      ['spec.clusterIPs[0]: Invalid value: "fd00::10": expected an IPv4 value as indicated by `ipFamilies[0]`'],
    ],
    [
      "two cluster IPs of one family",
      { clusterIPs: ["10.96.0.10", "10.96.0.11"] },
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.10", "10.96.0.11"}: may specify no more than one IP for each IP family'],
    ],
    ["an unknown IP family", { ipFamilies: ["IPv5"] }, ['spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"']],
    [
      "an unknown IP family policy",
      { ipFamilyPolicy: "Dual" },
      ['spec.ipFamilyPolicy: Unsupported value: "Dual": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"'],
    ],
    ["a loopback external IP", { externalIPs: ["127.0.0.1"] }, ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    ["an external IP that is not an IP", { externalIPs: ["example.com"] }, [`spec.externalIPs[0]: Invalid value: "example.com": ${IP_MSG}`]],
    [
      "externalTrafficPolicy on a ClusterIP service",
      { externalTrafficPolicy: "Local" },
      ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    ],
    ["allocateLoadBalancerNodePorts on a ClusterIP service", { allocateLoadBalancerNodePorts: true }, ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    ["an unknown internalTrafficPolicy", { internalTrafficPolicy: "Node" }, ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"']],
    ["a loadBalancerClass on a ClusterIP service", { loadBalancerClass: "example.com/lb" }, ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    [
      "a bad appProtocol",
      { ports: [{ port: 80, protocol: "TCP", targetPort: 80, appProtocol: "a/b/c" }] },
      [
        "spec.ports[0].appProtocol: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
  ])("rejects %s", (_name, spec, expected) => {
    expect(byField(validateObject("services", svc(spec)))).toEqual(expected);
  });

  it("keeps the cause reasons upstream uses", () => {
    const causes = validateObject("services", svc({ type: "Internal", ports: [{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 }, { port: 80, protocol: "TCP", targetPort: 80 }] }));
    expect(causes.map((c) => c.reason)).toEqual(["FieldValueRequired", "FieldValueRequired", "FieldValueNotSupported", "FieldValueDuplicate"]);
    const np = validateObject("services", svc({ ports: [{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 }] }));
    expect(np).toEqual([{ reason: "FieldValueForbidden", field: "spec.ports[0].nodePort", message: "Forbidden: may not be used when `type` is 'ClusterIP'" }]);
  });

  it("checks NodePort and LoadBalancer rules", () => {
    expect(byField(validateObject("services", nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80 }], { clusterIP: "None", clusterIPs: ["None"] })))).toEqual([
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ]);
    expect(
      byField(validateObject("services", nodePortSvc([{ name: "a", port: 80, protocol: "TCP", targetPort: 80, nodePort: 30080 }, { name: "b", port: 81, protocol: "TCP", targetPort: 81, nodePort: 30080 }]))),
    ).toEqual(["spec.ports[1].nodePort: Duplicate value: 30080"]);
    expect(byField(validateObject("services", nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80 }], { externalTrafficPolicy: "Global" })))).toEqual([
      'spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"',
    ]);
    expect(
      byField(validateObject("services", svc({ type: "LoadBalancer", externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true, loadBalancerSourceRanges: ["10.0.0.0/8", "10.0.0.0/33"] }))),
    ).toEqual(['spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
    expect(byField(validateObject("services", nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80 }], { healthCheckNodePort: 31000 })))).toEqual([
      "spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
    ]);
  });

  it("checks ExternalName services", () => {
    expect(validateObject("services", externalName())).toEqual([]);
    expect(validateObject("services", externalName({ externalName: "db.example.com." }))).toEqual([]);
    expect(byField(validateObject("services", externalName({ externalName: "" })))).toEqual(["spec.externalName: Required value"]);
    expect(byField(validateObject("services", externalName({ externalName: "DB_host" })))).toEqual([`spec.externalName: Invalid value: "DB_host": ${SUBDOMAIN_MSG}`]);
    expect(byField(validateObject("services", externalName({ clusterIP: "10.96.0.10" })))).toEqual(["spec.clusterIPs: Forbidden: may not be set for ExternalName services"]);
    expect(byField(validateObject("services", externalName({ ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack" })))).toEqual([
      "spec.ipFamilies: Forbidden: may not be set for ExternalName services",
      "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services",
    ]);
  });

  it("checks the topology annotations against each other", () => {
    const annotations = { "service.kubernetes.io/topology-mode": "Auto", "service.kubernetes.io/topology-aware-hints": "Disabled" };
    expect(byField(validateObject("services", svc({}, { annotations })))).toEqual([
      'metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified',
    ]);
  });

  it("validates the clusterIP fields on their own for the allocator", () => {
    expect(validateServiceClusterIPsRelatedFields(svc({ clusterIPs: ["None", "10.96.0.1"], clusterIP: "None" }) as Service).map((c) => c.message)).toEqual([
      "Invalid value: []string{\"None\", \"10.96.0.1\"}: 'None' must be the first and only value",
    ]);
    expect(validateServiceClusterIPsRelatedFields(externalName() as Service)).toEqual([]);
  });
});

describe("services: node port range", () => {
  const msg = "provided port is not in the valid range. The range of valid ports is 30000-32767";

  it("reports the first out-of-range node port as the allocator does", () => {
    const s = nodePortSvc([
      { name: "a", port: 80, protocol: "TCP", targetPort: 80, nodePort: 8080 },
      { name: "b", port: 81, protocol: "TCP", targetPort: 81, nodePort: 40000 },
    ]) as Service;
    expect(validateNodePortRange(s)).toEqual([{ reason: "FieldValueInvalid", field: "spec.ports[0].nodePort", message: `Invalid value: 8080: ${msg}` }]);
    expect(invalid("Service", "web", validateNodePortRange(s)).message).toBe(`Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 8080: ${msg}`);
  });

  it("accepts ports in range, unset ports, other types and ports the old object held", () => {
    expect(validateNodePortRange(nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 30000 }, { port: 81, protocol: "TCP", targetPort: 81 }]) as Service)).toEqual([]);
    expect(validateNodePortRange(svc({ ports: [{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 80 }] }) as Service)).toEqual([]);
    const held = nodePortSvc([{ port: 80, protocol: "TCP", targetPort: 80, nodePort: 8080 }]) as Service;
    expect(validateNodePortRange(clone(held), held)).toEqual([]);
    expect(validateNodePortRange(held, undefined, { min: 8000, max: 9000 })).toEqual([]);
  });
});

describe("services: update", () => {
  const old = svc();

  it("accepts an unchanged service and changes to mutable fields", () => {
    expect(validateObject("services", clone(old), old)).toEqual([]);
    const next = clone(old);
    (next.spec as { selector: Record<string, string> }).selector = { app: "web2" };
    expect(validateObject("services", next, old)).toEqual([]);
  });

  it("keeps the cluster IP: a changed clusterIP is rejected in upstream's words", () => {
    const next = clone(old);
    (next.spec as { clusterIP: string }).clusterIP = "10.96.0.99";
    expect(validateObject("services", next, old)).toEqual([
      { reason: "FieldValueInvalid", field: "spec.clusterIPs[0]", message: 'Invalid value: []string{"10.96.0.99"}: may not change once set' },
    ]);
    const both = clone(old);
    Object.assign(both.spec as object, { clusterIP: "10.96.0.99", clusterIPs: ["10.96.0.99"] });
    expect(byField(validateObject("services", both, old))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set']);
  });

  it("rejects clearing the cluster IP and turning a service headless", () => {
    const cleared = clone(old);
    Object.assign(cleared.spec as object, { clusterIP: "", clusterIPs: undefined });
    expect(byField(validateObject("services", cleared, old))).toEqual(["spec.clusterIPs[0]: Invalid value: []string(nil): primary clusterIP can not be unset"]);
    const headless = clone(old);
    Object.assign(headless.spec as object, { clusterIP: "None", clusterIPs: ["None"] });
    expect(byField(validateObject("services", headless, old))).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set']);
  });

  it("lets a service change to and from ExternalName", () => {
    const toExternal = externalName();
    toExternal.metadata.name = "web";
    expect(validateObject("services", toExternal, old)).toEqual([]);
    const back = svc({ clusterIP: "10.96.0.50", clusterIPs: ["10.96.0.50"] });
    expect(validateObject("services", back, toExternal)).toEqual([]);
  });

  it("keeps the IP families", () => {
    const next = clone(old);
    (next.spec as { ipFamilies: string[] }).ipFamilies = ["IPv6"];
    expect(byField(validateObject("services", next, old))).toEqual([
      'spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set',
      'spec.clusterIPs[0]: Invalid value: "10.96.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`',
    ]);
  });

  it("requires SingleStack when dropping the secondary cluster IP", () => {
    const dual = svc({ clusterIPs: ["10.96.0.10", "fd00::10"], ipFamilies: ["IPv4", "IPv6"], ipFamilyPolicy: "RequireDualStack" });
    const next = svc({ ipFamilyPolicy: "RequireDualStack" });
    expect(byField(validateObject("services", next, dual))).toEqual([
      'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": must be set to \'SingleStack\' when releasing the secondary clusterIP',
      'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": must be set to \'SingleStack\' when releasing the secondary ipFamily',
    ]);
    expect(validateObject("services", svc(), dual)).toEqual([]);
  });

  it("keeps a LoadBalancer's class", () => {
    const lb = svc({ type: "LoadBalancer", externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true, loadBalancerClass: "example.com/a" });
    const next = clone(lb);
    (next.spec as { loadBalancerClass: string }).loadBalancerClass = "example.com/b";
    expect(byField(validateObject("services", next, lb))).toEqual(['spec.loadBalancerClass: Invalid value: "example.com/b": may not change once set']);
  });

  it("still applies the create rules and the metadata rules", () => {
    const next = clone(old);
    (next.spec as { ports: unknown[] }).ports = [];
    next.metadata.namespace = "other";
    expect(byField(validateObject("services", next, old))).toEqual(['metadata.namespace: Invalid value: "other": field is immutable', "spec.ports: Required value"]);
  });
});

describe("normalizeClusterIPs", () => {
  it("fills clusterIPs from clusterIP on create and keeps the stored list on a patch without it", () => {
    const created = svc({ clusterIPs: undefined }) as Service;
    normalizeClusterIPs(created);
    expect(created.spec.clusterIPs).toEqual(["10.96.0.10"]);
    const patched = svc({ clusterIPs: undefined }) as Service;
    normalizeClusterIPs(patched, svc({ clusterIPs: ["10.96.0.10", "fd00::10"] }) as Service);
    expect(patched.spec.clusterIPs).toEqual(["10.96.0.10", "fd00::10"]);
  });
});

describe("endpoints", () => {
  const good = [{ addresses: [{ ip: "10.244.1.5", nodeName: "node-1" }], notReadyAddresses: [{ ip: "fd00::5" }], ports: [{ port: 8080, protocol: "TCP" }] }];

  it("accepts valid endpoints, on create and update", () => {
    expect(validateObject("endpoints", endpoints(good))).toEqual([]);
    expect(validateObject("endpoints", endpoints(good), endpoints([]))).toEqual([]);
    expect(validateObject("endpoints", endpoints([{ addresses: [{ ip: "10.244.1.5" }], ports: [{ port: 80 }] }]))).toEqual([]);
  });

  it.each<[string, unknown[], string[]]>([
    ["a subset without addresses", [{ ports: [{ port: 80, protocol: "TCP" }] }], ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"]],
    [
      "an address that is not an IP",
      [{ addresses: [{ ip: "web-1" }] }],
      [`subsets[0].addresses[0].ip: Invalid value: "web-1": ${IP_MSG}`, 'subsets[0].addresses[0].ip: Invalid value: "web-1": must be a valid IP address'],
    ],
    ["a loopback address", [{ addresses: [{ ip: "127.0.0.1" }] }], ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    ["the unspecified address", [{ notReadyAddresses: [{ ip: "0.0.0.0" }] }], ['subsets[0].notReadyAddresses[0].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)']],
    ["a link-local address", [{ addresses: [{ ip: "169.254.169.254" }] }], ['subsets[0].addresses[0].ip: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)']],
    ["an IPv6 link-local address", [{ addresses: [{ ip: "fe80::1" }] }], ['subsets[0].addresses[0].ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)']],
    [
      "a link-local multicast address",
      [{ addresses: [{ ip: "224.0.0.251" }] }],
      ['subsets[0].addresses[0].ip: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ],
    ["a bad hostname", [{ addresses: [{ ip: "10.244.1.5", hostname: "Web_1" }] }], [`subsets[0].addresses[0].hostname: Invalid value: "Web_1": ${LABEL_MSG}`]],
    ["a bad nodeName", [{ addresses: [{ ip: "10.244.1.5", nodeName: "Node_1" }] }], [`subsets[0].addresses[0].nodeName: Invalid value: "Node_1": ${SUBDOMAIN_MSG}`]],
    ["a port out of range", [{ addresses: [{ ip: "10.244.1.5" }], ports: [{ port: 0, protocol: "TCP" }] }], [`subsets[0].ports[0].port: Invalid value: 0: ${PORT_RANGE}`]],
    [
      "an unsupported protocol",
      [{ addresses: [{ ip: "10.244.1.5" }], ports: [{ port: 53, protocol: "ICMP" }] }],
      ['subsets[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      "unnamed ports when there are several",
      [{ addresses: [{ ip: "10.244.1.5" }], ports: [{ port: 80, protocol: "TCP" }, { name: "https", port: 443, protocol: "TCP" }] }],
      ["subsets[0].ports[0].name: Required value"],
    ],
  ])("rejects %s", (_name, subsets, expected) => {
    expect(byField(validateObject("endpoints", endpoints(subsets)))).toEqual(expected);
  });

  it("names Endpoints by DNS subdomain rules", () => {
    expect(validateObject("endpoints", endpoints(good, "web.v2"))).toEqual([]);
    expect(byField(validateObject("endpoints", endpoints(good, "Web")))).toEqual([`metadata.name: Invalid value: "Web": ${SUBDOMAIN_MSG}`]);
  });
});

describe("endpointslices", () => {
  it("accepts valid slices of each address type", () => {
    expect(validateObject(SLICES, slice())).toEqual([]);
    expect(validateObject(SLICES, slice({ addressType: "IPv6", endpoints: [{ addresses: ["fd00::5"] }] }))).toEqual([]);
    expect(validateObject(SLICES, slice({ addressType: "FQDN", endpoints: [{ addresses: ["db.example.com."] }] }))).toEqual([]);
    expect(validateObject(SLICES, slice({ endpoints: [], ports: [] }))).toEqual([]);
    expect(validateObject("endpointslices", slice({ endpoints: null, ports: [{ port: 80 }] }))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["a missing addressType", { addressType: "" }, ["addressType: Required value"]],
    ["an unsupported addressType", { addressType: "IP" }, ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']],
    ["an endpoint without addresses", { endpoints: [{ addresses: [] }] }, ["endpoints[0].addresses: Required value: must contain at least 1 address"]],
    ["an IPv6 address in an IPv4 slice", { endpoints: [{ addresses: ["fd00::5"] }] }, ['endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address']],
    ["an IPv4 address in an IPv6 slice", { addressType: "IPv6", endpoints: [{ addresses: ["10.1.2.3"] }] }, ['endpoints[0].addresses[0]: Invalid value: "10.1.2.3": must be a valid IPv6 address']],
    [
      "a name in an IPv4 slice",
      { endpoints: [{ addresses: ["web-1"] }] },
      ['endpoints[0].addresses[0]: Invalid value: "web-1": must be a valid IPv4 address', 'endpoints[0].addresses[0]: Invalid value: "web-1": must be a valid IP address'],
    ],
    ["a loopback address", { endpoints: [{ addresses: ["127.0.0.2"] }] }, ['endpoints[0].addresses[0]: Invalid value: "127.0.0.2": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    [
      "a single-label FQDN",
      { addressType: "FQDN", endpoints: [{ addresses: ["db"] }] },
      ['endpoints[0].addresses[0]: Invalid value: "db": should be a domain with at least two segments separated by dots'],
    ],
    ["a bad nodeName", { endpoints: [{ addresses: ["10.244.1.5"], nodeName: "Node_1" }] }, [`endpoints[0].nodeName: Invalid value: "Node_1": ${SUBDOMAIN_MSG}`]],
    ["a bad hostname", { endpoints: [{ addresses: ["10.244.1.5"], hostname: "a.b" }] }, ['endpoints[0].hostname: Invalid value: "a.b": must not contain dots']],
    ["two unnamed ports", { ports: [{ port: 80, protocol: "TCP" }, { port: 81, protocol: "TCP" }] }, ['ports[1].name: Duplicate value: ""']],
    ["a bad port name", { ports: [{ name: "HTTP", port: 80, protocol: "TCP" }] }, [`ports[0].name: Invalid value: "HTTP": ${LABEL_MSG}`]],
    ["an unsupported protocol", { ports: [{ name: "x", port: 80, protocol: "ICMP" }] }, ['ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
  ])("rejects %s", (_name, extra, expected) => {
    expect(byField(validateObject(SLICES, slice(extra)))).toEqual(expected);
  });

  it("allows at most 100 addresses per endpoint", () => {
    const addresses = Array.from({ length: 101 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`);
    expect(validateObject(SLICES, slice({ endpoints: [{ addresses }] }))).toEqual([
      { reason: "FieldValueTooMany", field: "endpoints[0].addresses", message: "Too many: 101: must have at most 100 items" },
    ]);
    expect(validateObject(SLICES, slice({ endpoints: [{ addresses: addresses.slice(0, 100) }] }))).toEqual([]);
  });

  it("accepts IPv4-mapped addresses as IPv4, as Go's parser does", () => {
    expect(validateObject(SLICES, slice({ endpoints: [{ addresses: ["::ffff:10.1.2.3"] }] }))).toEqual([]);
    expect(byField(validateObject(SLICES, slice({ addressType: "IPv6", endpoints: [{ addresses: ["1:2:3:4:5:6:7:8:9"] }] })))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "1:2:3:4:5:6:7:8:9": must be a valid IPv6 address',
      'endpoints[0].addresses[0]: Invalid value: "1:2:3:4:5:6:7:8:9": must be a valid IP address',
    ]);
  });

  it("keeps the addressType on update", () => {
    const old = slice();
    expect(validateObject(SLICES, slice({ endpoints: [{ addresses: ["10.244.1.6"] }] }), old)).toEqual([]);
    expect(validateObject(SLICES, slice({ addressType: "IPv6", endpoints: [] }), old)).toEqual([
      { reason: "FieldValueInvalid", field: "addressType", message: 'Invalid value: "IPv6": field is immutable' },
    ]);
  });
});

describe("JSON types and strict fields", () => {
  it("reports wrong JSON types before anything else", () => {
    expect(byField(validateObject("services", svc({ ports: [{ port: "80" }] })))).toEqual(['spec.ports[0].port: Invalid value: "80": must be of type integer']);
    expect(byField(validateObject("endpoints", endpoints([{ addresses: { ip: "10.0.0.1" } }])))).toEqual([
      'subsets[0].addresses: Invalid value: "{\\"ip\\":\\"10.0.0.1\\"}": must be of type array',
    ]);
    expect(byField(validateObject(SLICES, slice({ endpoints: [{ addresses: "10.0.0.1" }] })))).toEqual(['endpoints[0].addresses: Invalid value: "10.0.0.1": must be of type array']);
  });

  it.each<[string, unknown, string[]]>([
    ["services", svc(), []],
    ["services", { ...svc(), status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } }, []],
    ["services", svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }), []],
    ["services", svc({ port: 80 }), ["spec.port"]],
    ["services", svc({ ports: [{ port: 80, nodeport: 30080 }], sessionAffinityConfig: { clientIp: {} } }), ["spec.ports[0].nodeport", "spec.sessionAffinityConfig.clientIp"]],
    ["endpoints", endpoints([{ addresses: [{ ip: "10.0.0.1", targetRef: { kind: "Pod", name: "p" } }], ports: [{ port: 80 }] }]), []],
    ["endpoints", endpoints([{ adresses: [], ports: [{ port: 80, targetPort: 80 }] }]), ["subsets[0].adresses", "subsets[0].ports[0].targetPort"]],
    ["endpointslices.discovery.k8s.io", slice(), []],
    ["endpointslices.discovery.k8s.io", slice({ endpoints: [{ addresses: ["10.0.0.1"], conditions: { ready: true, healthy: true }, hints: { forZones: [{ name: "a" }] } }] }), ["endpoints[0].conditions.healthy"]],
    ["endpointslices.discovery.k8s.io", slice({ addresstype: "IPv4" }), ["addresstype"]],
  ])("%s %#", (resource, obj, expected) => {
    expect(strictUnknownFields(resource, obj)).toEqual(expected);
  });
});
