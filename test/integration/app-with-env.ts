// The API app built afresh with its own bindings: for tests that need another
// configuration (no API_TOKEN, small in-flight limits) without touching the worker the
// other tests in the file share. Same code as the worker's fetch handler, same D1.
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { buildApp } from "../../src/api/app";

export type Fetch = (req: Request) => Promise<Response>;

export function appWithEnv(overrides: Record<string, string>): Fetch {
  const app = buildApp();
  const appEnv = { ...env, ...overrides } as Env;
  return async (req) => app.fetch(req, appEnv, createExecutionContext());
}
