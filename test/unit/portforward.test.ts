// The parts of port-forward below the protocols: HTTP/1.1 read from bytes cut anywhere
// and written back, one keep-alive connection to a real nginx of the runtime model,
// the runtime's dial and its errors per flavour, the ports a URL names, and the channel
// protocol's framing (port numbers first, data and error channels, the close).
import { describe, expect, it, vi } from "vitest";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";
import { BadRequest, RequestReader, writeResponse } from "../../src/node/explore/portforward/http-wire";
import { PodConnection } from "../../src/node/explore/portforward/pod-connection";
import { parsePorts, forwardingError, type Dial } from "../../src/node/explore/portforward/forwarder";
import { ChannelPortForwardSession } from "../../src/node/explore/portforward/channel-session";
import type { RuntimeKind } from "../../src/node/runtime";
import { SpdyPortForwardSession } from "../../src/node/explore/portforward/spdy-session";
import { RstStatus, SpdyFramer, type SpdyFrame } from "../../src/node/explore/portforward/spdy-framer";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("RequestReader", () => {
  const cases: [string, string, { method: string; target: string; body: string; keepAlive: boolean }[]][] = [
    ["a GET", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", [{ method: "GET", target: "/", body: "", keepAlive: true }]],
    ["bare LF line ends", "GET /a HTTP/1.1\nHost: x\n\n", [{ method: "GET", target: "/a", body: "", keepAlive: true }]],
    ["two pipelined requests", "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nConnection: close\r\n\r\n", [
      { method: "GET", target: "/1", body: "", keepAlive: true },
      { method: "GET", target: "/2", body: "", keepAlive: false },
    ]],
    ["a Content-Length body", "POST /f?x=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", [{ method: "POST", target: "/f?x=1", body: "hello", keepAlive: true }]],
    ["a chunked body with a trailer", "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n", [{ method: "PUT", target: "/", body: "abcde", keepAlive: true }]],
    ["HTTP/1.0 closes unless asked to keep alive", "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", [
      { method: "GET", target: "/", body: "", keepAlive: false },
      { method: "GET", target: "/", body: "", keepAlive: true },
    ]],
    ["empty lines before a request", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", [{ method: "GET", target: "/", body: "", keepAlive: true }]],
  ];
  it.each(cases)("reads %s, whole or a byte at a time", (_name, wire, want) => {
    const pick = (r: { method: string; target: string; body: string; keepAlive: boolean }) => ({ method: r.method, target: r.target, body: r.body, keepAlive: r.keepAlive });
    expect(new RequestReader().push(enc(wire)).map(pick)).toEqual(want);
    const reader = new RequestReader();
    const got = [];
    for (const b of enc(wire)) got.push(...reader.push(new Uint8Array([b])));
    expect(got.map(pick)).toEqual(want);
  });

  const bad: [string, string][] = [
    ["a request line without a version", "GET /\r\n\r\n"],
    ["a header line without a colon", "GET / HTTP/1.1\r\nnonsense\r\n\r\n"],
    ["a Content-Length that is no number", "POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n"],
    ["a transfer coding other than chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"],
    ["a chunk size that is no hex", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
    ["a header section past 32 KiB", `GET / HTTP/1.1\r\nX: ${"a".repeat(33 * 1024)}`],
    ["redis's protocol", "*1\r\n$4\r\nPING\r\n\r\n"],
  ];
  it.each(bad)("refuses %s", (_name, wire) => {
    expect(() => new RequestReader().push(enc(wire))).toThrow(BadRequest);
  });
});

describe("writeResponse", () => {
  const page = { status: 200, statusText: "OK", headers: [["Server", "nginx/1.27.5"], ["Content-Length", "5"], ["Connection", "keep-alive"]] as [string, string][], body: "hello" };
  it("writes the program's headers in order, and says close on a connection's last answer", () => {
    expect(dec(writeResponse(page, { head: false, keepAlive: true }))).toBe("HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello");
    expect(dec(writeResponse(page, { head: false, keepAlive: false }))).toBe("HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  });
  it("adds the length a program left out, counts bytes, and sends no body for HEAD or 304", () => {
    const bare = { status: 200, statusText: "OK", headers: [] as [string, string][], body: "é" };
    expect(dec(writeResponse(bare, { head: false, keepAlive: true }))).toBe("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\né");
    expect(dec(writeResponse(page, { head: true, keepAlive: true }))).toMatch(/\r\n\r\n$/);
    expect(dec(writeResponse({ ...bare, status: 304, statusText: "Not Modified" }, { head: false, keepAlive: true }))).toBe("HTTP/1.1 304 Not Modified\r\n\r\n");
  });
});

describe("parsePorts", () => {
  const cases: [string[], number[] | { error: string }][] = [
    [["80"], [80]],
    [["80,8080"], [80, 8080]],
    [["80", "6379"], [80, 6379]],
    [[], { error: 'query parameter "port" is required' }],
    [["0"], { error: 'port "0" must be > 0' }],
    [["65536"], { error: 'unable to parse "65536" as a port: strconv.ParseUint: parsing "65536": value out of range' }],
    [["http"], { error: 'unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax' }],
  ];
  it.each(cases)("%j", (values, want) => expect(parsePorts(values)).toEqual(want));
});

/** A running nginx in the runtime model, and the dial port-forward uses. */
async function nginx(kind: RuntimeKind = "containerd") {
  const rt = testRuntime(kind);
  await rt.images.pullImage("nginx:1.27");
  const sb = await rt.runtime.runPodSandbox(sandboxConfig("web"));
  const c = await rt.runtime.createContainer(sb, { metadata: { name: "nginx", attempt: 0 }, image: "nginx:1.27" });
  await rt.runtime.startContainer(c);
  const dial: Dial = async (port) => {
    const d = await rt.runtime.portForwardDial(sb, port);
    return d.ok ? { request: (r) => rt.runtime.podHttp(sb, port, r) } : { error: forwardingError(port, sb, "", d.error) };
  };
  return { rt, sb, dial };
}

function collect() {
  const out = { bytes: [] as number[], ended: false };
  return { out, sink: { data: (b: Uint8Array) => out.bytes.push(...b), end: () => (out.ended = true) } };
}

describe("PodConnection", () => {
  it("answers pipelined requests in order on one connection, and closes after the one that asked", async () => {
    const { dial } = await nginx();
    const port = await dial(80);
    if ("error" in port) throw new Error(port.error);
    const { out, sink } = collect();
    const conn = new PodConnection(port, sink);
    conn.write(enc("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
    await conn.idle();
    const text = dec(new Uint8Array(out.bytes));
    expect(text.match(/^HTTP\/1\.1 \d+ [^\r]*/gm)).toEqual(["HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"]);
    expect(out.ended).toBe(true);
  });

  it("answers bytes that are no HTTP request with 400 and closes, as nginx does", async () => {
    const { dial } = await nginx();
    const port = await dial(80);
    if ("error" in port) throw new Error(port.error);
    const { out, sink } = collect();
    const conn = new PodConnection(port, sink);
    conn.write(enc("HELLO\r\n\r\n"));
    await conn.idle();
    expect(dec(new Uint8Array(out.bytes))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\n<html>/);
    expect(out.ended).toBe(true);
  });

  it("the client's half-close ends the connection once its requests are answered", async () => {
    const { dial } = await nginx();
    const port = await dial(80);
    if ("error" in port) throw new Error(port.error);
    const { out, sink } = collect();
    const conn = new PodConnection(port, sink);
    conn.write(enc("GET / HTTP/1.1\r\n\r\n"));
    conn.end();
    await conn.idle();
    expect(dec(new Uint8Array(out.bytes))).toContain("Welcome to nginx!");
    expect(out.ended).toBe(true);
  });
});

describe("the runtime's port-forward dial", () => {
  it("containerd: tcp4 then tcp6 inside the sandbox's namespace, both refused", async () => {
    const { dial, sb } = await nginx("containerd");
    expect(await dial(81)).toEqual({
      error: `error forwarding port 81 to pod ${sb}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${sb.slice(0, 8)}-${sb.slice(8, 12)}-${sb.slice(12, 16)}-${sb.slice(16, 20)}-${sb.slice(20, 32)}": failed to connect to localhost:81 inside namespace "${sb}", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused `,
    });
  });
  it("CRI-O: one dial, its namespace path", async () => {
    const { dial, sb } = await nginx("cri-o");
    const r = await dial(81);
    expect("error" in r && r.error).toMatch(new RegExp(`^error forwarding port 81 to pod ${sb}, uid : port forward into network namespace "/var/run/netns/[0-9a-f-]{36}": failed to connect to localhost:81 inside namespace ${sb}: dial tcp 127\\.0\\.0\\.1:81: connect: connection refused$`));
  });
  it("a stopped sandbox has no namespace left", async () => {
    const { rt, sb, dial } = await nginx();
    await rt.runtime.stopPodSandbox(sb);
    expect(await dial(80)).toEqual({ error: `error forwarding port 80 to pod ${sb}, uid : network namespace for sandbox "${sb}" is closed` });
  });
});

describe("ChannelPortForwardSession", () => {
  class Recorder {
    sent: (Uint8Array | string)[] = [];
    closed = false;
    send(m: Uint8Array | string) {
      this.sent.push(m);
    }
    close() {
      this.closed = true;
    }
  }

  it("names each channel's port, forwards channel 0 to the port, answers on it, and closes when the connection ends", async () => {
    const { dial } = await nginx();
    const ws = new Recorder();
    const s = new ChannelPortForwardSession(ws, [80, 81], dial, { base64: false, frameGapMs: 0, closeGapMs: 0 });
    s.receive(new Uint8Array([0, ...enc("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")]));
    // Writes to an error channel, or a channel no port has, are ignored.
    s.receive(new Uint8Array([1, 65]));
    s.receive(new Uint8Array([9, 65]));
    for (let i = 0; i < 50 && !ws.closed; i++) await s.flushed();
    expect(ws.closed).toBe(true);
    const frames = ws.sent as Uint8Array[];
    expect(frames.slice(0, 4).map((f) => [...f])).toEqual([[0, 80, 0], [1, 80, 0], [2, 81, 0], [3, 81, 0]]);
    const on = (ch: number) => dec(new Uint8Array(frames.slice(4).filter((f) => f[0] === ch).flatMap((f) => [...f.subarray(1)])));
    expect(on(0)).toContain("Welcome to nginx!");
    expect(on(3)).toMatch(/^error forwarding port 81 to pod /);
    expect(on(1)).toBe("");
  });

  it("base64: the channel as a digit, the payload in base64", async () => {
    const { dial } = await nginx();
    const ws = new Recorder();
    const s = new ChannelPortForwardSession(ws, [8080], dial, { base64: true, frameGapMs: 0, closeGapMs: 0 });
    for (let i = 0; i < 50 && !ws.closed; i++) await s.flushed();
    expect(ws.sent).toEqual(["0kB8=", "1kB8=", expect.stringMatching(/^1/)]);
    expect(atob((ws.sent[2] as string).slice(1))).toMatch(/failed to connect to localhost:8080/);
    expect(ws.closed).toBe(true);
  });

  it("closes only after the close's own pause behind the last message", async () => {
    vi.useFakeTimers();
    try {
      const { dial } = await nginx();
      const at: number[] = [];
      let closedAt: number | undefined;
      const ws = { send: () => void at.push(Date.now()), close: () => void (closedAt = Date.now()) };
      const s = new ChannelPortForwardSession(ws, [8080], dial, { base64: false, frameGapMs: 5, closeGapMs: 100 });
      for (let i = 0; i < 50 && closedAt === undefined; i++) {
        await vi.runAllTimersAsync();
        await s.flushed();
      }
      // The port's two number frames and the dial's error, 5 ms apart; the close after the
      // last one's gap and its own (the fake clock).
      expect(at.length).toBe(3);
      expect(at[2] - at[1]).toBe(5);
      expect(closedAt! - at[2]).toBe(5 + 100);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("SpdyPortForwardSession", () => {
  /** The client's end: frames it would send, and the frames the server wrote back. */
  async function session() {
    const { dial } = await nginx();
    const client = new SpdyFramer();
    const received: SpdyFrame[] = [];
    const reader = new SpdyFramer();
    let closed = false;
    const server = new SpdyPortForwardSession({ send: (b) => received.push(...reader.push(b)), close: () => (closed = true) }, dial);
    const send = (f: SpdyFrame) => server.receive(client.encode(f));
    const syn = (streamId: number, headers: Record<string, string>) =>
      send({ type: "syn_stream", streamId, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) });
    const settle = async (cond: () => boolean) => {
      for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
    };
    const fin = (id: number) => received.some((f) => f.type === "data" && f.streamId === id && f.fin);
    return { received, send, syn, settle, fin, closed: () => closed, raw: (b: Uint8Array) => server.receive(b) };
  }

  it("pairs streams without a requestid by their ids, as clients before it did", async () => {
    const s = await session();
    s.syn(1, { streamtype: "error", port: "80" });
    s.syn(3, { streamtype: "data", port: "80" });
    s.send({ type: "data", streamId: 3, fin: false, data: enc("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") });
    await s.settle(() => s.fin(3));
    expect(s.received.filter((f) => f.type === "syn_reply").map((f) => f.type === "syn_reply" && f.streamId)).toEqual([1, 3]);
    const page = s.received.filter((f) => f.type === "data" && f.streamId === 3).map((f) => (f.type === "data" ? dec(f.data) : "")).join("");
    expect(page).toContain("Welcome to nginx!");
    expect(s.fin(1)).toBe(true);
  });

  it("a reset of the data stream ends the connection and closes the error stream kubectl waits on", async () => {
    const s = await session();
    s.syn(1, { streamtype: "error", port: "80", requestid: "0" });
    s.syn(3, { streamtype: "data", port: "80", requestid: "0" });
    s.send({ type: "rst_stream", streamId: 3, status: RstStatus.Cancel });
    await s.settle(() => s.fin(1));
    expect(s.fin(1)).toBe(true);
    // Nothing more for the reset stream.
    expect(s.received.some((f) => f.type === "data" && f.streamId === 3)).toBe(false);
  });

  it("refuses a second stream of one type for a request, a reused stream id, and an even (server-side) id", async () => {
    const s = await session();
    s.syn(1, { streamtype: "error", port: "80", requestid: "7" });
    s.syn(3, { streamtype: "error", port: "80", requestid: "7" });
    await s.settle(() => s.fin(3));
    const errorText = s.received.filter((f) => f.type === "data" && f.streamId === 1).map((f) => (f.type === "data" ? dec(f.data) : "")).join("");
    expect(errorText).toBe("error processing stream for request 7: error stream already assigned");
    s.syn(3, { streamtype: "data", port: "80", requestid: "8" });
    s.syn(4, { streamtype: "data", port: "80", requestid: "9" });
    expect(s.received.filter((f) => f.type === "rst_stream").map((f) => f.type === "rst_stream" && [f.streamId, f.status])).toEqual([
      [3, RstStatus.StreamInUse],
      [4, RstStatus.ProtocolError],
    ]);
  });

  it("answers the client's pings, and ends the session with GOAWAY on a frame it cannot read", async () => {
    const s = await session();
    s.syn(1, { streamtype: "error", port: "80", requestid: "0" });
    s.send({ type: "ping", id: 1 });
    expect(s.received.at(-1)).toEqual({ type: "ping", id: 1 });
    // A header block compressed in another context than the client's: the stream of blocks is broken.
    const other = new SpdyFramer();
    other.encode({ type: "syn_reply", streamId: 1, fin: false, headers: { a: ["b"] } });
    s.send({ type: "ping", id: 3 });
    const sessionFrame = other.encode({ type: "syn_stream", streamId: 5, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: { streamtype: ["data"], port: ["80"] } });
    s.raw(sessionFrame);
    expect(s.received.at(-1)).toEqual({ type: "goaway", lastGoodStreamId: 1, status: 1 });
    expect(s.closed()).toBe(true);
  });
});
