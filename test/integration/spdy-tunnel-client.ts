// A port-forward client of our own, speaking what client-go's tunneling dialer speaks:
// a WebSocket with subprotocol SPDY/3.1+portforward.k8s.io carrying SPDY/3.1 frames in
// binary messages, two streams per connection (error, then data) with `streamtype`,
// `port` and `requestid`, the error stream closed at once as kubectl closes it.
import { SpdyFramer, type SpdyFrame } from "../../src/node/explore/portforward/spdy-framer";
import { concatBytes } from "../../src/util/bytes";

export interface ForwardedConnection {
  errorId: number;
  dataId: number;
  data: Uint8Array[];
  error: string;
  dataFin: boolean;
  errorFin: boolean;
  replied: Set<number>;
}

export class SpdyTunnelClient {
  private readonly framer = new SpdyFramer();
  private nextId = 1;
  private readonly conns = new Map<number, ForwardedConnection>();
  readonly frames: SpdyFrame[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly ws: WebSocket) {
    ws.accept();
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev) => {
      for (const f of this.framer.push(new Uint8Array(ev.data as ArrayBuffer))) this.frame(f);
      this.wake();
    });
    ws.addEventListener("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Sends a frame; `split` sends its bytes in pieces of that size, as client-go writes field by field. */
  send(frame: SpdyFrame, split = 0): void {
    const bytes = this.framer.encode(frame);
    if (!split) return this.ws.send(bytes);
    for (let at = 0; at < bytes.length; at += split) this.ws.send(bytes.slice(at, at + split));
  }

  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** One forwarded connection: its two streams, created and replied to. */
  async open(port: number, requestId: number, split = 0): Promise<ForwardedConnection> {
    const errorId = this.nextId;
    const dataId = this.nextId + 2;
    this.nextId += 4;
    const conn: ForwardedConnection = { errorId, dataId, data: [], error: "", dataFin: false, errorFin: false, replied: new Set() };
    this.conns.set(errorId, conn);
    this.conns.set(dataId, conn);
    const headers = (type: string) => ({ streamtype: [type], port: [String(port)], requestid: [String(requestId)] });
    this.send({ type: "syn_stream", streamId: errorId, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: headers("error") }, split);
    this.send({ type: "data", streamId: errorId, fin: true, data: new Uint8Array(0) });
    this.send({ type: "syn_stream", streamId: dataId, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: headers("data") }, split);
    await this.until(() => conn.replied.has(errorId) && conn.replied.has(dataId));
    return conn;
  }

  write(conn: ForwardedConnection, text: string, fin = false): void {
    this.send({ type: "data", streamId: conn.dataId, fin, data: new TextEncoder().encode(text) });
  }

  text(conn: ForwardedConnection): string {
    return new TextDecoder().decode(concatBytes(conn.data));
  }

  /** Waits (with a deadline) until `cond` holds; fails if the socket closed first. */
  async until(cond: () => boolean, what = "condition", ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (this.closed) throw new Error(`socket closed before ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private frame(f: SpdyFrame): void {
    this.frames.push(f);
    if (f.type === "syn_reply") this.conns.get(f.streamId)?.replied.add(f.streamId);
    if (f.type !== "data") return;
    const conn = this.conns.get(f.streamId);
    if (!conn) return;
    if (f.streamId === conn.dataId) {
      if (f.data.length) conn.data.push(f.data);
      if (f.fin) conn.dataFin = true;
    } else {
      conn.error += new TextDecoder().decode(f.data);
      if (f.fin) conn.errorFin = true;
    }
  }
}
