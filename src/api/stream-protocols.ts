// Which streaming protocols the pod subresources speak, and the answer to a client
// that speaks another. exec and attach stream over WebSocket (v5.channel.k8s.io, the
// kubelet's side is src/node/explore/exec.ts and attach.ts), port-forward over
// WebSocket too (SPDY/3.1 tunneled in it, kubectl 1.31+, or v4.channel.k8s.io;
// src/node/explore/portforward/). A Worker cannot serve SPDY/3.1 upgrades, which
// kubectl uses for exec before 1.30 (1.29 only behind KUBECTL_REMOTE_COMMAND_WEBSOCKETS),
// for attach before 1.30 and for port-forward before 1.31.
//
// client-go's SPDY round tripper, given anything but 101, decodes the body as a Status
// and returns it as the error, so kubectl prints this message as it stands:
// "Error from server (BadRequest): ..." (exec, attach) or "error upgrading connection:
// ..." (port-forward). Its WebSocket executor falls back to SPDY after a failed upgrade,
// so a client that tries both ends with the same words.
import { badRequest, type ApiError } from "../model/errors";

/** The streaming subresources of a pod (upstream's connect subresources, proxy aside). */
export const STREAM_SUBRESOURCES = ["exec", "attach", "portforward"];

const isWebSocket = (req: Request) => req.headers.get("upgrade")?.toLowerCase() === "websocket";

/**
 * A SPDY client: it names its stream protocols in X-Stream-Protocol-Version (a WebSocket
 * client names them in Sec-WebSocket-Protocol) and POSTs. wrangler dev drops the
 * `Upgrade: SPDY/3.1` header itself before the Worker sees it, so that header is a
 * hint, not the test.
 */
export function isSpdyUpgrade(req: Request): boolean {
  if (isWebSocket(req)) return false;
  return req.headers.get("upgrade")?.toLowerCase().startsWith("spdy") === true || req.headers.has("x-stream-protocol-version");
}

const EXEC_OVER_WEBSOCKET =
  "exec is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer (kubectl 1.29: set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)";
const ATTACH_OVER_WEBSOCKET = "attach is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer";
const PORT_FORWARD_OVER_WEBSOCKET =
  "port-forward is served over WebSocket (SPDY/3.1+portforward.k8s.io, v4.channel.k8s.io) only: use kubectl 1.31 or newer";

/**
 * The refusal of a streaming request this server cannot serve, or undefined when the
 * request goes on to the kubelet (exec, attach or port-forward over WebSocket, or a
 * request that is no upgrade at all, which the kubelet answers "Upgrade request
 * required" as upstream's proxy does).
 */
export function streamRefusal(req: Request, subresource: string): ApiError | undefined {
  switch (subresource) {
    case "exec":
      if (!isSpdyUpgrade(req)) return undefined;
      return badRequest(`unable to upgrade connection: this server cannot serve SPDY/3.1; ${EXEC_OVER_WEBSOCKET}`);
    case "attach":
      if (!isSpdyUpgrade(req)) return undefined;
      return badRequest(`unable to upgrade connection: this server cannot serve SPDY/3.1; ${ATTACH_OVER_WEBSOCKET}`);
    case "portforward":
      // client-go's port-forward dialer prints this as "error upgrading connection: ...".
      if (!isSpdyUpgrade(req)) return undefined;
      return badRequest(`unable to upgrade connection: this server cannot serve SPDY/3.1; ${PORT_FORWARD_OVER_WEBSOCKET}`);
    default:
      return undefined;
  }
}
