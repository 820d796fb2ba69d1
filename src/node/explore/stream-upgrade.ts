// The WebSocket side shared by pods/exec and pods/attach: which subprotocol the client
// offered (v5.channel.k8s.io, v4 accepted), the 101 answer, and the client's stdin as
// text as it arrives (channel 0), its end (v5's close of channel 0, or the socket
// closing) handing on the bytes of a character cut short.
import { encodeBytes, ByteTextDecoder } from "../../util/byte-text";
import { Channel, type ExecChannels } from "./exec-channels";
import { badRequest } from "./status";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/** The subprotocol to answer with, or 400 as the kubelet's upgrade refuses. */
export function streamProtocol(req: Request): string {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") throw badRequest("Upgrade request required");
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((s) => s.trim());
  const protocol = PROTOCOLS.find((p) => offered.includes(p));
  if (!protocol) throw badRequest(`unable to upgrade connection: none of the offered subprotocols (${offered.join(", ")}) is supported; use ${PROTOCOLS[0]}`);
  return protocol;
}

/** Accept the upgrade: `serve` runs on the server end while the 101 goes back. */
export function acceptStream(protocol: string, waitUntil: (p: Promise<unknown>) => void, serve: (ws: WebSocket) => Promise<void>): Response {
  const pair = new WebSocketPair();
  const [client, server] = Object.values(pair);
  server.accept();
  server.binaryType = "arraybuffer";
  waitUntil(serve(server));
  // No subprotocol offered, none named in the answer (the channel protocol's default).
  return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
}

/** The client's stdin: text handed to `onText` in order; `ended` once it is closed. */
export class StreamStdin {
  onText: (text: string) => void = () => undefined;
  readonly ended: Promise<void>;
  private open = true;
  private readonly decoder = new ByteTextDecoder();
  private end!: () => void;

  constructor(ws: WebSocket, ch: ExecChannels) {
    this.ended = new Promise<void>((r) => (this.end = r));
    ws.addEventListener("message", (ev) => {
      const data = ev.data;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : typeof data === "string" ? encodeBytes(data) : new Uint8Array(0);
      if (!bytes.length) return;
      ch.clientReady();
      const payload = bytes.subarray(1);
      if (bytes[0] === Channel.Stdin) this.onText(this.decoder.decode(payload, { stream: true }));
      else if (bytes[0] === Channel.Close && payload[0] === Channel.Stdin) this.close();
      // Channel.Resize: the model's programs do not care about the window size.
    });
    ws.addEventListener("close", () => {
      ch.markClosed();
      this.close();
    });
  }

  /** The end of stdin hands on the bytes of a character cut short by the client's last frame, once. */
  private close(): void {
    if (!this.open) return;
    this.open = false;
    const rest = this.decoder.decode();
    if (rest) this.onText(rest);
    this.end();
  }
}
