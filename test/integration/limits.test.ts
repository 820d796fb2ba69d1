// The size and shape limits the API enforces, at their edges: a request body over
// 3 MiB (413), an object whose stored row would pass D1's 2,000,000 bytes (413, on
// create, update, patch and inside a batch, and nothing written), nesting at the limit
// accepted and past it refused, and a YAML anchor expanded into an object too large.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call, callJson } from "./helpers";
import { quietCluster, snapshot, settle } from "./fuzz-harness";
import { makeApiContext } from "../../src/api/context";
import { MAX_ROW_BYTES } from "../../src/store/store";
import type { KubeObject } from "../../src/model/types";
import { ApiError } from "../../src/model/errors";

type Status = { kind: string; status: string; reason: string; message: string; code: number };

const ARG = "a".repeat(10_000);

/** A pod that no scheduler takes, with `n` container args of 10,000 bytes each. */
function bigPod(name: string, n: number) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { schedulerName: "none", containers: [{ name: "app", image: "nginx:1.27", args: Array(n).fill(ARG) }] },
  };
}

function expectTooLarge(res: { status: number; body: unknown }, pattern: RegExp) {
  const s = res.body as Status;
  expect(res.status, s.message).toBe(413);
  expect(res.status).toBe(413);
  expect(s).toMatchObject({ kind: "Status", status: "Failure", reason: "RequestEntityTooLarge", code: 413 });
  expect(s.message).toMatch(pattern);
}

