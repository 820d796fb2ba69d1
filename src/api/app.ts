// The API server: Hono app with authentication, discovery, OpenAPI, health and the
// resource routes. Every failure leaves through onError as a Kubernetes Status.
// The middleware runs in the API server's handler-chain order: response headers,
// authentication (401), the in-flight limit (429), impersonation, authorization (403),
// then routing.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { makeApiContext, type AppEnv } from "./context";
import { authenticate } from "./auth";
import { authorize } from "./authorize";
import { impersonate } from "./impersonation";
import { maxInFlight } from "./max-in-flight";
import { safeResponseHeaders } from "./response-headers";
import { discovery } from "./discovery";
import { openapi } from "./openapi";
import { metricsApi } from "./metrics";
import { health } from "./health";
import { admin } from "./admin";
import { oidc } from "./oidc";
import { routeResource } from "./resource-router";
import { ensureCluster } from "../controlplane/bootstrap";
import { ApiError, internalError } from "../model/errors";

export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", safeResponseHeaders());
  app.use("*", async (c, next) => {
    const ctx = makeApiContext(c.env, (p) => c.executionCtx.waitUntil(p));
    c.set("api", ctx);
    await next();
  });
  app.use("*", authenticate());
  app.use("*", maxInFlight());
  app.use("*", impersonate());
  app.use("*", authorize());
  app.route("/", health);
  app.route("/", discovery);
  app.route("/", openapi);
  app.route("/", admin);
  app.route("/", oidc);
  app.use("/api/*", async (c, next) => {
    await ensureCluster(c.get("api"));
    await next();
  });
  app.use("/apis/*", async (c, next) => {
    await ensureCluster(c.get("api"));
    await next();
  });
  app.route("/", metricsApi);
  app.all("/api/*", routeResource);
  app.all("/apis/*", routeResource);

  app.notFound(() => statusResponse(new ApiError(404, "NotFound", "the server could not find the requested resource", {})));
  app.onError((err) => {
    if (err instanceof ApiError) return statusResponse(err);
    if (err instanceof HTTPException) return statusResponse(new ApiError(err.status, "BadRequest", err.message));
    console.error("internal error:", err);
    return statusResponse(internalError((err as Error).message ?? String(err)));
  });
  return app;
}

/** A Status as the API server writes it; a Status that says when to retry also says it in Retry-After. */
function statusResponse(err: ApiError): Response {
  // A Status is small: sent as it is (negotiate.ts, json()).
  const headers: Record<string, string> = { "content-type": "application/json", "content-encoding": "identity" };
  const retryAfter = err.status.details?.retryAfterSeconds;
  if (retryAfter && retryAfter > 0) headers["retry-after"] = String(retryAfter);
  // Written in the API server's field order (kind, apiVersion, metadata, status, message,
  // reason, details, code), ending in a newline as its JSON encoder does.
  const { kind, apiVersion, metadata, status, message, reason, details, code } = err.status;
  return new Response(JSON.stringify({ kind, apiVersion, metadata, status, message, reason, details, code }) + "\n", { status: err.code, headers });
}
