// pods/portforward answered by the node's Durable Object, through the API worker: the
// SPDY/3.1 tunnel kubectl 1.31+ speaks (a client of our own, spdy-tunnel-client.ts),
// the channel protocol other clients speak (v4.channel.k8s.io), nginx's page over
// both, keep-alive and concurrent connections, and the runtime's error for a port
// nobody listens on.
import { describe, it, expect, beforeAll } from "vitest";
import { exports as workerExports } from "cloudflare:workers";
import { BASE, TOKEN, call } from "./helpers";
import { FakeClock, boundPod, createPod, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";
import { SpdyTunnelClient } from "./spdy-tunnel-client";

const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
const clock = new FakeClock();
let node: AgentStub;

const GET = (extra = "") => `GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n${extra}\r\n`;

function upgrade(pod: string, protocol: string | undefined, query = ""): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, upgrade: "websocket" };
  if (protocol !== undefined) headers["sec-websocket-protocol"] = protocol;
  return worker.fetch(new Request(`${BASE}/api/v1/namespaces/default/pods/${pod}/portforward${query}`, { headers }));
}

async function tunnel(pod = "web"): Promise<SpdyTunnelClient> {
  const res = await upgrade(pod, "SPDY/3.1+portforward.k8s.io");
  expect(res.status).toBe(101);
  expect(res.headers.get("sec-websocket-protocol")).toBe("SPDY/3.1+portforward.k8s.io");
  return new SpdyTunnelClient(res.webSocket!);
}

/** The responses in a byte stream of HTTP/1.1 answers with Content-Length; the answer to a HEAD (`methods[i]`) has no body. */
function responses(text: string, methods: string[] = []): { head: string; body: string }[] {
  const out = [];
  let rest = text;
  while (rest) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) break;
    const head = rest.slice(0, end);
    const len: number = methods[out.length] === "HEAD" ? 0 : Number(/\r\nContent-Length: (\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ head, body: rest.slice(end + 4, end + 4 + len) });
    rest = rest.slice(end + 4 + len);
  }
  return out;
}

beforeAll(async () => {
  node = await startNode("kn-portforward", clock);
  await createPod(boundPod("web", "kn-portforward", { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
  expect((await getPod("web"))?.status?.phase).toBe("Running");
});

describe("port-forward over the SPDY/3.1 tunnel (kubectl 1.31+)", () => {
  it("carries a request to nginx and its page back; the server closes both streams after `Connection: close`", async () => {
    const c = await tunnel();
    const conn = await c.open(80, 0);
    c.write(conn, GET("Connection: close\r\n"));
    await c.until(() => conn.dataFin && conn.errorFin, "both streams closed");
    const [res, ...more] = responses(c.text(conn));
    expect(more).toEqual([]);
    expect(res.head).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/1\.27\.\d+\r\n/);
    expect(res.head).toContain("\r\nConnection: close");
    expect(res.body).toContain("<title>Welcome to nginx!</title>");
    expect(conn.error).toBe("");
    c.close();
  });

  it("keeps a connection alive for several requests, cut anywhere, and closes when the client half-closes", async () => {
    const c = await tunnel();
    // Frames arrive a few bytes per WebSocket message, as client-go writes them field by field.
    const conn = await c.open(80, 0, 5);
    const req = GET();
    c.write(conn, req.slice(0, 7));
    c.write(conn, req.slice(7));
    await c.until(() => responses(c.text(conn)).length === 1, "first answer");
    c.write(conn, `HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n${GET()}`);
    const methods = ["GET", "HEAD", "GET"];
    await c.until(() => responses(c.text(conn), methods).length === 3, "three answers");
    expect(conn.dataFin).toBe(false);
    c.write(conn, "", true);
    await c.until(() => conn.dataFin && conn.errorFin, "the server's FINs");
    const all = responses(c.text(conn), methods);
    expect(all.map((r) => r.head.split("\r\n")[0])).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    expect(all[0].head).toContain("\r\nConnection: keep-alive");
    // HEAD: the length of the page, no body.
    expect(all[1].head).toMatch(/\r\nContent-Length: 615/);
    expect(all[2].body).toContain("Welcome to nginx!");
    c.close();
  });

  it("forwards concurrent connections on one session, each answered on its own streams", async () => {
    const c = await tunnel();
    const conns = await Promise.all([0, 1, 2, 3].map((id) => c.open(80, id)));
    for (const [i, conn] of conns.entries()) c.write(conn, `GET /nope-${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await c.until(() => conns.every((conn) => conn.dataFin && conn.errorFin), "every connection closed");
    for (const [i, conn] of conns.entries()) {
      expect(c.text(conn)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(conn.error, `connection ${i}`).toBe("");
    }
    // nginx logged them as port-forward's connections come: from inside the pod.
    const log = await (await call("/api/v1/namespaces/default/pods/web/log")).text();
    for (const i of [0, 1, 2, 3]) expect(log).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /nope-${i} HTTP/1\\.1" 404 `, "m"));
    c.close();
  });

  it("writes the runtime's error on the error stream for a port nobody listens on, then closes both streams", async () => {
    const c = await tunnel();
    const conn = await c.open(81, 0);
    await c.until(() => conn.errorFin && conn.dataFin, "both streams closed");
    expect(conn.error).toMatch(
      /^error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]{36}": failed to connect to localhost:81 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 \[::1\]:81: connect: connection refused $/,
    );
    expect(conn.data).toEqual([]);
    c.close();
  });

  it("answers pings, resets streams with bad headers, and ends the session on a broken frame", async () => {
    const c = await tunnel();
    c.send({ type: "ping", id: 1 });
    await c.until(() => c.frames.some((f) => f.type === "ping" && f.id === 1), "the ping's answer");
    c.send({ type: "syn_stream", streamId: 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: { streamtype: ["data"], port: ["http"] } });
    await c.until(() => c.frames.some((f) => f.type === "rst_stream" && f.streamId === 1), "the reset");
    expect(c.frames.some((f) => f.type === "syn_reply" && f.streamId === 1)).toBe(false);
    c.sendRaw(new Uint8Array([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1]));
    await c.until(() => c.closed || c.frames.some((f) => f.type === "goaway"), "the GOAWAY");
    expect(c.frames.find((f) => f.type === "goaway")).toEqual({ type: "goaway", lastGoodStreamId: 1, status: 1 });
  });
});

