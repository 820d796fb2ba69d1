// The request attributes authorization and the in-flight limit decide with, against
// the API server's RequestInfoFactory and LongRunningRequestCheck; and the bearer
// token as its authenticator reads the Authorization header.
import { describe, it, expect } from "vitest";
import { requestAttributes } from "../../src/api/request-attributes";
import { isLongRunning, isMutating, InFlight } from "../../src/api/max-in-flight";
import { bearerToken } from "../../src/api/auth";

const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://k${path}`));

describe("requestAttributes", () => {
  it.each([
    ["GET", "/api/v1/namespaces/ns/pods", { verb: "list", resource: "pods", namespace: "ns", name: "" }],
    ["GET", "/api/v1/namespaces/ns/pods/p", { verb: "get", resource: "pods", namespace: "ns", name: "p" }],
    ["GET", "/api/v1/namespaces/ns/pods?watch=true", { verb: "watch", resource: "pods" }],
    ["GET", "/api/v1/namespaces/ns/pods/p?watch=1", { verb: "watch", name: "p" }],
    ["GET", "/api/v1/watch/namespaces/ns/pods", { verb: "watch", resource: "pods", namespace: "ns" }],
    ["POST", "/api/v1/namespaces/ns/pods", { verb: "create" }],
    ["PUT", "/apis/apps/v1/namespaces/ns/deployments/d/scale", { verb: "update", apiGroup: "apps", resource: "deployments", subresource: "scale", name: "d" }],
    ["PATCH", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n%2D1", { verb: "patch", apiGroup: "coordination.k8s.io", name: "n-1" }],
    ["DELETE", "/api/v1/namespaces/ns/pods", { verb: "deletecollection" }],
    ["DELETE", "/api/v1/namespaces/ns", { verb: "delete", resource: "namespaces", name: "ns", namespace: "ns" }],
    ["PUT", "/api/v1/namespaces/ns/finalize", { verb: "update", resource: "namespaces", name: "ns", subresource: "finalize" }],
    ["GET", "/api/v1/nodes", { verb: "list", resource: "nodes", namespace: "" }],
    ["GET", "/api/v1/namespaces/ns/pods/p:80/proxy/a/b", { verb: "get", subresource: "proxy", name: "p:80" }],
  ])("%s %s", (method, path, want) => {
    expect(attrs(method, path)).toMatchObject({ isResourceRequest: true, ...want });
  });

  it.each([
    ["GET", "/api"],
    ["GET", "/api/v1"],
    ["GET", "/apis/apps/v1"],
    ["GET", "/version"],
    ["HEAD", "/healthz"],
    ["POST", "/edgekube/v1/nodes/n/token"],
  ])("%s %s is not a resource request; its verb is the method", (method, path) => {
    expect(attrs(method, path)).toMatchObject({ isResourceRequest: false, verb: method.toLowerCase(), path });
  });
});

describe("what the in-flight limit counts", () => {
  it.each([
    ["GET", "/api/v1/namespaces/ns/pods?watch=true", true],
    ["GET", "/api/v1/namespaces/ns/pods/p/exec?command=sh", true],
    ["POST", "/api/v1/namespaces/ns/pods/p/attach", true],
    ["POST", "/api/v1/namespaces/ns/pods/p/portforward", true],
    ["GET", "/api/v1/namespaces/ns/pods/p/log", true],
    ["GET", "/api/v1/namespaces/ns/services/s/proxy/x", true],
    ["GET", "/api/v1/namespaces/ns/pods", false],
    ["PUT", "/api/v1/namespaces/ns/pods/p/status", false],
    ["GET", "/healthz", false],
  ])("%s %s is long-running: %s", (method, path, want) => {
    expect(isLongRunning(attrs(method, path))).toBe(want);
  });

  it("splits reads (get, list, watch) from everything else, as upstream", () => {
    expect(isMutating(attrs("GET", "/api/v1/pods"))).toBe(false);
    expect(isMutating(attrs("GET", "/version"))).toBe(false);
    expect(isMutating(attrs("POST", "/api/v1/namespaces/ns/pods"))).toBe(true);
    expect(isMutating(attrs("DELETE", "/api/v1/namespaces/ns/pods"))).toBe(true);
    // Outside the resource tree the verb is the method: upstream counts HEAD as a write.
    expect(isMutating(attrs("HEAD", "/healthz"))).toBe(true);
  });

  it("refuses a kind at its limit, frees on release, and never refuses with limit 0", () => {
    const f = new InFlight();
    expect(f.tryAcquire("readOnly", 2)).toBe(true);
    expect(f.tryAcquire("readOnly", 2)).toBe(true);
    expect(f.tryAcquire("readOnly", 2)).toBe(false);
    expect(f.tryAcquire("mutating", 1)).toBe(true);
    expect(f.current).toEqual({ readOnly: 2, mutating: 1 });
    f.release("readOnly");
    expect(f.tryAcquire("readOnly", 2)).toBe(true);
    for (let i = 0; i < 1000; i++) expect(f.tryAcquire("mutating", 0)).toBe(true);
  });
});

describe("bearerToken", () => {
  it.each([
    [undefined, ""],
    ["", ""],
    ["Bearer", ""],
    ["Bearer   ", ""],
    ["Bearer  t", ""],
    ["Basic dXNlcjpwYXNz", ""],
    ["t", ""],
    ["Bearer t", "t"],
    ["bearer t", "t"],
    ["  BEARER t  ", "t"],
    ["Bearer t u", "t"],
    ["Bearer t, Bearer u", "t,"],
  ])("%j carries %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
