// Every response is safe in a browser, as the API server's are: the right
// Content-Type, `X-Content-Type-Options: nosniff`, and `Cache-Control: no-cache,
// private` (WithCacheControl); streams also keep `Content-Encoding: identity`, or
// wrangler's gzip would hold them back, and so do JSON bodies under 128 KiB.
import { describe, it, expect, beforeAll } from "vitest";
import { BASE, TOKEN, pod } from "./helpers";
import { FakeClock, boundPod, createPod, runUntil, startNode } from "./node-helpers";
import { exports } from "cloudflare:workers";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const clock = new FakeClock();

beforeAll(async () => {
  const node = await startNode("kn-headers", clock);
  await createPod(boundPod("hdr", "kn-headers", { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
});

/** Fetch, keep the headers, and drop the body (streams would never end). */
async function headersOf(path: string, init: { method?: string; accept?: string; token?: string | null; body?: string; contentType?: string } = {}): Promise<{ status: number; h: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.accept) headers.accept = init.accept;
  if (init.contentType) headers["content-type"] = init.contentType;
  const res = await worker.fetch(new Request(BASE + path, { method: init.method ?? "GET", headers, body: init.body }));
  await res.body?.cancel();
  return { status: res.status, h: res.headers };
}

const cases: [string, string, Parameters<typeof headersOf>[1], number, string][] = [
  ["an object", "/api/v1/namespaces/default/pods/hdr", {}, 200, "application/json"],
  ["a list", "/api/v1/namespaces/default/pods", {}, 200, "application/json"],
  ["a Table", "/api/v1/namespaces/default/pods", { accept: `${TABLE},application/json` }, 200, TABLE],
  ["a one-row Table", "/api/v1/namespaces/default/pods/hdr", { accept: `${TABLE},application/json` }, 200, TABLE],
  ["a create", "/api/v1/namespaces/default/pods", { method: "POST", body: JSON.stringify(pod("hdr-created")), contentType: "application/json" }, 201, "application/json"],
  ["a NotFound Status", "/api/v1/namespaces/default/pods/nope", {}, 404, "application/json"],
  ["a path nobody serves", "/nothing/here", {}, 404, "application/json"],
  ["an unknown resource", "/api/v1/widgets", {}, 404, "application/json"],
  ["an Unauthorized Status", "/api/v1/namespaces", { token: null }, 401, "application/json"],
  ["a BadRequest Status", "/api/v1/namespaces/default/pods", { method: "POST", body: "{", contentType: "application/json" }, 400, "application/json"],
  ["a container's log", "/api/v1/namespaces/default/pods/hdr/log", {}, 200, "text/plain"],
  ["a log error from the kubelet", "/api/v1/namespaces/default/pods/hdr/log?container=nope", {}, 400, "application/json"],
  ["a pod's page through the proxy", "/api/v1/namespaces/default/pods/hdr:80/proxy/", {}, 200, "text/html"],
  ["the version", "/version", { token: null }, 200, "application/json"],
  ["a health check", "/healthz", { token: null }, 200, "text/plain;charset=UTF-8"],
  ["discovery", "/api/v1", {}, 200, "application/json"],
];

describe("response headers", () => {
  it.each(cases)("are safe on %s", async (_what, path, init, status, type) => {
    const { status: got, h } = await headersOf(path, init);
    expect(got).toBe(status);
    expect(h.get("content-type")).toBe(type);
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("cache-control")).toBe("no-cache, private");
  });

  it.each([
    ["a watch", "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=30", {}, "application/json"],
    ["a Table watch", "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=30", { accept: `${TABLE},application/json` }, TABLE],
    ["a followed log", "/api/v1/namespaces/default/pods/hdr/log?follow=true", {}, "text/plain"],
  ] as const)("are safe on %s, and the stream is not compressed", async (_what, path, init, type) => {
    const { status, h } = await headersOf(path, init);
    expect(status).toBe(200);
    expect(h.get("content-type")).toBe(type);
    expect(h.get("content-encoding")).toBe("identity");
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("cache-control")).toBe("no-cache, private");
  });

  it("leave a JSON body under 128 KiB uncompressed and a larger one to the platform's compression, as the API server gzips only from 128 KiB", async () => {
    for (const path of ["/api/v1/namespaces/default/pods/hdr", "/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/pods/nope"]) {
      expect((await headersOf(path)).h.get("content-encoding"), path).toBe("identity");
    }
    // A ConfigMap of 150 KiB: its GET is over the threshold.
    const big = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big-body" }, data: { blob: "x".repeat(150 * 1024) } };
    const created = await headersOf("/api/v1/namespaces/default/configmaps", { method: "POST", body: JSON.stringify(big), contentType: "application/json" });
    expect(created.status).toBe(201);
    expect(created.h.get("content-encoding")).toBeNull();
    expect((await headersOf("/api/v1/namespaces/default/configmaps/big-body")).h.get("content-encoding")).toBeNull();
  });
});
