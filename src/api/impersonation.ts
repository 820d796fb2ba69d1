// Impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): a request
// with Impersonate-User (and optionally Impersonate-Group, Impersonate-Uid,
// Impersonate-Extra-*) acts as that user, if the requester may `impersonate` each of
// them: users, groups, uids and userextras, or serviceaccounts in their namespace for
// a ServiceAccount's username. What is then authorized is the impersonated user.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { badRequest } from "../model/errors";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, serviceAccountGroups, splitServiceAccountUsername, type UserInfo } from "../model/user-info";
import type { Attributes } from "../model/rbac-rules";
import { authorizeAttributes } from "./authorizer";
import { userInfoOf } from "./auth";
import { forbiddenFor } from "./forbidden";
import { ensureCluster } from "../controlplane/bootstrap";

const USER = "impersonate-user";
const GROUP = "impersonate-group";
const UID = "impersonate-uid";
const EXTRA_PREFIX = "impersonate-extra-";

export function impersonate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const headers = c.req.raw.headers;
    const username = headers.get(USER) ?? "";
    // Several Impersonate-Group headers arrive joined by ", ".
    const groups = headers.has(GROUP) ? (headers.get(GROUP) ?? "").split(",").map((g) => g.trim()).filter((g) => g) : [];
    const uid = headers.get(UID) ?? "";
    const extra: Record<string, string[]> = {};
    for (const [k, v] of headers) {
      if (!k.startsWith(EXTRA_PREFIX)) continue;
      const key = decodeURIComponent(k.slice(EXTRA_PREFIX.length));
      extra[key] = v.split(",").map((x) => x.trim());
    }
    if (!username) {
      if (groups.length || uid || Object.keys(extra).length) throw badRequest("requested impersonation of groups, uid or extra without impersonating a user");
      return next();
    }
    const requester = userInfoOf(c.get("user"));
    const ctx = c.get("api");
    await ensureCluster(ctx);
    const check = async (attrs: Omit<Attributes, "user" | "verb" | "isResourceRequest" | "path">) => {
      const full: Attributes = { ...attrs, user: requester, verb: "impersonate", isResourceRequest: true, path: c.req.path };
      const decision = await authorizeAttributes(ctx.store, full);
      if (!decision.allowed) throw forbiddenFor(requester.username, full, decision.reason);
    };
    const sa = splitServiceAccountUsername(username);
    if (sa) await check({ apiGroup: "", resource: "serviceaccounts", subresource: "", namespace: sa.namespace, name: sa.name });
    else await check({ apiGroup: "", resource: "users", subresource: "", namespace: "", name: username });
    for (const g of groups) await check({ apiGroup: "", resource: "groups", subresource: "", namespace: "", name: g });
    if (uid) await check({ apiGroup: "authentication.k8s.io", resource: "uids", subresource: "", namespace: "", name: uid });
    for (const [key, values] of Object.entries(extra)) {
      for (const v of values) await check({ apiGroup: "authentication.k8s.io", resource: "userextras", subresource: key, namespace: "", name: v });
    }
    const acting: string[] = sa && groups.length === 0 ? serviceAccountGroups(sa.namespace) : [...groups];
    if (username === ANONYMOUS) {
      if (!acting.includes(ALL_UNAUTHENTICATED)) acting.push(ALL_UNAUTHENTICATED);
    } else if (!acting.includes(ALL_AUTHENTICATED)) acting.push(ALL_AUTHENTICATED);
    const user: UserInfo = { username, groups: acting, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
    c.set("user", { kind: "user", user });
    return next();
  };
}
