// What every API handler works with: the store to read (wired to wake the control
// plane on each change), the registry to write, the cluster configuration and a clock.
import type { Context } from "hono";
import { ObjectStore } from "../store/store";
import { readConfig, type ClusterConfig } from "../config";
import { dispatchChanges } from "../controlplane/dispatch";
import { remoteServiceAddresses } from "../controlplane/service-addresses";
import { Registry } from "../registry/registry";
import { defaultingFrom } from "../registry/defaults";
import type { UserInfo } from "../model/user-info";
import type { KubeObject } from "../model/types";

export interface ApiContext {
  env: Env;
  /** Reads. */
  store: ObjectStore;
  /** Every write. */
  registry: Registry;
  config: ClusterConfig;
  now: () => number;
  /**
   * A check of the object a create, update or patch is about to store, set by the
   * filter chain for writes that need the writer's rights (RBAC's escalation checks).
   * It throws to refuse.
   */
  admit?: (obj: KubeObject) => Promise<void>;
}

/**
 * Who a request speaks for: the cluster administrator (API_TOKEN), one node, a user
 * (a ServiceAccount token, or anyone the administrator impersonates), or nobody (open paths).
 */
export type RequestUser = { kind: "admin" } | { kind: "node"; node: string } | { kind: "user"; user: UserInfo } | { kind: "anonymous" };

export type AppEnv = { Bindings: Env; Variables: { api: ApiContext; user: RequestUser } };

export function makeApiContext(env: Env, waitUntil: (p: Promise<unknown>) => void): ApiContext {
  const config = readConfig(env);
  const store = new ObjectStore(env.DB, (changes) => waitUntil(dispatchChanges(env, changes)), { changeLogRetain: config.changeLogRetain });
  const now = () => Date.now();
  const registry = new Registry(store, { now, defaults: defaultingFrom(config), hooks: { serviceAddresses: remoteServiceAddresses(env) } });
  return { env, store, registry, config, now };
}

export function api(c: Context<AppEnv>): ApiContext {
  return c.get("api");
}
