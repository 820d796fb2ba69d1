// Drives the worker the way a client does: through its fetch handler, with the token.
import { exports } from "cloudflare:workers";

// The generated Env types do not describe the main module's exports.
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

export const TOKEN = "test-token";
export const BASE = "https://edgekube.test";

interface CallOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.accept) headers.accept = opts.accept;
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    headers["content-type"] = opts.contentType ?? "application/json";
    body = typeof opts.body === "string" || opts.body instanceof Uint8Array ? (opts.body as BodyInit) : JSON.stringify(opts.body);
  }
  return worker.fetch(new Request(BASE + path, { method: opts.method ?? "GET", headers, body }));
}

export async function callJson<T = Record<string, unknown>>(path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
  const res = await call(path, opts);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export function pod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name } },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }], ...extra },
  };
}

/** Poll until `check` returns something truthy: pokes run in the background (waitUntil). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await check();
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
