// Authentication (401) and authorization (403) through the worker's fetch handler, as
// the API server answers them; every refused request leaves the store as it was.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { BASE, TOKEN, callJson } from "./helpers";
import { appWithEnv } from "./app-with-env";
import { nodeToken } from "../../src/api/node-token";
import { exports } from "cloudflare:workers";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

const NS = "authz";
const NODE_LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

type StatusBody = { kind: string; status: string; reason: string; message: string; code: number; details?: Record<string, unknown> };

function lease(name: string) {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: "2026-01-01T00:00:00.000000Z" } };
}

/** The objects these tests could touch: everything in their namespace and their nodes' Leases, with their versions and bodies. */
async function snapshot(): Promise<unknown[]> {
  const rows = await env.DB.prepare("SELECT resource, namespace, name, resource_version, body FROM objects WHERE namespace = ? OR name LIKE 'authz-%' ORDER BY resource, namespace, name")
    .bind(NS)
    .all();
  return rows.results;
}

/** A request with exactly these headers (helpers.call always sends the right token). */
async function send(path: string, headers: HeadersInit, init: RequestInit = {}): Promise<{ status: number; body: StatusBody; headers: Headers }> {
  const res = await worker.fetch(new Request(BASE + path, { ...init, headers }));
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.startsWith("application/json");
  return { status: res.status, body: (isJson ? JSON.parse(text) : undefined) as StatusBody, headers: res.headers };
}

const json = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });
const mergePatch = { "content-type": "application/merge-patch+json" };
const renew = JSON.stringify({ spec: { renewTime: "2031-01-01T00:00:00.000000Z" } });

/** What a client may send and be refused for, on every kind of path. */
const REQUESTS: { what: string; path: string; init?: RequestInit; headers?: Record<string, string> }[] = [
  { what: "list pods", path: `/api/v1/namespaces/${NS}/pods` },
  { what: "create a pod", path: `/api/v1/namespaces/${NS}/pods`, init: json({ apiVersion: "v1", kind: "Pod", metadata: { name: "authz-pod" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }), headers: { "content-type": "application/json" } },
  { what: "renew a node's Lease", path: `${NODE_LEASES}/authz-n2`, init: { method: "PATCH", body: renew }, headers: mergePatch },
  { what: "delete a Lease", path: `${NODE_LEASES}/authz-n1`, init: { method: "DELETE" } },
  { what: "watch", path: `/api/v1/namespaces/${NS}/pods?watch=true` },
  { what: "exec over a WebSocket", path: `/api/v1/namespaces/${NS}/pods/p/exec?command=sh&stdout=true`, headers: { upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" } },
  { what: "logs", path: `/api/v1/namespaces/${NS}/pods/p/log?follow=true` },
  { what: "pod proxy", path: `/api/v1/namespaces/${NS}/pods/p:80/proxy/index.html` },
  { what: "service proxy", path: `/api/v1/namespaces/${NS}/services/s/proxy/` },
  { what: "mint a node token", path: "/edgekube/v1/nodes/authz-n1/token" },
  { what: "discovery", path: "/api/v1" },
];

beforeAll(async () => {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } })).status).toBe(201);
  for (const n of ["authz-n1", "authz-n2"]) expect((await callJson(NODE_LEASES, { method: "POST", body: lease(n) })).status).toBe(201);
  expect((await callJson(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, { method: "POST", body: lease("authz-n1") })).status).toBe(201);
});

