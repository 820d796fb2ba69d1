// What the OpenAPI documents share in how they are cached: the API server's content
// hashes (SHA-512, upper-case hex) and conditional requests on them.
import type { Context } from "hono";
import type { AppEnv } from "./context";

/** SHA-512 of the document, upper-case hex, as the API server's hashes look. */
export async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-512", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** True when the client's If-None-Match already names this ETag. */
export function notModified(c: Context<AppEnv>, etag: string): boolean {
  const inm = c.req.header("if-none-match");
  return !!inm && inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}
