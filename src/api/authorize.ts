// The authorization filter (403): the administrator may do everything, a node what
// the Node authorizer allows it, any other user what the authorizer chain
// (authorizer.ts: system:masters, then RBAC) allows, with the API server's message.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { authorizeNode } from "./node-token";
import { forbiddenFor } from "./forbidden";
import { requestAttributes } from "./request-attributes";
import { authorizeAttributes } from "./authorizer";
import { ensureCluster } from "../controlplane/bootstrap";

export function authorize(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (user.kind === "node") authorizeNode(user.node, requestAttributes(c.req.method, new URL(c.req.url)));
    if (user.kind === "user") {
      const attrs = requestAttributes(c.req.method, new URL(c.req.url));
      // The default roles and bindings must exist before anything is decided with them.
      await ensureCluster(c.get("api"));
      const decision = await authorizeAttributes(c.get("api").store, { ...attrs, user: user.user });
      if (!decision.allowed) throw forbiddenFor(user.user.username, attrs, decision.reason);
    }
    return next();
  };
}
