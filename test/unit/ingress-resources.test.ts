// Ingresses and IngressClasses as the API server takes them: validation in upstream's
// words, strict fields, `kubectl get` columns, and which class is the default.
import { describe, expect, it } from "vitest";
import { strictUnknownFields, validateObject } from "../../src/model/validation";
import { toTable } from "../../src/api/printers";
import { defaultIngressClassOf } from "../../src/model/ingress";
import type { Ingress, IngressClass } from "../../src/model/ingress-types";
import type { KubeObject, StatusCause } from "../../src/model/types";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const byField = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);
const ING = "ingresses.networking.k8s.io";
const CLASSES = "ingressclasses.networking.k8s.io";

function ingress(spec: Record<string, unknown>, extra: Partial<Ingress> = {}): Ingress {
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web", namespace: "default", creationTimestamp: ago(65) }, spec, ...extra } as Ingress;
}
const rule = (host: string | undefined, paths: unknown[]) => ({ ...(host !== undefined ? { host } : {}), http: { paths } });
const toWeb = { service: { name: "web", port: { number: 8080 } } };
const p = (path: string, pathType: string | undefined, backend: unknown = toWeb) => ({ path, ...(pathType ? { pathType } : {}), backend });

function ingressClass(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>, created = ago(10)): IngressClass {
  return { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name, creationTimestamp: created, ...(annotations ? { annotations } : {}) }, spec } as IngressClass;
}

