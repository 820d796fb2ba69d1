// Headers every API response carries, as the API server sets them: `Cache-Control:
// no-cache, private` unless a handler chose otherwise (WithCacheControl), and
// `X-Content-Type-Options: nosniff`, so a browser never reads a JSON or log body as
// HTML or script. WebSocket upgrades (101) have no body and keep their headers as
// they are.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

export function safeResponseHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status === 101) return;
    const set = (headers: Headers) => {
      headers.set("x-content-type-options", "nosniff");
      if (!headers.has("cache-control")) headers.set("cache-control", "no-cache, private");
    };
    try {
      set(res.headers);
    } catch {
      // Responses from another worker or Durable Object (a kubelet's logs, a pod's
      // proxied page) have immutable headers: answer with a copy.
      const copy = new Response(res.body, res);
      set(copy.headers);
      c.res = undefined;
      c.res = copy;
    }
  };
}