describe("authentication", () => {
  const badCredentials: [string, Record<string, string>][] = [
    ["no Authorization header", {}],
    ["`Bearer` alone", { authorization: "Bearer" }],
    ["`Bearer ` and spaces", { authorization: "Bearer    " }],
    ["an empty token between two spaces", { authorization: `Bearer  ${TOKEN}` }],
    ["Basic credentials", { authorization: `Basic ${btoa(`admin:${TOKEN}`)}` }],
    ["the token without a scheme", { authorization: TOKEN }],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["a wrong token first, the right one second", { authorization: `Bearer wrong ${TOKEN}` }],
    ["the right token with a suffix", { authorization: `Bearer ${TOKEN}x` }],
    ["a prefix of the right token", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["a 64 KiB token", { authorization: `Bearer ${"t".repeat(64 * 1024)}` }],
    ["a forged node token", { authorization: `Bearer node:authz-n1:${"0".repeat(64)}` }],
  ];

  it.each(badCredentials)("answers %s with 401 Unauthorized on every path, changing nothing", async (_what, auth) => {
    const before = await snapshot();
    for (const r of REQUESTS) {
      const { status, body, headers } = await send(r.path, { ...auth, ...r.headers }, r.init);
      expect({ what: r.what, status }).toEqual({ what: r.what, status: 401 });
      expect(body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      expect(headers.get("content-type")).toBe("application/json");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a token with non-ASCII characters", async () => {
    // One request: workerd warns about each non-ASCII header value it is handed.
    const { status, body } = await send(`/api/v1/namespaces/${NS}/pods`, { authorization: `Bearer ${TOKEN}\u00e9` });
    expect(status).toBe(401);
    expect(body.reason).toBe("Unauthorized");
  });

  it("refuses two Authorization headers, even when one of them is right", async () => {
    const headers = new Headers();
    headers.append("authorization", "Bearer wrong");
    headers.append("authorization", `Bearer ${TOKEN}`);
    expect((await send(`/api/v1/namespaces/${NS}/pods`, headers)).status).toBe(401);
  });

  it("reads the scheme case-insensitively and the first field after it as the token, as the API server does", async () => {
    expect((await send(`/api/v1/namespaces/${NS}/pods`, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await send(`/api/v1/namespaces/${NS}/pods`, { authorization: `BEARER ${TOKEN} ignored` })).status).toBe(200);
  });

  it("keeps /version and the health checks open", async () => {
    for (const path of ["/version", "/healthz", "/readyz", "/livez"]) expect((await send(path, {})).status).toBe(200);
  });

  it("refuses everything, the right-looking token and node tokens included, when no API_TOKEN is set", async () => {
    const unset = appWithEnv({ API_TOKEN: "" });
    // What a node token made with an empty secret would look like (HMAC-SHA256 of the empty key).
    const minted = `node:authz-n1:${"ab".repeat(32)}`;
    const before = await snapshot();
    for (const token of [TOKEN, "", minted, "undefined"]) {
      for (const r of REQUESTS) {
        const res = await unset(new Request(BASE + r.path, { ...r.init, headers: { authorization: `Bearer ${token}`, ...r.headers } }));
        expect({ what: r.what, status: res.status }).toEqual({ what: r.what, status: 401 });
        expect(((await res.json()) as StatusBody).reason).toBe("Unauthorized");
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("never logs a token or an Authorization header, whatever the request", async () => {
    const secret = "never-log-this-token-7f3a";
    const app = appWithEnv({});
    const minted = await nodeToken(TOKEN, "authz-n1");
    const printed: string[] = [];
    const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void printed.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    try {
      for (const r of REQUESTS) {
        for (const auth of [`Bearer ${secret}`, `Basic ${secret}`, `Bearer ${minted}`]) {
          await (await app(new Request(BASE + r.path, { ...r.init, headers: { authorization: auth, ...r.headers } }))).arrayBuffer();
        }
      }
      // A malformed body from an authenticated client goes down the error path too.
      await (await app(new Request(`${BASE}/api/v1/namespaces/${NS}/pods`, { method: "POST", body: "{", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } }))).arrayBuffer();
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i] as never));
    }
    for (const line of printed) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(minted.slice(-64));
    }
  });
});

describe("a node's token", () => {
  let token = "";
  beforeAll(async () => {
    token = (await callJson<{ token: string }>("/edgekube/v1/nodes/authz-n1/token")).body.token;
  });

  it("reads and renews its own Lease", async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await send(`${NODE_LEASES}/authz-n1`, auth)).status).toBe(200);
    const renewed = await send(`${NODE_LEASES}/authz-n1`, { ...auth, ...mergePatch }, { method: "PATCH", body: renew });
    expect(renewed.status).toBe(200);
  });

  const user = 'User "system:node:authz-n1"';
  const refusals: [string, string, RequestInit, Record<string, string>, string, Record<string, unknown>][] = [
    [
      "another node's Lease",
      `${NODE_LEASES}/authz-n2`,
      { method: "PATCH", body: renew },
      mergePatch,
      `leases.coordination.k8s.io "authz-n2" is forbidden: ${user} cannot patch resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node`,
      { name: "authz-n2", group: "coordination.k8s.io", kind: "leases" },
    ],
    [
      "another node's Lease, replaced",
      `${NODE_LEASES}/authz-n2`,
      { method: "PUT", body: JSON.stringify(lease("authz-n2")) },
      { "content-type": "application/json" },
      `leases.coordination.k8s.io "authz-n2" is forbidden: ${user} cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node`,
      { name: "authz-n2", group: "coordination.k8s.io", kind: "leases" },
    ],
    [
      "deleting its own Lease",
      `${NODE_LEASES}/authz-n1`,
      { method: "DELETE" },
      {},
      `leases.coordination.k8s.io "authz-n1" is forbidden: ${user} cannot delete resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only get, update, or patch a node lease`,
      { name: "authz-n1", group: "coordination.k8s.io", kind: "leases" },
    ],
    [
      "watching its own Lease",
      `${NODE_LEASES}/authz-n1?watch=true`,
      {},
      {},
      `leases.coordination.k8s.io "authz-n1" is forbidden: ${user} cannot watch resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only get, update, or patch a node lease`,
      { name: "authz-n1", group: "coordination.k8s.io", kind: "leases" },
    ],
    [
      "a Lease of its name in another namespace",
      `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/authz-n1`,
      { method: "PATCH", body: renew },
      mergePatch,
      `leases.coordination.k8s.io "authz-n1" is forbidden: ${user} cannot patch resource "leases" in API group "coordination.k8s.io" in the namespace "${NS}": can only access leases in the kube-node-lease namespace`,
      { name: "authz-n1", group: "coordination.k8s.io", kind: "leases" },
    ],
    ["listing pods", `/api/v1/namespaces/${NS}/pods`, {}, {}, `pods is forbidden: ${user} cannot list resource "pods" in API group "" in the namespace "${NS}"`, { kind: "pods" }],
    [
      "creating a pod",
      `/api/v1/namespaces/${NS}/pods`,
      { method: "POST", body: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "authz-pod" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }) },
      { "content-type": "application/json" },
      `pods is forbidden: ${user} cannot create resource "pods" in API group "" in the namespace "${NS}"`,
      { kind: "pods" },
    ],
    ["listing nodes", "/api/v1/nodes", {}, {}, `nodes is forbidden: ${user} cannot list resource "nodes" in API group "" at the cluster scope`, { kind: "nodes" }],
    ["watching pods", `/api/v1/pods?watch=1`, {}, {}, `pods is forbidden: ${user} cannot watch resource "pods" in API group "" at the cluster scope`, { kind: "pods" }],
    [
      "exec over a WebSocket",
      `/api/v1/namespaces/${NS}/pods/p/exec?command=sh&stdout=true`,
      {},
      { upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" },
      `pods "p" is forbidden: ${user} cannot get resource "pods/exec" in API group "" in the namespace "${NS}"`,
      { name: "p", kind: "pods" },
    ],
    ["logs", `/api/v1/namespaces/${NS}/pods/p/log?follow=true`, {}, {}, `pods "p" is forbidden: ${user} cannot get resource "pods/log" in API group "" in the namespace "${NS}"`, { name: "p", kind: "pods" }],
    [
      "pod proxy",
      `/api/v1/namespaces/${NS}/pods/p:80/proxy/x`,
      { method: "POST", body: "x" },
      {},
      `pods "p:80" is forbidden: ${user} cannot create resource "pods/proxy" in API group "" in the namespace "${NS}"`,
      { name: "p:80", kind: "pods" },
    ],
    ["its own token", "/edgekube/v1/nodes/authz-n1/token", {}, {}, `forbidden: ${user} cannot get path "/edgekube/v1/nodes/authz-n1/token"`, {}],
    ["discovery", "/apis", {}, {}, `forbidden: ${user} cannot get path "/apis"`, {}],
  ];

  it.each(refusals)("is refused %s with 403 Forbidden and the API server's message, changing nothing", async (_what, path, init, headers, message, details) => {
    const before = await snapshot();
    const { status, body } = await send(path, { authorization: `Bearer ${token}`, ...headers }, init);
    expect(status).toBe(403);
    expect(body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "Forbidden", code: 403, ...(Object.keys(details).length ? { details } : {}) });
    expect(await snapshot()).toEqual(before);
  });

  it("is a token of one node only: another node's name with this MAC is refused", async () => {
    const mac = token.slice(token.lastIndexOf(":") + 1);
    expect((await send(`${NODE_LEASES}/authz-n2`, { authorization: `Bearer node:authz-n2:${mac}` })).status).toBe(401);
  });
});
