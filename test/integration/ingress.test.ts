// Ingresses inside workerd: the default class filled in, the controller's address and
// Sync event, and the Worker routing the apps' traffic by host and path to the pod of
// a Service's ready endpoint (the hello-app program answers), while the cluster's own
// hosts and the API's paths always reach the API, whatever an Ingress says.
import { describe, it, expect, beforeAll } from "vitest";
import { env, exports } from "cloudflare:workers";
import { TOKEN, call, callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, createPod, runUntil, startNode, type AgentStub } from "./node-helpers";
import type { Event, StatusCause } from "../../src/model/types";
import type { Ingress } from "../../src/model/ingress-types";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const clock = new FakeClock();
const NODE = "kn-ingress";
let node: AgentStub;
const ING = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";

/** A request as an app's client sends it: no token, for a host of the app. */
async function app(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; type: string | null }> {
  const res = await worker.fetch(new Request(url, init));
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
}

const service = (name: string, selector: Record<string, string>, targetPort = 8080) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector, ports: [{ name: "http", port: 8080, targetPort }] },
});
const hello = (name: string, app: string, tag: string) =>
  boundPod(name, NODE, { containers: [{ name: "hello-app", image: `gcr.io/google-samples/hello-app:${tag}`, ports: [{ containerPort: 8080 }] }] }, { labels: { app } });
const backend = (name: string, port: { number?: number; name?: string } = { number: 8080 }) => ({ service: { name, port } });
const ingress = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name }, spec });

beforeAll(async () => {
  node = await startNode(NODE, clock);
  for (const svc of [service("web", { app: "web" }), service("web2", { app: "web2" }), service("empty", { app: "nobody" }), service("wrong-port", { app: "web" }, 9999)]) {
    expect((await callJson("/api/v1/namespaces/default/services", { method: "POST", body: svc })).status).toBe(201);
  }
  await createPod(hello("web-1", "web", "1.0"));
  await createPod(hello("web2-1", "web2", "2.0"));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
});

