// Bearer-token authentication and authorization, split as the API server's handler
// chain splits them: authenticate first (401), then the in-flight limit, then
// authorize (403). A deployed worker takes its token from the API_TOKEN secret and
// refuses every request while none is set; /version and the health endpoints stay
// open, as they are to anonymous users on many clusters. Three kinds of token
// authenticate: the administrator's (system:masters), a node's (node-token.ts) and a
// ServiceAccount's JWT (service-account-tokens.ts). A WebSocket may carry its token in
// a subprotocol instead of the header (websocket-token.ts).
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, RequestUser } from "./context";
import { unauthorized } from "../model/errors";
import { ADMIN_USER, ANONYMOUS, ALL_UNAUTHENTICATED, nodeUser, type UserInfo } from "../model/user-info";
import { nodeOfToken } from "./node-token";
import { sameSecret } from "./same-secret";
import { looksLikeJwt } from "./jwt";
import { signingKey } from "./signing-key";
import { API_AUDIENCES, authenticateToken } from "./service-account-tokens";
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
    const user = await userOfToken(c, token);
    if (!user) throw unauthorized();
    c.set("user", user);
    return next();
  };
}

async function userOfToken(c: Context<AppEnv>, token: string): Promise<RequestUser | undefined> {
  const expected = c.env.API_TOKEN;
  if (!expected || !token) return undefined;
  if (sameSecret(token, expected)) return { kind: "admin" };
  const node = await nodeOfToken(expected, token);
  if (node) return { kind: "node", node };
  if (!looksLikeJwt(token)) return undefined;
  const api = c.get("api");
  const result = await authenticateToken(api.store, await signingKey(c.env.DB, api.now, api.config.serviceAccountKeyAlgorithm), token, API_AUDIENCES, api.now());
  return result.ok ? { kind: "user", user: result.user } : undefined;
}

/** The user a request speaks for, as UserInfo (what reviews report and RBAC decides on). */
export function userInfoOf(user: RequestUser): UserInfo {
  switch (user.kind) {
    case "admin":
      return ADMIN_USER;
    case "node":
      return nodeUser(user.node);
    case "user":
      return user.user;
    case "anonymous":
      return { username: ANONYMOUS, groups: [ALL_UNAUTHENTICATED] };
  }
}