describe("port-forward over the channel protocol (v4.channel.k8s.io)", () => {
  async function channels(query: string, protocol = "v4.channel.k8s.io") {
    const res = await upgrade("web", protocol, query);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    ws.binaryType = "arraybuffer";
    const frames: Uint8Array[] = [];
    let wake = () => undefined as void;
    const closed = new Promise<void>((r) => ws.addEventListener("close", () => r()));
    ws.addEventListener("message", (ev) => {
      frames.push(new Uint8Array(ev.data as ArrayBuffer));
      wake();
    });
    const until = async (cond: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!cond() && Date.now() < deadline) await Promise.race([new Promise<void>((r) => (wake = r)), closed, new Promise((r) => setTimeout(r, 200))]);
      expect(cond()).toBe(true);
    };
    const payload = (ch: number) => new TextDecoder().decode(new Uint8Array(frames.filter((f) => f[0] === ch).slice(1).flatMap((f) => [...f.subarray(1)])));
    return { res, ws, frames, closed, until, payload };
  }

  it("names each channel's port first, carries nginx's page on channel 0 and closes after `Connection: close`", async () => {
    const s = await channels("?ports=80");
    await s.until(() => s.frames.length >= 2);
    expect(s.frames.slice(0, 2).map((f) => [...f])).toEqual([
      [0, 80, 0],
      [1, 80, 0],
    ]);
    const req = new TextEncoder().encode(GET("Connection: close\r\n"));
    s.ws.send(new Uint8Array([0, ...req]));
    await s.closed;
    const [res] = responses(s.payload(0));
    expect(res.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(res.body).toContain("Welcome to nginx!");
    expect(s.payload(1)).toBe("");
  });

  it("two ports: the refused one reports on its error channel, the other still serves", async () => {
    const s = await channels("?ports=81,80");
    await s.until(() => s.frames.some((f) => f[0] === 1 && f.length > 3));
    expect(s.payload(1)).toMatch(/^error forwarding port 81 to pod [0-9a-f]{64}, uid : .*connect: connection refused $/);
    s.ws.send(new Uint8Array([2, ...new TextEncoder().encode(GET("Connection: close\r\n"))]));
    await s.closed;
    expect(s.payload(2)).toContain("Welcome to nginx!");
  });

  it("the base64 variant", async () => {
    const res = await upgrade("web", "v4.base64.channel.k8s.io", "?ports=80");
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const texts: string[] = [];
    const closed = new Promise<void>((r) => ws.addEventListener("close", () => r()));
    ws.addEventListener("message", (ev) => texts.push(ev.data as string));
    ws.send("0" + btoa(GET("Connection: close\r\n")));
    await closed;
    expect(texts.slice(0, 2)).toEqual(["0UAA=", "1UAA="]);
    expect(texts.filter((t) => t[0] === "0").slice(1).map((t) => atob(t.slice(1))).join("")).toContain("Welcome to nginx!");
  });

  const refusals: [string, string | undefined, string, string][] = [
    ["no ports", "v4.channel.k8s.io", "", 'query parameter "port" is required'],
    ["port 0", "v4.channel.k8s.io", "?ports=0", 'port "0" must be > 0'],
    ["a port that is no number", "v4.channel.k8s.io", "?ports=http", 'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax'],
    ["a subprotocol nobody speaks", "v5.channel.k8s.io", "?ports=80", "unable to upgrade connection: unable to negotiate protocol: client supports [v5.channel.k8s.io], server supports [SPDY/3.1+portforward.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io channel.k8s.io base64.channel.k8s.io]"],
  ];
  it.each(refusals)("refuses %s with a Status", async (_name, protocol, query, message) => {
    const res = await upgrade("web", protocol, query);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400, message });
  });

  it("without an upgrade: the kubelet's answer", async () => {
    const res = await call("/api/v1/namespaces/default/pods/web/portforward?ports=80");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe("Upgrade request required");
  });
});