describe("Ingress", () => {
  it("a host that no Ingress names gets 404 (no default backend), and no token is asked for", async () => {
    const r = await app("https://nowhere.example/");
    expect(r.status).toBe(404);
    expect(r.body).toContain("<title>404 Not Found</title>");
  });

  it("an Ingress without a class gets the default class nginx, then its address and a Sync event from the controller", async () => {
    const classes = await callJson<{ items: { metadata: { name: string; annotations: Record<string, string> }; spec: { controller: string } }[] }>("/apis/networking.k8s.io/v1/ingressclasses");
    expect(classes.body.items.map((c) => [c.metadata.name, c.spec.controller, c.metadata.annotations["ingressclass.kubernetes.io/is-default-class"]])).toEqual([["nginx", "edgekube.dev/ingress", "true"]]);
    const created = await callJson<Ingress>(ING, {
      method: "POST",
      body: ingress("example-ingress", {
        tls: [{ hosts: ["hello-world.example"], secretName: "hello-tls" }],
        rules: [{ host: "hello-world.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("web") }, { path: "/v2", pathType: "Prefix", backend: backend("web2", { name: "http" }) }] } }],
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.ingressClassName).toBe("nginx");
    expect(created.body.metadata.generation).toBe(1);
    expect(created.body.status).toEqual({ loadBalancer: {} });
    const withAddress = await waitFor(async () => {
      const r = await callJson<Ingress>(`${ING}/example-ingress`);
      return r.body.status?.loadBalancer?.ingress?.length ? r.body : undefined;
    }, "the Ingress's address");
    expect(withAddress.status?.loadBalancer?.ingress).toEqual([{ ip: "127.0.0.1" }]);
    const events = await waitFor(async () => {
      const r = await callJson<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dexample-ingress`);
      return r.body.items.length ? r.body.items : undefined;
    }, "the Sync event");
    expect(events.map((e) => [e.type, e.reason, e.message, e.source?.component])).toEqual([["Normal", "Sync", "Scheduled for sync", "edgekube-ingress-controller"]]);
  });

  it("routes by host and path to the pod behind the Service: Prefix by path element, the longest first", async () => {
    const v1 = await waitFor(async () => {
      const r = await app("https://hello-world.example/");
      return r.status === 200 && r;
    }, "the route to web");
    expect(v1.body).toBe("Hello, world!\nVersion: 1.0.0\nHostname: web-1\n");
    expect((await app("https://hello-world.example/v2")).body).toBe("Hello, world!\nVersion: 2.0.0\nHostname: web2-1\n");
    expect((await app("https://hello-world.example/v2/deeper?x=1")).body).toContain("Version: 2.0.0");
    expect((await app("https://hello-world.example/v2x")).body).toContain("Version: 1.0.0");
    expect((await app("https://HELLO-WORLD.example:443/v2")).body).toContain("Version: 2.0.0");
    const posted = await app("https://hello-world.example/v2/form", { method: "POST", body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([posted.status, posted.body]).toEqual([200, "Hello, world!\nVersion: 2.0.0\nHostname: web2-1\n"]);
    // The pod logged the request as hello-app does.
    const log = await call("/api/v1/namespaces/default/pods/web2-1/log");
    expect(await log.text()).toMatch(/\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Serving request: \/v2\/deeper\n/);
  });

  it("API paths reach the API whatever the host, with its authentication", async () => {
    const anon = await worker.fetch(new Request("https://hello-world.example/api/v1/namespaces/default/pods"));
    expect(anon.status).toBe(401);
    const authed = await worker.fetch(new Request("https://hello-world.example/api/v1/namespaces/default/pods", { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(authed.status).toBe(200);
    expect(((await authed.json()) as { kind: string }).kind).toBe("PodList");
    expect((await app("https://hello-world.example/version")).type).toBe("application/json");
  });

  it("a rule without a host serves every other host but never the cluster's own hosts", async () => {
    const created = await callJson(ING, { method: "POST", body: ingress("any-host", { rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("web") }] } }] }) });
    expect(created.status).toBe(201);
    const other = await waitFor(async () => {
      const r = await app("https://anything.example/some/page");
      return r.status === 200 && r;
    }, "the host-less rule");
    expect(other.body).toContain("Hostname: web-1");
    for (const url of ["https://edgekube.test/", "https://127.0.0.1:8787/", "https://localhost/x", "https://edgekube.acct.workers.dev/"]) {
      const r = await worker.fetch(new Request(url, { headers: { authorization: `Bearer ${TOKEN}` } }));
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ kind: "Status", reason: "NotFound" });
    }
  });

  it("a Service without ready endpoints answers 503, as ingress-nginx does; so does a missing Service; a pod that does not listen, 502", async () => {
    const created = await callJson(ING, {
      method: "POST",
      body: ingress("broken", { rules: [{ host: "empty.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("empty") }, { path: "/gone", pathType: "Exact", backend: backend("gone") }, { path: "/closed", pathType: "Exact", backend: backend("wrong-port") }] } }] }),
    });
    expect(created.status).toBe(201);
    const r = await waitFor(async () => {
      const res = await app("https://empty.example/");
      return res.status === 503 && res;
    }, "503 for the Service without endpoints");
    expect(r.body).toContain("<title>503 Service Temporarily Unavailable</title>");
    expect((await app("https://empty.example/gone")).status).toBe(503);
    // Ready endpoints, but nothing listens on the target port: the connection is refused.
    const refused = await waitFor(async () => {
      const res = await app("https://empty.example/closed");
      return res.status === 502 && res;
    }, "502 for a port nobody listens on");
    expect(refused.body).toContain("<title>502 Bad Gateway</title>");
  });

  it("refuses an invalid Ingress with 422 and the API server's words, and stores nothing", async () => {
    const bad = await callJson<{ reason: string; message: string; details: { causes: StatusCause[] } }>(ING, {
      method: "POST",
      body: ingress("bad", { rules: [{ host: "1.2.3.4", http: { paths: [{ path: "/", backend: backend("web") }] } }] }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.message).toBe('Ingress.networking.k8s.io "bad" is invalid: [spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address, spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified]');
    expect((await callJson(`${ING}/bad`)).status).toBe(404);
  });

  it("takes the protobuf body of `kubectl create ingress` (no --class: the default class is filled in); kubectl get's columns", async () => {
    const body = Uint8Array.from(atob(env.TEST_PROTOBUF_FIXTURES["36-kubectl-create-ingress-default-backend-tls.pb"]), (c) => c.charCodeAt(0));
    const res = await callJson<Ingress>(ING, { method: "POST", body, contentType: "application/vnd.kubernetes.protobuf" });
    expect(res.status).toBe(201);
    expect(res.body.spec).toEqual({
      ingressClassName: "nginx",
      defaultBackend: backend("web", { name: "http" }),
      tls: [{ hosts: ["*.foo.com"], secretName: "my-cert" }],
      rules: [
        { host: "*.foo.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: backend("api", { name: "grpc" }) }] } },
        { http: { paths: [{ path: "/exact", pathType: "Exact", backend: backend("web") }] } },
      ],
    });
    const row = async (name: string) => (await callJson<{ rows: { cells: unknown[] }[] }>(`${ING}/${name}`, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" })).body.rows[0].cells.slice(0, 5);
    expect(await waitFor(async () => (await row("any-host"))[3] === "127.0.0.1" && row("any-host"), "any-host's address")).toEqual(["any-host", "nginx", "*", "127.0.0.1", "80"]);
    expect(await waitFor(async () => (await row("catch-all"))[3] === "127.0.0.1" && row("catch-all"), "catch-all's address")).toEqual(["catch-all", "nginx", "*.foo.com", "127.0.0.1", "80, 443"]);
  });
});
