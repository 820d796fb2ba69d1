// Bearer-token authentication. A deployed worker takes its token from the API_TOKEN
// secret and refuses every request while none is set; /version and the health
// endpoints stay open, as they are on many clusters.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { unauthorized } from "../model/errors";
import { nodeOfToken, authorizeNode } from "./node-token";

const OPEN_PATHS = new Set(["/version", "/healthz", "/readyz", "/livez"]);

/** Constant-time comparison, so the token cannot be guessed byte by byte from timing. */
function sameToken(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

export function bearerAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return next();
    const expected = c.env.API_TOKEN;
    const header = c.req.header("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!expected || !token) throw unauthorized();
    if (sameToken(token, expected)) return next();
    const node = await nodeOfToken(expected, token);
    if (!node) throw unauthorized();
    authorizeNode(node, c.req.method.toUpperCase(), c.req.path);
    return next();
  };
}
