// What every API handler works with: the store (wired to wake the control plane on
// each change), the cluster configuration and a clock.
import type { Context } from "hono";
import { ObjectStore } from "../store/store";
import { readConfig, type ClusterConfig } from "../config";
import { dispatchChanges } from "../controlplane/dispatch";

export interface ApiContext {
  env: Env;
  store: ObjectStore;
  config: ClusterConfig;
  now: () => number;
}

export type AppEnv = { Bindings: Env; Variables: { api: ApiContext } };

export function makeApiContext(env: Env, waitUntil: (p: Promise<unknown>) => void): ApiContext {
  const store = new ObjectStore(env.DB, (changes) => waitUntil(dispatchChanges(env, changes)));
  return { env, store, config: readConfig(env), now: () => Date.now() };
}

export function api(c: Context<AppEnv>): ApiContext {
  return c.get("api");
}
