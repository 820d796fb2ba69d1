// The API server's max-in-flight filter (--max-requests-inflight,
// --max-mutating-requests-inflight): a limit on the requests being served at once, one
// for reads and one for writes, per isolate here as upstream's is per API server
// process. A request over the limit is refused at once with 429 and `Retry-After: 1`,
// before authorization and before any handler runs, so nothing of it is done.
// Long-running requests (watch, proxy, exec, attach, port-forward, logs) hold no slot:
// they would starve everything else, as upstream's LongRunningRequestCheck says.
// Upstream lets system:masters past a full limit; the one administrator token here is
// not exempt, or the limit would never apply to anyone.
//
// Upstream answers with a text/plain body; here the same message comes as a Status
// (reason TooManyRequests, details.retryAfterSeconds), as every error of this API
// does, which client-go and kubectl read the same way.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { requestAttributes, type RequestAttributes } from "./request-attributes";
import { tooManyRequests } from "../model/errors";

const RETRY_AFTER_SECONDS = 1;
const NON_MUTATING_VERBS = new Set(["get", "list", "watch"]);
const LONG_RUNNING_VERBS = new Set(["watch", "proxy"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

/** upstream's BasicLongRunningRequestCheck with the API server's default verbs and subresources. */
export function isLongRunning(attrs: RequestAttributes): boolean {
  return LONG_RUNNING_VERBS.has(attrs.verb) || (attrs.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(attrs.subresource));
}

export function isMutating(attrs: RequestAttributes): boolean {
  return !NON_MUTATING_VERBS.has(attrs.verb);
}

/** Requests being served now, by kind; a limit of 0 means no limit, as upstream. */
export class InFlight {
  private readonly count = { readOnly: 0, mutating: 0 };

  tryAcquire(kind: "readOnly" | "mutating", limit: number): boolean {
    if (limit > 0 && this.count[kind] >= limit) return false;
    this.count[kind]++;
    return true;
  }

  release(kind: "readOnly" | "mutating"): void {
    this.count[kind]--;
  }

  get current(): { readOnly: number; mutating: number } {
    return { ...this.count };
  }
}

/**
 * One counter per app, so per isolate in the deployed worker. The limits are read from
 * the configuration on every request, so an app built with another env has its own.
 */
export function maxInFlight(inFlight = new InFlight()): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const attrs = requestAttributes(c.req.method, new URL(c.req.url));
    if (isLongRunning(attrs)) return next();
    const { maxRequestsInflight, maxMutatingRequestsInflight } = c.get("api").config;
    const kind = isMutating(attrs) ? "mutating" : "readOnly";
    if (!inFlight.tryAcquire(kind, kind === "mutating" ? maxMutatingRequestsInflight : maxRequestsInflight)) {
      throw tooManyRequests("Too many requests, please try again later.", RETRY_AFTER_SECONDS);
    }
    try {
      await next();
    } finally {
      inFlight.release(kind);
    }
  };
}
