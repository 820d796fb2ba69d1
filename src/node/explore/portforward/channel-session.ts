// The WebSocket port-forward protocol other clients speak (the Python client's
// kubernetes.stream.portforward; the kubelet's portforward/websocket.go): the ports
// come in the URL, each gets two channels, data (2i) and error (2i+1), and every
// channel first carries its port number (two bytes, little-endian). A message is the
// channel byte, then payload (v4.channel.k8s.io), or the channel as a digit, then
// base64 (v4.base64.channel.k8s.io). One connection per port, dialled at once; the
// socket closes when every port's connection has ended.
//
// Messages leave one at a time with a short pause between them, and a longer one before
// the close: the released Python client reads one WebSocket frame each time its socket
// turns readable, so frames that share a TLS record would wait there, and a close stuck
// that way hangs it (as exec-channels.ts explains).
import { PodConnection } from "./pod-connection";
import { pieces, type Dial } from "./forwarder";

export interface ChannelSocket {
  send(message: Uint8Array | string): void;
  close(code: number, reason: string): void;
}

export interface ChannelOptions {
  base64: boolean;
  /** Pause after each message. */
  frameGapMs: number;
  /** Pause before the close. */
  closeGapMs: number;
}

interface PortState {
  port: number;
  conn?: PodConnection;
  ready: Promise<PodConnection | undefined>;
  done: boolean;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x2000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export class ChannelPortForwardSession {
  private readonly ports: PortState[] = [];
  private queue: Promise<void> = Promise.resolve();
  private open = true;

  constructor(
    private readonly socket: ChannelSocket,
    ports: number[],
    private readonly dial: Dial,
    private readonly opts: ChannelOptions,
  ) {
    ports.forEach((port, i) => {
      const portBytes = new Uint8Array([port & 0xff, port >> 8]);
      this.push(2 * i, portBytes);
      this.push(2 * i + 1, portBytes);
    });
    ports.forEach((port, i) => {
      const state: PortState = { port, done: false, ready: Promise.resolve(undefined) };
      state.ready = this.connect(state, i);
      this.ports.push(state);
    });
  }

  /** A message from the client: data for a port's connection (error channels are read-only). */
  receive(message: Uint8Array | string): void {
    const bytes = typeof message === "string" ? this.decodeText(message) : message;
    if (!bytes || !bytes.length) return;
    const channel = bytes[0];
    const state = this.ports[channel >> 1];
    if (!state || channel % 2 === 1) return;
    const payload = bytes.slice(1);
    if (!payload.length) return;
    void state.ready.then((conn) => conn?.write(payload));
  }

  /** The client closed the socket: the connections end with it. */
  disconnected(): void {
    this.open = false;
    for (const p of this.ports) p.conn?.abort();
  }

  /** Resolves once every message queued so far has left. */
  flushed(): Promise<void> {
    return this.queue;
  }

  private decodeText(text: string): Uint8Array | undefined {
    if (!this.opts.base64 || !text) return undefined;
    const channel = text.charCodeAt(0) - 0x30;
    try {
      const payload = fromBase64(text.slice(1));
      const out = new Uint8Array(payload.length + 1);
      out[0] = channel;
      out.set(payload, 1);
      return out;
    } catch {
      return undefined;
    }
  }

  private async connect(state: PortState, index: number): Promise<PodConnection | undefined> {
    let dialled: Awaited<ReturnType<Dial>>;
    try {
      dialled = await this.dial(state.port);
    } catch (e) {
      dialled = { error: (e as Error).message };
    }
    if ("error" in dialled) {
      this.push(2 * index + 1, new TextEncoder().encode(dialled.error));
      this.portDone(state);
      return undefined;
    }
    const conn = new PodConnection(dialled, {
      data: (bytes) => {
        for (const piece of pieces(bytes)) this.push(2 * index, piece);
      },
      end: () => this.portDone(state),
    });
    state.conn = conn;
    return conn;
  }

  private portDone(state: PortState): void {
    state.done = true;
    // Every port is in the list by now: a dial always settles after the constructor returns.
    if (this.ports.every((p) => p.done)) this.close();
  }

  private push(channel: number, payload: Uint8Array): void {
    let message: Uint8Array | string;
    if (this.opts.base64) message = String.fromCharCode(0x30 + channel) + toBase64(payload);
    else {
      message = new Uint8Array(payload.length + 1);
      message[0] = channel;
      message.set(payload, 1);
    }
    this.queue = this.queue.then(async () => {
      if (!this.open) return;
      try {
        this.socket.send(message);
      } catch {
        this.disconnected();
        return;
      }
      await pause(this.opts.frameGapMs);
    });
  }

  private closing = false;

  private close(): void {
    if (this.closing) return;
    this.closing = true;
    this.queue = this.queue.then(async () => {
      if (!this.open) return;
      await pause(this.opts.closeGapMs);
      if (!this.open) return;
      this.open = false;
      try {
        this.socket.close(1000, "");
      } catch {
        /* already closed */
      }
    });
  }
}
