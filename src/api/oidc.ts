// Service account issuer discovery (pkg/serviceaccount/openidmetadata.go): the OpenID
// configuration and the JWKS with the public signing key, so anyone holding a
// ServiceAccount token can verify it offline. The jwks_uri points at this server (the
// issuer URL is the in-cluster name, which nothing outside resolves).
import { Hono } from "hono";
import type { AppEnv } from "./context";
import { signingKey } from "./signing-key";
import { ISSUER } from "./service-account-tokens";

export const oidc = new Hono<AppEnv>();

const JWKS_PATH = "/openid/v1/jwks";
const CACHE = { "cache-control": "public, max-age=3600" };

oidc.get("/.well-known/openid-configuration", async (c) => {
  const api = c.get("api");
  // The algorithms of the published keys, as upstream lists them.
  const key = await signingKey(c.env.DB, api.now, api.config.serviceAccountKeyAlgorithm);
  const origin = new URL(c.req.url).origin;
  const doc = {
    issuer: ISSUER,
    jwks_uri: `${origin}${JWKS_PATH}`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [key.alg],
  };
  return c.json(doc, 200, CACHE);
});

oidc.get(JWKS_PATH, async (c) => {
  const api = c.get("api");
  const key = await signingKey(c.env.DB, api.now, api.config.serviceAccountKeyAlgorithm);
  return c.body(JSON.stringify({ keys: [key.publicJwk] }), 200, { "content-type": "application/jwk-set+json", ...CACHE });
});
