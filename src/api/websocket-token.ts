// The bearer token a WebSocket client carries in a subprotocol, as the API server's
// websocket protocol authenticator reads it (k8s.io/apiserver, request/websocket):
// browsers cannot set Authorization on a WebSocket, so a client offers
// `base64url.bearer.authorization.k8s.io.<token, base64url without padding>` beside
// the protocol it speaks. Once the token is taken, that entry leaves the request's
// Sec-WebSocket-Protocol, so the handler never picks it as the answer and the token
// goes no further than authentication.

export const BEARER_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

export type WebSocketToken =
  | { kind: "none" }
  | { kind: "invalid"; otherProtocols: string[] }
  | { kind: "token"; token: string; otherProtocols: string[] };

/** True for a WebSocket upgrade, as wsstream.IsWebSocketRequest judges it. */
export function isWebSocketRequest(headers: Headers): boolean {
  const connection = (headers.get("connection") ?? "").toLowerCase();
  const upgrade = (headers.get("upgrade") ?? "").toLowerCase();
  // workerd may drop the hop-by-hop Connection header; an Upgrade of websocket says enough.
  return upgrade === "websocket" && (connection === "" || connection.split(",").some((t) => t.trim() === "upgrade"));
}

/**
 * The token from a WebSocket request's subprotocols. Invalid (401 upstream): two token
 * entries, a token that is not base64url or not UTF-8, or a token with no other
 * protocol to answer with.
 */
export function webSocketToken(headers: Headers): WebSocketToken {
  if (!isWebSocketRequest(headers)) return { kind: "none" };
  const offered = (headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const others = offered.filter((p) => p && !p.startsWith(BEARER_PROTOCOL_PREFIX));
  const tokens = offered.filter((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (tokens.length === 0) return { kind: "none" };
  const token = tokens.length === 1 ? decodeBase64Url(tokens[0].slice(BEARER_PROTOCOL_PREFIX.length)) : undefined;
  if (!token || others.length === 0) return { kind: "invalid", otherProtocols: others };
  return { kind: "token", token, otherProtocols: others };
}

/** base64url without padding (Go's RawURLEncoding) to UTF-8 text; undefined when it is neither. */
function decodeBase64Url(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) return undefined;
  const b64 = encoded.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (encoded.length % 4)) % 4);
  try {
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}
