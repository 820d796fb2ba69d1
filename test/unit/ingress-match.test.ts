import { describe, expect, it } from "vitest";
import { buildRouteTable, hostName, matchRoute, pathMatches } from "../../src/model/ingress-match";
import type { HTTPIngressPath, Ingress, IngressBackend } from "../../src/model/ingress-types";
import { isApiPath, isApiRequest, isClusterHost } from "../../src/api/front-door";

const svc = (name: string, number = 80): IngressBackend => ({ service: { name, port: { number } } });
const path = (p: string, pathType: string, to: string): HTTPIngressPath => ({ path: p, pathType, backend: svc(to) });

function ingress(name: string, spec: Ingress["spec"], created = "2026-01-01T00:00:00Z", namespace = "default"): Ingress {
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace, creationTimestamp: created }, spec };
}

/** Where a request goes: the Service's name, "default:<svc>" for a default backend, or 404. */
function where(ings: Ingress[], host: string, p: string): string {
  const m = matchRoute(buildRouteTable(ings), host, p);
  if (m.kind === "none") return "404";
  const name = m.target.backend.service?.name ?? "?";
  return m.kind === "default" ? `default:${name}` : name;
}

describe("path matching (upstream's examples, docs: Ingress path types)", () => {
  // [rule path, type, request path, matches]
  const cases: [string, string, string, boolean][] = [
    ["/", "Prefix", "/anything", true],
    ["/", "Prefix", "/", true],
    ["/foo", "Exact", "/foo", true],
    ["/foo", "Exact", "/bar", false],
    ["/foo", "Exact", "/foo/", false],
    ["/foo/", "Exact", "/foo", false],
    ["/foo", "Prefix", "/foo", true],
    ["/foo", "Prefix", "/foo/", true],
    ["/foo/", "Prefix", "/foo", true],
    ["/foo/", "Prefix", "/foo/", true],
    ["/aaa/bb", "Prefix", "/aaa/bbb", false],
    ["/aaa/bbb", "Prefix", "/aaa/bbb", true],
    ["/aaa/bbb/", "Prefix", "/aaa/bbb", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbb/", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbb/ccc", true],
    ["/aaa/bbb", "Prefix", "/aaa/bbbxyz", false],
    ["/foo/bar", "Prefix", "/foo/barbaz", false],
    ["/FOO", "Prefix", "/foo", false],
    ["/api", "ImplementationSpecific", "/api/v1", true],
  ];
  it.each(cases)("%s (%s) against %s: %s", (rule, type, request, want) => {
    const table = buildRouteTable([ingress("i", { rules: [{ http: { paths: [path(rule, type, "s")] } }] })]);
    expect(matchRoute(table, "app.example", request).kind === "rule").toBe(want);
  });

  it("an empty ImplementationSpecific path is the root", () => {
    expect(pathMatches({ path: "/", exact: false, elements: [] }, "/x/y")).toBe(true);
    const table = buildRouteTable([ingress("i", { rules: [{ http: { paths: [{ pathType: "ImplementationSpecific", backend: svc("s") }] } }] })]);
    expect(matchRoute(table, "a.example", "/deep/path").kind).toBe("rule");
  });
});

