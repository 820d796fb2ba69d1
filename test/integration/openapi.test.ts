// /openapi/v3 through the worker: the index points at each group-version's document by
// the hash of its content; the document under its current hash is cacheable for ever,
// its ETag answers If-None-Match with 304, and a stale hash is redirected.
import { describe, it, expect } from "vitest";
import { exports } from "cloudflare:workers";
import { BASE, TOKEN, call, callJson } from "./helpers";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

interface Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

async function sha512(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-512", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

describe("/openapi/v3", () => {
  it("lists every group-version under the hash of its document", async () => {
    const index = await callJson<Index>("/openapi/v3");
    expect(index.status).toBe(200);
    expect(Object.keys(index.body.paths).sort()).toEqual(["api/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/autoscaling/v1", "apis/autoscaling/v2", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/networking.k8s.io/v1", "apis/policy/v1", "apis/rbac.authorization.k8s.io/v1", "apis/scheduling.k8s.io/v1", "apis/storage.k8s.io/v1"]);
    const url = index.body.paths["api/v1"].serverRelativeURL;
    const hash = /\?hash=([0-9A-F]{128})$/.exec(url)?.[1];
    expect(hash).toBeDefined();
    const res = await call(url);
    const body = await res.text();
    expect(await sha512(body)).toBe(hash);
    expect(res.headers.get("etag")).toBe(`"${hash}"`);
    expect(res.headers.get("cache-control")).toBe("public, immutable");
    expect(Date.parse(res.headers.get("expires") ?? "")).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
    const doc = JSON.parse(body) as { components: { schemas: Record<string, { "x-kubernetes-group-version-kind"?: unknown; properties?: Record<string, Record<string, unknown>> }> } };
    const pod = doc.components.schemas["io.k8s.api.core.v1.Pod"];
    expect(pod["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
    const containers = doc.components.schemas["io.k8s.api.core.v1.PodSpec"].properties!.containers;
    expect(containers["x-kubernetes-patch-merge-key"]).toBe("name");
    expect(containers["x-kubernetes-list-map-keys"]).toEqual(["name"]);
  });

  it("answers If-None-Match with 304, and without a hash is not cacheable", async () => {
    const index = await callJson<Index>("/openapi/v3");
    const url = index.body.paths["apis/apps/v1"].serverRelativeURL;
    const etag = (await call(url)).headers.get("etag")!;
    const bare = await call("/openapi/v3/apis/apps/v1");
    expect(bare.headers.get("cache-control")).toBe("no-cache, private");
    expect(bare.headers.get("etag")).toBe(etag);
    const cond = await worker.fetch(new Request(BASE + url, { headers: { authorization: `Bearer ${TOKEN}`, "if-none-match": etag } }));
    expect(cond.status).toBe(304);
    expect(await cond.text()).toBe("");
  });

  it("redirects a stale hash to the current document, and 404s an unknown group-version", async () => {
    // Not followed: the redirect itself is the answer under test.
    const stale = await worker.fetch(new Request(`${BASE}/openapi/v3/api/v1?hash=0123`, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: "manual" }));
    expect(stale.status).toBe(301);
    const index = await callJson<Index>("/openapi/v3");
    expect(stale.headers.get("location")).toBe(index.body.paths["api/v1"].serverRelativeURL);
    const missing = await callJson<{ kind: string; reason: string }>("/openapi/v3/apis/nope/v1");
    expect(missing.status).toBe(404);
    expect(missing.body.reason).toBe("NotFound");
  });
});

const PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

describe("/openapi/v2", () => {
  it("serves protobuf to client-go's Accept and JSON to a JSON one, under one ETag: the hash of the JSON", async () => {
    const pb = await call("/openapi/v2?timeout=32s", { accept: PROTOBUF_V2 });
    expect(pb.status).toBe(200);
    expect(pb.headers.get("content-type")).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    expect(pb.headers.get("vary")).toBe("Accept");
    const bytes = new Uint8Array(await pb.arrayBuffer());
    // Document field 1 (swagger), length-delimited: tag 0x0a, length 3, "2.0".
    expect([...bytes.slice(0, 5)]).toEqual([0x0a, 3, ...new TextEncoder().encode("2.0")]);
    const js = await call("/openapi/v2", { accept: "application/json" });
    expect(js.headers.get("content-type")).toBe("application/json");
    const text = await js.text();
    const doc = JSON.parse(text) as { swagger: string; definitions: Record<string, { properties?: Record<string, { $ref?: string }> }>; paths: Record<string, unknown> };
    expect(doc.swagger).toBe("2.0");
    expect(doc.definitions["io.k8s.api.apps.v1.Deployment"].properties!.spec.$ref).toBe("#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
    expect(doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"]).toBeDefined();
    expect(js.headers.get("etag")).toBe(`"${await sha512(text)}"`);
    expect(pb.headers.get("etag")).toBe(js.headers.get("etag"));
    // The protobuf form is the smaller one, as it is upstream.
    expect(bytes.length).toBeLessThan(text.length);
  });

  it("answers If-None-Match with 304 in either encoding, and an Accept it cannot meet with a 406 Status", async () => {
    const etag = (await call("/openapi/v2", { accept: PROTOBUF_V2 })).headers.get("etag")!;
    for (const accept of [PROTOBUF_V2, "application/json"]) {
      const cond = await worker.fetch(new Request(`${BASE}/openapi/v2`, { headers: { authorization: `Bearer ${TOKEN}`, accept, "if-none-match": etag } }));
      expect(cond.status).toBe(304);
      expect(await cond.text()).toBe("");
    }
    const refused = await callJson<{ kind: string; reason: string; code: number; message: string }>("/openapi/v2", { accept: "text/html" });
    expect(refused.status).toBe(406);
    expect(refused.body).toMatchObject({ kind: "Status", reason: "NotAcceptable", code: 406 });
    expect(refused.body.message).toMatch(/^only the following media types are accepted: application\/json, /);
  });
});
