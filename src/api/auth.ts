// Bearer-token authentication and authorization, split as the API server's handler
// chain splits them: authenticate first (401), then the in-flight limit, then
// authorize (403). A deployed worker takes its token from the API_TOKEN secret and
// refuses every request while none is set; /version and the health endpoints stay
// open, as they are to anonymous users on many clusters. A WebSocket may carry its
// token in a subprotocol instead of the header (websocket-token.ts).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { unauthorized } from "../model/errors";
import { nodeOfToken, authorizeNode } from "./node-token";
import { sameSecret } from "./same-secret";
import { requestAttributes } from "./request-attributes";
import { webSocketToken } from "./websocket-token";

const OPEN_PATHS = new Set(["/version", "/healthz", "/readyz", "/livez"]);

/**
 * The bearer token as the API server's bearer-token authenticator reads it: the header
 * trimmed and split on spaces, a case-insensitive "Bearer" scheme, the next field the
 * token. Anything else carries no token.
 */
export function bearerToken(header: string | undefined): string {
  const parts = (header ?? "").trim().split(" ");
  if (parts.length < 2 || parts[0].toLowerCase() !== "bearer") return "";
  return parts[1];
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) {
      c.set("user", { kind: "anonymous" });
      return next();
    }
    const expected = c.env.API_TOKEN;
    let token = bearerToken(c.req.header("authorization"));
    // A browser's WebSocket carries its token in a subprotocol (websocket-token.ts).
    const ws = webSocketToken(c.req.raw.headers);
    if (ws.kind !== "none") {
      // The token's entry leaves the request whichever credential is used: the handler
      // answers with the channel protocol, and the token is never echoed or passed on.
      const headers = new Headers(c.req.raw.headers);
      headers.set("sec-websocket-protocol", ws.otherProtocols.join(", "));
      c.req.raw = new Request(c.req.raw, { headers });
      if (!token && ws.kind === "invalid") throw unauthorized();
      if (!token && ws.kind === "token") token = ws.token;
    }
    if (!expected || !token) throw unauthorized();
    if (sameSecret(token, expected)) {
      c.set("user", { kind: "admin" });
      return next();
    }
    const node = await nodeOfToken(expected, token);
    if (!node) throw unauthorized();
    c.set("user", { kind: "node", node });
    return next();
  };
}

/** The administrator may do everything; a node only what the Node authorizer allows it here. */
export function authorize(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (user.kind === "node") authorizeNode(user.node, requestAttributes(c.req.method, new URL(c.req.url)));
    return next();
  };
}
