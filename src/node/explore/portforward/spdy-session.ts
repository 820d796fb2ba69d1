// The kubelet's side of kubectl's port-forward (client-go tools/portforward, 1.31+
// over a WebSocket tunnel): SPDY/3.1 frames inside binary WebSocket messages. For each
// local connection kubectl opens two streams with headers `streamtype` (error, then
// data), `port` and `requestid`; the server replies to each, pairs them by request id
// and dials the port. The connection's bytes travel as DATA on the data stream; a
// failure is written on the error stream. The server closes (FIN) both streams when
// the connection ends: kubectl waits for the error stream's end before it lets go of
// the connection, and a message there makes it drop the whole session.
import { GoAwayStatus, RstStatus, SpdyFramer, type SpdyFrame } from "./spdy-framer";
import { SpdyError } from "./spdy-error";
import type { SpdyHeaders } from "./spdy-headers";
import { PodConnection } from "./pod-connection";
import { pieces, type Dial } from "./forwarder";

/** The WebSocket carrying the tunnel: each frame leaves as one binary message. */
export interface TunnelSocket {
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

interface Stream {
  id: number;
  type: "error" | "data";
  requestId: string;
  /** This side sent its FIN (or the stream was reset). */
  done: boolean;
}

interface Pair {
  port: number;
  error?: Stream;
  data?: Stream;
  /** Settles once the port is dialled; data waits on it, in order. */
  ready?: Promise<PodConnection | undefined>;
  conn?: PodConnection;
}

const first = (h: SpdyHeaders, name: string) => h[name]?.[0] ?? "";

/** The kubelet's checks of a new stream's headers (httpStreamReceived). */
function streamHeadersError(h: SpdyHeaders): string | undefined {
  const port = first(h, "port");
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = first(h, "streamtype");
  if (!type) return '"streamType" header is required';
  if (type !== "error" && type !== "data") return `invalid stream type "${type}"`;
  return undefined;
}

export class SpdyPortForwardSession {
  private readonly framer = new SpdyFramer();
  private readonly streams = new Map<number, Stream>();
  private readonly pairs = new Map<string, Pair>();
  private lastStreamId = 0;
  private closed = false;

  constructor(
    private readonly socket: TunnelSocket,
    private readonly dial: Dial,
  ) {}

  /** Bytes of a binary message from the client. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.framer.push(bytes);
    } catch (e) {
      if (!(e instanceof SpdyError)) throw e;
      // The header contexts may be out of step: nothing more can be read.
      this.send({ type: "goaway", lastGoodStreamId: this.lastStreamId, status: GoAwayStatus.ProtocolError });
      this.shutdown(1002, e.message);
      return;
    }
    for (const f of frames) this.handle(f);
  }

  /** The WebSocket closed: every forwarded connection ends with it. */
  disconnected(): void {
    this.closed = true;
    for (const p of this.pairs.values()) p.conn?.abort();
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case "syn_stream":
        return this.newStream(f.streamId, f.headers);
      case "data":
        return this.data(f.streamId, f.data, f.fin);
      case "rst_stream":
        return this.reset(f.streamId);
      case "ping":
        // Pings the client starts have odd ids; the answer is the same frame.
        if (f.id % 2 === 1) this.send(f);
        return;
      case "goaway":
        this.shutdown(1000, "");
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS: nothing here depends on them (spdystream does no flow control).
        return;
    }
  }

  private newStream(id: number, headers: SpdyHeaders): void {
    if (this.streams.has(id) || id <= this.lastStreamId || id % 2 === 0) {
      this.send({ type: "rst_stream", streamId: id, status: this.streams.has(id) ? RstStatus.StreamInUse : RstStatus.ProtocolError });
      return;
    }
    this.lastStreamId = id;
    if (streamHeadersError(headers)) {
      // apimachinery's spdy server resets a stream its handler rejects; the reason stays in the kubelet's log.
      this.send({ type: "rst_stream", streamId: id, status: RstStatus.Cancel });
      return;
    }
    const type = first(headers, "streamtype") as Stream["type"];
    // Clients before requestid paired streams by id: the error stream is the one before the data stream.
    const requestId = first(headers, "requestid") || String(type === "error" ? id : id - 2);
    const stream: Stream = { id, type, requestId, done: false };
    this.streams.set(id, stream);
    this.send({ type: "syn_reply", streamId: id, fin: false, headers: {} });

    const port = Number(first(headers, "port"));
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = { port };
      this.pairs.set(requestId, pair);
    }
    if (pair[type]) {
      this.fail(pair, `error processing stream for request ${requestId}: ${type} stream already assigned`);
      this.finish(stream);
      return;
    }
    pair[type] = stream;
    if (pair.error && pair.data) this.forward(pair);
  }

  private forward(pair: Pair): void {
    pair.ready = this.dial(pair.port).then(
      (dialled) => {
        if ("error" in dialled) {
          this.fail(pair, dialled.error);
          this.end(pair);
          return undefined;
        }
        const data = pair.data!;
        const conn = new PodConnection(dialled, {
          data: (bytes) => {
            for (const piece of pieces(bytes)) this.send({ type: "data", streamId: data.id, fin: false, data: piece });
          },
          end: () => this.end(pair),
        });
        pair.conn = conn;
        return conn;
      },
      (e: unknown) => {
        this.fail(pair, (e as Error).message);
        this.end(pair);
        return undefined;
      },
    );
  }

  private data(id: number, bytes: Uint8Array, fin: boolean): void {
    const stream = this.streams.get(id);
    // The client writes nothing on the error stream but its FIN.
    if (!stream || stream.type !== "data") return;
    const pair = this.pairs.get(stream.requestId);
    if (!pair?.ready) return;
    void pair.ready.then((conn) => {
      if (!conn) return;
      if (bytes.length) conn.write(bytes);
      if (fin) conn.end();
    });
  }

  private reset(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    stream.done = true;
    this.streams.delete(id);
    const pair = this.pairs.get(stream.requestId);
    if (!pair) return;
    // kubectl resets the data stream when its copy ends, then waits for the error
    // stream to close: the connection is over.
    pair.conn?.abort();
    this.end(pair);
  }

  /** The error stream carries the reason; its FIN follows in end(). */
  private fail(pair: Pair, message: string): void {
    const errs = pair.error;
    if (!errs || errs.done) return;
    this.send({ type: "data", streamId: errs.id, fin: false, data: new TextEncoder().encode(message) });
  }

  /** The connection is over: FIN on the error stream, then the data stream (the kubelet's deferred Closes). */
  private end(pair: Pair): void {
    if (pair.error) this.finish(pair.error);
    if (pair.data) this.finish(pair.data);
    // Frames the client still sends for these streams (its FIN, its reset) find nothing: spdystream drops them too.
    for (const s of [pair.error, pair.data]) if (s) this.streams.delete(s.id);
    for (const [key, p] of this.pairs) if (p === pair) this.pairs.delete(key);
  }

  private finish(stream: Stream): void {
    if (stream.done) return;
    stream.done = true;
    this.send({ type: "data", streamId: stream.id, fin: true, data: new Uint8Array(0) });
  }

  private send(frame: SpdyFrame): void {
    if (this.closed) return;
    try {
      this.socket.send(this.framer.encode(frame));
    } catch {
      this.disconnected();
    }
  }

  private shutdown(code: number, reason: string): void {
    this.disconnected();
    try {
      this.socket.close(code, reason);
    } catch {
      /* already closed */
    }
  }
}