describe("object size", () => {
  beforeAll(async () => {
    await quietCluster();
    await settle();
  });

  it("stores an object just under D1's row limit and refuses one just over it, writing nothing", async () => {
    // 198 args: about 1.98 MB stored.
    const under = await callJson<KubeObject>("/api/v1/namespaces/default/pods", { method: "POST", body: bigPod("under", 198) });
    expect(under.status).toBe(201);
    const stored = await call("/api/v1/namespaces/default/pods/under");
    const size = (await stored.text()).length;
    expect(size).toBeGreaterThan(1_950_000);
    expect(size).toBeLessThan(MAX_ROW_BYTES);

    const before = await snapshot();
    // 201 args: about 2.01 MB, under the 3 MiB body limit but over the row limit.
    const over = await callJson("/api/v1/namespaces/default/pods", { method: "POST", body: bigPod("over", 201) });
    expectTooLarge(over, /^Request entity too large: pods "over" would be stored as 20\d{5} bytes, limit is 2000000$/);
    // A 2.5 MiB annotation-free object.
    const big = await callJson("/api/v1/namespaces/default/pods", { method: "POST", body: bigPod("big", 262) });
    expectTooLarge(big, /limit is 2000000$/);
    expect(await snapshot()).toEqual(before);
    expect((await call("/api/v1/namespaces/default/pods/over")).status).toBe(404);
  });

  it("refuses an update, a merge patch, a strategic merge patch and a JSON patch that grow an object past the limit, and keeps it as it was", async () => {
    // An Event: its message has no limit of its own, and nothing else writes it.
    const event = { apiVersion: "v1", kind: "Event", metadata: { name: "grow" }, involvedObject: { kind: "Pod", namespace: "default", name: "x" }, reason: "Test", message: "m".repeat(1_950_000) };
    const created = await callJson<KubeObject>("/api/v1/namespaces/default/events", { method: "POST", body: event });
    expect(created.status).toBe(201);
    const before = await snapshot();
    const longer = "m".repeat(2_010_000);

    expectTooLarge(await callJson("/api/v1/namespaces/default/events/grow", { method: "PUT", body: { ...created.body, message: longer } }), /^Request entity too large: events "grow" would be stored as 20\d{5} bytes, limit is 2000000$/);
    for (const contentType of ["application/merge-patch+json", "application/strategic-merge-patch+json"]) {
      expectTooLarge(await callJson("/api/v1/namespaces/default/events/grow", { method: "PATCH", body: { message: longer }, contentType }), /limit is 2000000$/);
    }
    const ops = [{ op: "replace", path: "/message", value: longer }];
    expectTooLarge(await callJson("/api/v1/namespaces/default/events/grow", { method: "PATCH", body: ops, contentType: "application/json-patch+json" }), /limit is 2000000$/);

    expect(await snapshot()).toEqual(before);
    const now = await callJson<KubeObject & { message: string }>("/api/v1/namespaces/default/events/grow");
    expect(now.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    expect(now.body.message.length).toBe(1_950_000);
  });

  it("refuses a whole batch when one object in it is too large (a ReplicaSet with its pods)", async () => {
    const ctx = makeApiContext(env, () => {});
    const rs: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "batch", namespace: "default" },
      spec: { replicas: 1, selector: { matchLabels: { app: "batch" } }, template: { metadata: { labels: { app: "batch" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
    };
    const small = { ...bigPod("batch-small", 1), metadata: { name: "batch-small", namespace: "default", labels: { app: "batch" } } } as KubeObject;
    const large = { ...bigPod("batch-large", 205), metadata: { name: "batch-large", namespace: "default", labels: { app: "batch" } } } as KubeObject;
    const before = await snapshot();
    const err = await ctx.registry
      .commit([
        { op: "create", resource: "replicasets.apps", object: rs },
        { op: "create", resource: "pods", object: small },
        { op: "create", resource: "pods", object: large },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(413);
    expect((err as ApiError).message).toMatch(/pods "batch-large" would be stored as/);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps every change-log row of a large object within D1's row limit: its previous state only where both fit", async () => {
    const small = { apiVersion: "v1", kind: "Event", metadata: { name: "small", labels: { v: "1" } }, involvedObject: { kind: "Pod", namespace: "default", name: "x" }, reason: "Test", message: "s" };
    const large = { ...small, metadata: { name: "large", labels: { v: "1" } }, message: "l".repeat(1_500_000) };
    for (const e of [small, large]) {
      expect((await callJson("/api/v1/namespaces/default/events", { method: "POST", body: e })).status).toBe(201);
      const relabel = await callJson(`/api/v1/namespaces/default/events/${e.metadata.name}`, { method: "PATCH", body: { metadata: { labels: { v: "2" } } }, contentType: "application/merge-patch+json" });
      expect(relabel.status).toBe(200);
      expect((await call(`/api/v1/namespaces/default/events/${e.metadata.name}`, { method: "DELETE" })).status).toBe(200);
    }
    const rows = await env.DB.prepare(
      "SELECT name, type, length(CAST(body AS BLOB)) + coalesce(length(CAST(prev_body AS BLOB)), 0) AS bytes, prev_body IS NOT NULL AS hasPrev FROM changes WHERE resource = 'events' AND name IN ('small', 'large') ORDER BY rv",
    ).all<{ name: string; type: string; bytes: number; hasPrev: number }>();
    expect(rows.results.map((r) => `${r.name} ${r.type} ${r.hasPrev ? "prev" : "-"}`)).toEqual([
      "small ADDED -",
      "small MODIFIED prev",
      "small DELETED prev",
      "large ADDED -",
      "large MODIFIED -",
      "large DELETED -",
    ]);
    for (const r of rows.results) expect(r.bytes).toBeLessThan(MAX_ROW_BYTES);
  });

  it("refuses a body over 3 MiB before reading it as an object", async () => {
    const res = await callJson("/api/v1/namespaces/default/pods", { method: "POST", body: bigPod("huge", 320) });
    expectTooLarge(res, /^Request entity too large: limit is 3145728$/);
  });

  it("refuses a YAML anchor that expands into an object too large to store", async () => {
    const before = await snapshot();
    const chunk = "b".repeat(60_000);
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: expands\nspec:\n  schedulerName: none\n  containers:\n  - name: app\n    image: nginx:1.27\n    args: [&x ${chunk}, ${Array(40).fill("*x").join(", ")}]\n`;
    expect(yaml.length).toBeLessThan(70_000);
    const res = await callJson("/api/v1/namespaces/default/pods", { method: "POST", body: yaml, contentType: "application/yaml" });
    expectTooLarge(res, /pods "expands" would be stored as 24\d{5} bytes/);
    expect(await snapshot()).toEqual(before);
  });
});

describe("nesting", () => {
  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  it("accepts an object nested to the limit on create and patch, and refuses one level more", async () => {
    // The body's own level counts: {"x": 499 arrays} is 500 deep.
    const pod = (x: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nested"},"spec":{"schedulerName":"none","containers":[{"name":"a","image":"b"}]},"x":${x}}`;
    const over = await callJson<Status>("/api/v1/namespaces/default/pods", { method: "POST", body: pod(deep(500)) });
    expect(over.status).toBe(400);
    expect(over.body.message).toBe("the body of the request could not be decoded: json: exceeded max depth of 500");
    expect((await call("/api/v1/namespaces/default/pods", { method: "POST", body: pod(deep(499)) })).status).toBe(201);

    for (const [contentType, body] of [
      ["application/merge-patch+json", `{"metadata":{"labels":{"n":"1"}},"y":${deep(499)}}`],
      ["application/strategic-merge-patch+json", `{"metadata":{"labels":{"n":"2"}},"y":${deep(499)}}`],
      ["application/json-patch+json", `[{"op":"add","path":"/z","value":${deep(498)}}]`],
    ]) {
      const res = await call("/api/v1/namespaces/default/pods/nested", { method: "PATCH", body, contentType });
      expect(res.status, `${contentType}: ${(await res.clone().text()).slice(0, 300)}`).toBe(200);
    }
  });

  it("refuses YAML nested past the limit with the parser's words", async () => {
    const res = await callJson<Status>("/api/v1/namespaces/default/pods", { method: "POST", body: `metadata: {name: y}\nx: ${deep(600)}`, contentType: "application/yaml" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("error converting YAML to JSON: yaml: exceeded max depth of 500");
    const bomb = await callJson<Status>("/api/v1/namespaces/default/pods", { method: "POST", body: "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", contentType: "application/yaml" });
    expect(bomb.status).toBe(400);
    expect(bomb.body.message).toBe("error converting YAML to JSON: yaml: document contains excessive aliasing");
  });
});