describe("choosing a rule", () => {
  const web = ingress("web", {
    rules: [
      { host: "hello-world.example", http: { paths: [path("/", "Prefix", "web"), path("/v2", "Prefix", "web2"), path("/v2/exact", "Exact", "exact"), path("/v2/exact", "Prefix", "prefix")] } },
      { host: "*.foo.com", http: { paths: [path("/", "Prefix", "wild")] } },
      { host: "bar.foo.com", http: { paths: [path("/only", "Exact", "bar")] } },
      { http: { paths: [path("/", "Prefix", "any")] } },
    ],
  });
  // [host, path, where]
  const cases: [string, string, string][] = [
    ["hello-world.example", "/", "web"],
    ["hello-world.example", "/v2", "web2"],
    ["hello-world.example", "/v2/x", "web2"],
    ["hello-world.example", "/v2x", "web"], // element-wise: /v2 is not a prefix of /v2x
    ["hello-world.example", "/v2/exact", "exact"], // equal length: Exact before Prefix
    ["hello-world.example", "/v2/exact/more", "prefix"],
    ["a.foo.com", "/", "wild"], // the wildcard stands for one label...
    ["a.b.foo.com", "/", "any"], // ...never two
    ["foo.com", "/", "any"], // ...nor none
    ["bar.foo.com", "/only", "bar"], // an exact host wins over the wildcard
    ["bar.foo.com", "/other", "404"], // its server is chosen by host; no path there and no default backend
    ["elsewhere.example", "/x", "any"], // rules without a host serve every other host
  ];
  it.each(cases)("%s%s -> %s", (host, p, want) => {
    expect(where([web], host, p)).toBe(want);
  });

  it("default backends: the host's own Ingress first, then the oldest Ingress's; none -> 404", () => {
    const a = ingress("a", { defaultBackend: svc("fallback-a"), rules: [{ host: "a.example", http: { paths: [path("/app", "Prefix", "app")] } }] }, "2026-01-01T00:00:00Z");
    const b = ingress("b", { defaultBackend: svc("fallback-b"), rules: [{ host: "b.example", http: { paths: [path("/app", "Prefix", "app")] } }] }, "2026-01-02T00:00:00Z");
    expect(where([b, a], "b.example", "/other")).toBe("default:fallback-b");
    expect(where([b, a], "a.example", "/other")).toBe("default:fallback-a");
    expect(where([b, a], "c.example", "/")).toBe("default:fallback-a");
    expect(where([ingress("only", { defaultBackend: svc("catch-all") })], "x.example", "/")).toBe("default:catch-all");
    expect(where([ingress("r", { rules: [{ host: "r.example", http: { paths: [path("/", "Prefix", "r")] } }] })], "other.example", "/")).toBe("404");
    expect(where([], "x.example", "/")).toBe("404");
  });

  it("two Ingresses that claim one host and path: the older keeps it; their other paths merge", () => {
    const older = ingress("older", { rules: [{ host: "h.example", http: { paths: [path("/", "Prefix", "old")] } }] }, "2026-01-01T00:00:00Z");
    const newer = ingress("newer", { rules: [{ host: "h.example", http: { paths: [path("/", "Prefix", "new"), path("/extra", "Prefix", "extra")] } }] }, "2026-02-01T00:00:00Z");
    expect(where([newer, older], "h.example", "/")).toBe("old");
    expect(where([newer, older], "h.example", "/extra/1")).toBe("extra");
  });

  it("a Host header's name: lower case, no port, no trailing dot", () => {
    expect(hostName("Hello-World.Example:8443")).toBe("hello-world.example");
    expect(hostName("hello-world.example.")).toBe("hello-world.example");
    expect(hostName("[::1]:8787")).toBe("[::1]");
    expect(where([web], hostName("HELLO-WORLD.EXAMPLE:443"), "/v2")).toBe("web2");
  });
});

describe("the front door: the cluster's hosts and the API's paths always reach the API", () => {
  const req = (url: string, host?: string) => new Request(url, host ? { headers: { host } } : {});
  // [url, Host header, API_HOSTS, reaches the API]
  const cases: [string, string | undefined, string, boolean][] = [
    ["https://127.0.0.1:8787/", undefined, "", true],
    ["https://localhost:8787/anything", undefined, "", true],
    ["https://[::1]:8787/", undefined, "", true],
    ["https://edgekube.acct.workers.dev/", undefined, "", true],
    ["https://k8s.example.com/", undefined, "k8s.example.com, other.example", true],
    ["https://127.0.0.1:8787/", "hello-world.example", "", false], // curl -H 'Host: ...' to the local port
    ["https://127.0.0.1:8787/api/v1/pods", "hello-world.example", "", true],
    ["https://hello-world.example/apis/apps/v1", undefined, "", true],
    ["https://hello-world.example/version", undefined, "", true],
    ["https://hello-world.example/healthz", undefined, "", true],
    ["https://hello-world.example/openapi/v3", undefined, "", true],
    ["https://hello-world.example/ui/", undefined, "", true],
    ["https://hello-world.example/", undefined, "", false],
    ["https://hello-world.example/apiary", undefined, "", false],
    ["https://hello-world.example/v2/api", undefined, "", false],
  ];
  it.each(cases)("%s (Host %s, API_HOSTS %j): %s", (url, host, hosts, want) => {
    expect(isApiRequest(req(url, host), new URL(url), hosts)).toBe(want);
  });

  it("path segments and hosts are compared whole", () => {
    expect(isApiPath("/api")).toBe(true);
    expect(isApiPath("/apis/")).toBe(true);
    expect(isApiPath("/")).toBe(false);
    expect(isClusterHost("workers.dev.example", "")).toBe(false);
    expect(isClusterHost("notlocalhost", "")).toBe(false);
  });
});
