// pods/NAME/portforward at the kubelet: a WebSocket whose subprotocol says how the
// forwarded connections travel. `SPDY/3.1+portforward.k8s.io` (kubectl 1.31+, client-go's
// tunneling dialer) carries SPDY/3.1 frames in binary messages (spdy-session.ts);
// `v4.channel.k8s.io`, `v4.base64.channel.k8s.io` or no subprotocol at all is the
// channel protocol with the ports in the URL (channel-session.ts). Each connection
// reaches the port through the runtime's PortForward dial, inside the pod's network
// namespace, whatever the pod declares in containerPorts.
import type { Pod } from "../../../model/types";
import type { Kubelet } from "../../kubelet/kubelet";
import { acceptStream } from "../stream-upgrade";
import { badRequest } from "../status";
import { recordOf } from "../target";
import { ChannelPortForwardSession } from "./channel-session";
import { forwardingError, parsePorts, type Dial } from "./forwarder";
import { SpdyPortForwardSession } from "./spdy-session";

export const SPDY_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";
const CHANNEL_PROTOCOLS: Record<string, { base64: boolean }> = {
  "v4.channel.k8s.io": { base64: false },
  "v4.base64.channel.k8s.io": { base64: true },
  "channel.k8s.io": { base64: false },
  "base64.channel.k8s.io": { base64: true },
};

interface PortForwardDeps {
  waitUntil(p: Promise<unknown>): void;
  /** Pauses between channel messages and before the close (exec-channels.ts says why). */
  frameGapMs: number;
  closeGapMs: number;
}

function chooseProtocol(req: Request): string {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") throw badRequest("Upgrade request required");
  const offered = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!offered.length) return "";
  const chosen = offered.find((p) => p === SPDY_TUNNEL_PROTOCOL || p in CHANNEL_PROTOCOLS);
  if (chosen === undefined) {
    const supported = [SPDY_TUNNEL_PROTOCOL, ...Object.keys(CHANNEL_PROTOCOLS)];
    throw badRequest(`unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(" ")}], server supports [${supported.join(" ")}]`);
  }
  return chosen;
}

const bytesOf = (data: unknown): Uint8Array | undefined => (data instanceof ArrayBuffer ? new Uint8Array(data) : undefined);

export function podPortForward(req: Request, pod: Pod, kubelet: Kubelet, deps: PortForwardDeps): Response {
  const protocol = chooseProtocol(req);
  const url = new URL(req.url);
  // The API server names them `ports`, the kubelet `port`.
  const ports = protocol === SPDY_TUNNEL_PROTOCOL ? [] : parsePorts([...url.searchParams.getAll("ports"), ...url.searchParams.getAll("port")]);
  if (!Array.isArray(ports)) throw badRequest(ports.error);

  const rec = recordOf(kubelet, pod);
  const runtime = kubelet.runtime()?.runtime;
  const sandboxId = rec?.sandboxId;
  if (!runtime || !sandboxId || rec.terminal) {
    throw badRequest(`unable to upgrade connection: pod not found ("${pod.metadata.name}_${pod.metadata.namespace ?? "default"}")`);
  }
  // The CRI streaming server knows the sandbox, not the pod: its messages name the sandbox and an empty uid.
  const dial: Dial = async (port) => {
    const dialled = await runtime.portForwardDial(sandboxId, port);
    if (!dialled.ok) return { error: forwardingError(port, sandboxId, "", dialled.error) };
    return { request: (r) => runtime.podHttp(sandboxId, port, r) };
  };

  return acceptStream(protocol, deps.waitUntil, (ws) => {
    const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
    const socket = {
      send: (m: Uint8Array | string) => ws.send(m),
      close: (code: number, reason: string) => ws.close(code, reason.slice(0, 120)),
    };
    if (protocol === SPDY_TUNNEL_PROTOCOL) {
      const session = new SpdyPortForwardSession(socket, dial);
      ws.addEventListener("message", (ev) => {
        const bytes = bytesOf(ev.data);
        if (bytes) session.receive(bytes);
      });
      ws.addEventListener("close", () => session.disconnected());
    } else {
      const session = new ChannelPortForwardSession(socket, ports, dial, { base64: CHANNEL_PROTOCOLS[protocol]?.base64 ?? false, frameGapMs: deps.frameGapMs, closeGapMs: deps.closeGapMs });
      ws.addEventListener("message", (ev) => {
        const data = ev.data;
        session.receive(typeof data === "string" ? data : (bytesOf(data) ?? new Uint8Array(0)));
      });
      ws.addEventListener("close", () => session.disconnected());
    }
    return closed;
  });
}
