import { Hono } from "hono";
import type { AppEnv } from "./context";

// Liveness and readiness, answered like the API server's plain-text checks.
export const health = new Hono<AppEnv>();
for (const path of ["/healthz", "/readyz", "/livez"]) {
  health.get(path, (c) => c.text("ok"));
}
