// The max-in-flight limit, through an app of its own with small limits (the other
// tests keep upstream's 400/200): requests over a limit get the 429 the API server
// gives, are not half-done, and long-running requests hold no slot.
//
// A request takes its slot synchronously when it enters the app, and a read keeps it
// until its D1 query has come back: requests started in one loop are all counted
// before the first of them can finish, so how many get through is exact.
import { describe, it, expect, beforeAll } from "vitest";
import { BASE, TOKEN, callJson } from "./helpers";
import { appWithEnv } from "./app-with-env";

const NS = "inflight";
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
const app = appWithEnv({ MAX_REQUESTS_INFLIGHT: "3", MAX_MUTATING_REQUESTS_INFLIGHT: "2" });
const auth = { authorization: `Bearer ${TOKEN}` };

const TOO_MANY = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "Too many requests, please try again later.",
  reason: "TooManyRequests",
  details: { retryAfterSeconds: 1 },
  code: 429,
};

function lease(name: string) {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: "a" } };
}

const get = (path: string, headers: Record<string, string> = {}) => app(new Request(BASE + path, { headers: { ...auth, ...headers } }));

/** A create whose body the test sends later: the request is in flight until then. */
function heldCreate(name: string) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const response = app(new Request(BASE + LEASES, { method: "POST", body: readable, headers: { ...auth, "content-type": "application/json" } }));
  return {
    response,
    async send() {
      await writer.write(new TextEncoder().encode(JSON.stringify(lease(name))));
      await writer.close();
      return response;
    },
  };
}

beforeAll(async () => {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
  expect((await callJson(LEASES, { method: "POST", body: lease("existing") })).status).toBe(201);
});

describe("max in-flight requests", () => {
  it("lets MAX_REQUESTS_INFLIGHT reads through at once and answers the rest 429 TooManyRequests with Retry-After", async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(`${LEASES}`)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-type")).toBe("application/json");
    expect(refused.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await refused.json()).toEqual(TOO_MANY);
    // Slots come back: the next read goes through.
    expect((await get(LEASES)).status).toBe(200);
  });

  it("refuses writes over MAX_MUTATING_REQUESTS_INFLIGHT without doing any of them, and reads still go through", async () => {
    const a = heldCreate("held-a");
    const b = heldCreate("held-b");
    const refusedCreate = await app(new Request(BASE + LEASES, { method: "POST", body: JSON.stringify(lease("refused")), headers: { ...auth, "content-type": "application/json" } }));
    expect(refusedCreate.status).toBe(429);
    expect(refusedCreate.headers.get("retry-after")).toBe("1");
    expect(await refusedCreate.json()).toEqual(TOO_MANY);
    const refusedPatch = await app(
      new Request(`${BASE}${LEASES}/existing`, { method: "PATCH", body: JSON.stringify({ spec: { holderIdentity: "b" } }), headers: { ...auth, "content-type": "application/merge-patch+json" } }),
    );
    expect(refusedPatch.status).toBe(429);
    const refusedDelete = await app(new Request(`${BASE}${LEASES}/existing`, { method: "DELETE", headers: auth }));
    expect(refusedDelete.status).toBe(429);
    // Reads have their own limit.
    expect((await get(`${LEASES}/existing`)).status).toBe(200);

    // The held writes finish whole once their bodies arrive; the refused ones did nothing.
    expect((await a.send()).status).toBe(201);
    expect((await b.send()).status).toBe(201);
    expect((await callJson(`${LEASES}/refused`)).status).toBe(404);
    const existing = await callJson<{ spec: { holderIdentity: string } }>(`${LEASES}/existing`);
    expect(existing.status).toBe(200);
    expect(existing.body.spec.holderIdentity).toBe("a");
    expect((await callJson<{ items: unknown[] }>(LEASES)).body.items).toHaveLength(3);
    // And the slots are free again.
    const after = await app(new Request(BASE + LEASES, { method: "POST", body: JSON.stringify(lease("after")), headers: { ...auth, "content-type": "application/json" } }));
    expect(after.status).toBe(201);
  });

  it("does not count watches, exec, logs or proxy", async () => {
    const one = appWithEnv({ MAX_REQUESTS_INFLIGHT: "1", MAX_MUTATING_REQUESTS_INFLIGHT: "1" });
    const req = (path: string, init: RequestInit = {}, headers: Record<string, string> = {}) => one(new Request(BASE + path, { ...init, headers: { ...auth, ...headers } }));
    // All started before any can finish: had any taken the one slot, the list would be refused.
    const longRunning = [
      req(`${LEASES}?watch=true&timeoutSeconds=1`),
      req(`${LEASES}/existing?watch=1&timeoutSeconds=1`),
      req(`/api/v1/watch/namespaces/${NS}/pods?timeoutSeconds=1`),
      req(`/api/v1/namespaces/${NS}/pods/p/exec?command=sh&stdout=true`, {}, { upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" }),
      req(`/api/v1/namespaces/${NS}/pods/p/log?follow=true`),
      req(`/api/v1/namespaces/${NS}/pods/p:80/proxy/`, { method: "POST", body: "x" }),
      req(`/api/v1/namespaces/${NS}/services/s/proxy/`),
    ];
    const list = req(LEASES);
    const create = req(LEASES, { method: "POST", body: JSON.stringify(lease("beside-watches")) }, { "content-type": "application/json" });
    expect((await list).status).toBe(200);
    expect((await create).status).toBe(201);
    for (const r of await Promise.all(longRunning)) {
      expect(r.status).not.toBe(429);
      await r.body?.cancel();
    }
  });

  it("has no limit where a limit is 0", async () => {
    const unlimited = appWithEnv({ MAX_REQUESTS_INFLIGHT: "0", MAX_MUTATING_REQUESTS_INFLIGHT: "0" });
    const responses = await Promise.all(Array.from({ length: 20 }, () => unlimited(new Request(BASE + LEASES, { headers: auth }))));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});
