// Whose a token is, for a TokenReview: the administrator's and nodes' tokens are valid
// for the API server's own audiences only; a ServiceAccount token for the audiences it
// was issued for.
import type { ApiContext } from "./context";
import { ADMIN_USER, nodeUser, type UserInfo } from "../model/user-info";
import { sameSecret } from "./same-secret";
import { nodeOfToken } from "./node-token";
import { signingKey } from "./signing-key";
import { API_AUDIENCES, authenticateToken, type TokenAuthentication } from "./service-account-tokens";
import { looksLikeJwt } from "./jwt";

export async function authenticateAnyToken(ctx: ApiContext, token: string, requested: string[]): Promise<TokenAuthentication> {
  const audiences = requested.length ? requested : API_AUDIENCES;
  if (looksLikeJwt(token)) return authenticateToken(ctx.store, await signingKey(ctx.env.DB, ctx.now, ctx.config.serviceAccountKeyAlgorithm), token, audiences, ctx.now());
  const secret = ctx.env.API_TOKEN;
  let user: UserInfo | undefined;
  if (secret && sameSecret(token, secret)) user = ADMIN_USER;
  else if (secret) {
    const node = await nodeOfToken(secret, token);
    if (node) user = nodeUser(node);
  }
  if (!user) return { ok: false, reason: "invalid bearer token" };
  const matched = audiences.filter((a) => API_AUDIENCES.includes(a));
  if (!matched.length) return { ok: false, reason: "token audiences do not include the API server's" };
  return { ok: true, user, audiences: matched };
}
