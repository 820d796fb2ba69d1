// The streaming pod subresources a Worker cannot serve: exec over SPDY/3.1 (kubectl
// before 1.30), attach over SPDY, port-forward over SPDY (kubectl before 1.31). Each is
// answered with a Status whose message says what to do instead, the body client-go's
// SPDY round tripper decodes and kubectl prints; over WebSocket they reach the kubelet.
import { describe, it, expect, beforeAll } from "vitest";
import { exports } from "cloudflare:workers";
import { BASE, TOKEN, callJson, pod } from "./helpers";

const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const NS = "default";

interface Status {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
}

/** The request kubectl 1.27 makes for `exec`: a POST naming its stream protocols (wrangler dev drops its Upgrade header). */
function spdy(path: string, upgrade = true): Request {
  const headers = new Headers({ authorization: `Bearer ${TOKEN}` });
  for (const v of ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]) headers.append("x-stream-protocol-version", v);
  if (upgrade) {
    headers.set("connection", "Upgrade");
    headers.set("upgrade", "SPDY/3.1");
  }
  return new Request(BASE + path, { method: "POST", headers });
}

function websocket(path: string, protocol = "v5.channel.k8s.io"): Request {
  return new Request(BASE + path, { headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket", "sec-websocket-protocol": protocol } });
}

async function status(req: Request): Promise<{ code: number; body: Status }> {
  const res = await worker.fetch(req);
  expect(res.headers.get("content-type")).toBe("application/json");
  return { code: res.status, body: (await res.json()) as Status };
}

describe("streaming protocols", () => {
  beforeAll(async () => {
    expect((await callJson(`/api/v1/namespaces/${NS}/pods`, { method: "POST", body: pod("stream") })).status).toBe(201);
  });

  it("refuses exec over SPDY with a Status naming the kubectl versions that stream exec", async () => {
    for (const upgrade of [true, false]) {
      const r = await status(spdy(`/api/v1/namespaces/${NS}/pods/stream/exec?command=echo&command=hi&container=app&stdout=true&stderr=true`, upgrade));
      expect(r.code).toBe(400);
      expect(r.body).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
      expect(r.body.message).toBe(
        "unable to upgrade connection: this server cannot serve SPDY/3.1; exec is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer (kubectl 1.29: set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)",
      );
    }
  });

  it("passes exec over WebSocket on to the kubelet", async () => {
    // The pod is on no node, so the kubelet is never reached: the answer is the forwarder's, not the refusal.
    const r = await status(websocket(`/api/v1/namespaces/${NS}/pods/stream/exec?command=echo&stdout=true`));
    expect(r.body.message).toBe("pod stream does not have a host assigned");
  });

  it("passes attach over WebSocket on to the kubelet, and refuses it over SPDY", async () => {
    // The forwarder's answer, or the kubelet's once the pod is bound: not a refusal either way.
    const ws = await status(websocket(`/api/v1/namespaces/${NS}/pods/stream/attach?container=app&stdout=true`));
    expect(ws.body.message).toMatch(/^(pod stream does not have a host assigned|unable to upgrade connection: container not found \("app"\))$/);
    const r = await status(spdy(`/api/v1/namespaces/${NS}/pods/stream/attach?container=app&stdout=true`));
    expect(r.code).toBe(400);
    expect(r.body.message).toBe("unable to upgrade connection: this server cannot serve SPDY/3.1; attach is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer");
  });

  it("passes port-forward over WebSocket on to the kubelet, and refuses it over SPDY", async () => {
    // The forwarder's answer while the pod is on no node, the kubelet's upgrade once it runs: no refusal.
    const res = await worker.fetch(websocket(`/api/v1/namespaces/${NS}/pods/stream/portforward?ports=8080`, "v4.channel.k8s.io"));
    if (res.status === 101) res.webSocket!.accept();
    else expect(((await res.json()) as Status).message).toMatch(/^(pod stream does not have a host assigned|unable to upgrade connection: pod not found \("stream_default"\))$/);
    res.webSocket?.close();
    const r = await status(spdy(`/api/v1/namespaces/${NS}/pods/stream/portforward`));
    expect(r.code).toBe(400);
    expect(r.body.message).toBe(
      "unable to upgrade connection: this server cannot serve SPDY/3.1; port-forward is served over WebSocket (SPDY/3.1+portforward.k8s.io, v4.channel.k8s.io) only: use kubectl 1.31 or newer",
    );
  });

  it("looks the pod up first, and lists both subresources in discovery as upstream does", async () => {
    const missing = await status(spdy(`/api/v1/namespaces/${NS}/pods/nosuch/exec?command=ls`));
    expect(missing.code).toBe(404);
    expect(missing.body.message).toBe('pods "nosuch" not found');
    const legacy = await callJson<{ resources: { name: string; verbs: string[]; kind: string }[] }>("/api/v1");
    expect(legacy.body.resources.filter((r) => r.name === "pods/attach" || r.name === "pods/portforward")).toEqual([
      { name: "pods/attach", singularName: "", namespaced: true, kind: "PodAttachOptions", verbs: ["create", "get"] },
      { name: "pods/portforward", singularName: "", namespaced: true, kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    ]);
  });
});