describe("Ingress validation", () => {
  it("accepts the tutorial's Ingress and a default backend alone", () => {
    expect(validateObject(ING, ingress({ ingressClassName: "nginx", rules: [rule("hello-world.example", [p("/", "Prefix"), p("/v2", "Prefix")])] }))).toEqual([]);
    expect(validateObject(ING, ingress({ defaultBackend: toWeb, tls: [{ hosts: ["*.foo.com"], secretName: "tls-cert" }] }))).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["neither rules nor a default backend", {}, ["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]],
    ["an IP as a host", { rules: [rule("10.0.0.1", [p("/", "Prefix")])] }, ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']],
    [
      "a wildcard that is not the first label",
      { rules: [rule("foo.*.com", [p("/", "Prefix")])] },
      ["spec.rules[0].host: Invalid value: \"foo.*.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ],
    [
      "an upper-case host",
      { rules: [rule("Hello.example", [p("/", "Prefix")])] },
      ["spec.rules[0].host: Invalid value: \"Hello.example\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ],
    ["no pathType", { rules: [rule("a.example", [p("/", undefined)])] }, ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]],
    ["an unknown pathType", { rules: [rule("a.example", [p("/", "Regex")])] }, ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"']],
    ["a relative path", { rules: [rule("a.example", [p("foo", "Prefix")])] }, ['spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path']],
    [
      "unclean paths",
      { rules: [rule("a.example", [p("/a//b", "Exact"), p("/a/..", "Prefix")])] },
      ["spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'", "spec.rules[0].http.paths[1].path: Invalid value: \"/a/..\": cannot end with '/..'"],
    ],
    ["an ImplementationSpecific path may be anything absolute", { rules: [rule("a.example", [p("/a//b", "ImplementationSpecific")])] }, []],
    ["no paths", { rules: [rule("a.example", [])] }, ["spec.rules[0].http.paths: Required value"]],
    [
      "a backend without a port, one with both, one with neither kind",
      { rules: [rule("a.example", [p("/a", "Prefix", { service: { name: "web" } }), p("/b", "Prefix", { service: { name: "web", port: { name: "http", number: 80 } } }), p("/c", "Prefix", {})])] },
      [
        "spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
        'spec.rules[0].http.paths[1].backend: Invalid value: "": cannot set both port name & port number',
        'spec.rules[0].http.paths[2].backend: Invalid value: "": resource or service backend is required',
      ],
    ],
    [
      "a bad Service name and port",
      { defaultBackend: { service: { name: "Web", port: { number: 70000 } } } },
      [
        "spec.defaultBackend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        "spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive",
      ],
    ],
    ["both a service and a resource", { defaultBackend: { ...toWeb, resource: { kind: "Bucket", name: "b" } } }, ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends']],
    ["a resource without a name", { defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket" } } }, ["spec.defaultBackend.resource.name: Required value: name is required"]],
    [
      "a TLS host and secret name",
      { defaultBackend: toWeb, tls: [{ hosts: ["*"], secretName: "Cert" }] },
      [
        "spec.tls[0].hosts[0]: Invalid value: \"*\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        "spec.tls[0].secretName: Invalid value: \"Cert\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
  ];
  it.each(cases)("%s", (_, spec, want) => {
    expect(byField(validateObject(ING, ingress(spec)))).toEqual(want);
  });

  it("the class annotation and field together are refused on create only", () => {
    const both = ingress({ ingressClassName: "nginx", defaultBackend: toWeb });
    both.metadata.annotations = { "kubernetes.io/ingress.class": "nginx" };
    expect(byField(validateObject(ING, both))).toEqual(['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set']);
    expect(validateObject(ING, both, { ...both, metadata: { ...both.metadata, uid: undefined } })).toEqual([]);
  });

  it("a status address must be an IP or a DNS name that is not an IP", () => {
    const bad = ingress({ defaultBackend: toWeb }, { status: { loadBalancer: { ingress: [{ ip: "nope" }, { hostname: "1.2.3.4" }] } } });
    expect(byField(validateObject(ING, bad))).toEqual([
      'status.loadBalancer.ingress[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
    ]);
  });

  it("fields the type does not have are unknown under fieldValidation=Strict", () => {
    const obj = ingress({ rules: [{ host: "a.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80, num: 1 } } }, weight: 3 }] } }] });
    expect(strictUnknownFields(ING, obj as unknown as KubeObject)).toEqual(["spec.rules[0].http.paths[0].backend.service.port.num", "spec.rules[0].http.paths[0].weight"]);
  });
});

describe("IngressClass validation", () => {
  it("a controller is a domain-prefixed path, immutable; parameters need a kind, a name and a scope that fits", () => {
    expect(validateObject(CLASSES, ingressClass("nginx", { controller: "edgekube.dev/ingress" }))).toEqual([]);
    expect(byField(validateObject(CLASSES, ingressClass("x", { controller: "nginx" })))).toEqual(['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
    expect(byField(validateObject(CLASSES, ingressClass("x", {})))).toEqual(["spec.controller: Required value"]);
    const old = ingressClass("x", { controller: "a.io/one" });
    expect(byField(validateObject(CLASSES, ingressClass("x", { controller: "a.io/two" }), old))).toEqual(['spec.controller: Invalid value: "a.io/two": field is immutable']);
    const params = (parameters: Record<string, unknown>) => ingressClass("x", { controller: "a.io/c", parameters });
    expect(byField(validateObject(CLASSES, params({ kind: "Config", name: "c", scope: "Namespace" })))).toEqual(["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]);
    expect(byField(validateObject(CLASSES, params({ kind: "Config", name: "c", scope: "Cluster", namespace: "x" })))).toEqual(["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]);
    expect(byField(validateObject(CLASSES, params({ name: "c", scope: "Galaxy" })))).toEqual(["spec.parameters.kind: Required value: kind is required", 'spec.parameters.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespace"']);
  });

  it("the default class: the newest of those marked, by name in a tie", () => {
    const mark = { "ingressclass.kubernetes.io/is-default-class": "true" };
    const classes = [ingressClass("old", { controller: "a.io/c" }, mark, ago(100)), ingressClass("plain", { controller: "a.io/c" }, undefined, ago(1)), ingressClass("new-b", { controller: "a.io/c" }, mark, ago(5)), ingressClass("new-a", { controller: "a.io/c" }, mark, ago(5))];
    expect(defaultIngressClassOf(classes)?.metadata.name).toBe("new-a");
    expect(defaultIngressClassOf([classes[1]])).toBeUndefined();
  });
});

describe("kubectl get ingress / ingressclass columns", () => {
  it("NAME CLASS HOSTS ADDRESS PORTS AGE, as printIngress prints them", () => {
    const web = ingress(
      { ingressClassName: "nginx", tls: [{ hosts: ["a.example"] }], rules: [rule("a.example", [p("/", "Prefix")]), rule(undefined, [p("/", "Prefix")]), rule("b.example", [p("/", "Prefix")]), rule("c.example", [p("/", "Prefix")]), rule("d.example", [p("/", "Prefix")])] },
      { status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }, { hostname: "edge.example" }, { ip: "127.0.0.1" }] } } },
    );
    const bare = ingress({ defaultBackend: toWeb });
    const table = toTable(ING, [web, bare], { now: NOW });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Class", "Hosts", "Address", "Ports", "Age"]);
    expect(table.rows[0].cells).toEqual(["web", "nginx", "a.example,b.example,c.example + 2 more...", "127.0.0.1,edge.example", "80, 443", "65s"]);
    expect(table.rows[1].cells).toEqual(["web", "<none>", "*", "", "80", "65s"]);
  });

  it("NAME CONTROLLER PARAMETERS AGE", () => {
    const table = toTable(CLASSES, [ingressClass("nginx", { controller: "edgekube.dev/ingress" }), ingressClass("ext", { controller: "a.io/c", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "p" } })], { now: NOW });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Controller", "Parameters", "Age"]);
    expect(table.rows.map((r) => r.cells)).toEqual([
      ["nginx", "edgekube.dev/ingress", "<none>", "10s"],
      ["ext", "a.io/c", "IngressParameters.k8s.example.com/p", "10s"],
    ]);
  });
});
