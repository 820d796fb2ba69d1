// ServiceAccount tokens through the worker: the TokenRequest subresource, what a token
// authenticates as, when it stops working (expired, wrong signature, wrong audience,
// its ServiceAccount deleted or made again), TokenReview, SelfSubjectReview and the
// issuer discovery documents.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call, callJson, waitFor } from "./helpers";
import { claimsOf, createNamespace, createServiceAccount, tokenFor, type StatusBody } from "./rbac-helpers";
import { signingKey } from "../../src/api/signing-key";
import { issueToken, ISSUER } from "../../src/api/service-account-tokens";
import { ObjectStore } from "../../src/store/store";
import { readConfig } from "../../src/config";

const NS = "sa-tokens";
const WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
const REVIEW = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };

async function whoami(token: string) {
  return callJson<{ status: { userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> } } } & StatusBody>(WHOAMI, { method: "POST", body: REVIEW, token });
}

let readerUid = "";

beforeAll(async () => {
  await createNamespace(NS);
  readerUid = (await createServiceAccount(NS, "reader")).uid;
});

describe("TokenRequest", () => {
  it("signs upstream's claims for the ServiceAccount, an hour by default", async () => {
    const res = await callJson<{ kind: string; apiVersion: string; spec: { audiences: string[]; expirationSeconds: number }; status: { token: string; expirationTimestamp: string } }>(
      `/api/v1/namespaces/${NS}/serviceaccounts/reader/token`,
      { method: "POST", body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} } },
    );
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe("TokenRequest");
    expect(res.body.spec).toMatchObject({ audiences: [ISSUER], expirationSeconds: 3600 });
    const header = JSON.parse(atob(res.body.status.token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))) as { alg: string; kid: string };
    expect(header.alg).toBe("RS256");
    const c = claimsOf(res.body.status.token) as { iss: string; sub: string; aud: string[]; exp: number; iat: number; nbf: number; jti: string; "kubernetes.io": unknown };
    expect(c.iss).toBe(ISSUER);
    expect(c.sub).toBe(`system:serviceaccount:${NS}:reader`);
    expect(c.aud).toEqual([ISSUER]);
    expect(c.exp - c.iat).toBe(3600);
    expect(c.nbf).toBe(c.iat);
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(c["kubernetes.io"]).toEqual({ namespace: NS, serviceaccount: { name: "reader", uid: readerUid } });
    expect(Date.parse(res.body.status.expirationTimestamp) / 1000).toBe(c.exp);
  });

  it.each([
    [{ expirationSeconds: 60 }, 422, `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes`],
    [{ expirationSeconds: 2 ** 33 }, 422, `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 8589934592: may not specify a duration larger than 2^32 seconds`],
    [{ boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "nope" } }, 404, `pods "nope" not found`],
    [{ boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "x" } }, 400, "cannot bind token to object of type apps/v1, Kind=Deployment"],
  ])("refuses %j with %i", async (spec, code, message) => {
    const res = await callJson<StatusBody>(`/api/v1/namespaces/${NS}/serviceaccounts/reader/token`, { method: "POST", body: { spec } });
    expect(res.status).toBe(code);
    expect(res.body.message).toBe(message);
  });

  it("is a 404 for a ServiceAccount that does not exist", async () => {
    const res = await callJson<StatusBody>(`/api/v1/namespaces/${NS}/serviceaccounts/ghost/token`, { method: "POST", body: {} });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`serviceaccounts "ghost" not found`);
  });

  it("answers for the ServiceAccount before what the token would be bound to, as upstream", async () => {
    const res = await callJson<StatusBody>(`/api/v1/namespaces/${NS}/serviceaccounts/ghost/token`, { method: "POST", body: { spec: { boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "x" } } } });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`serviceaccounts "ghost" not found`);
  });
});

describe("a ServiceAccount token", () => {
  it("authenticates as the ServiceAccount, in its groups", async () => {
    const res = await whoami(await tokenFor(NS, "reader"));
    expect(res.status).toBe(201);
    const u = res.body.status.userInfo;
    expect(u.username).toBe(`system:serviceaccount:${NS}:reader`);
    expect(u.uid).toBe(readerUid);
    expect(u.groups).toEqual(["system:serviceaccounts", `system:serviceaccounts:${NS}`, "system:authenticated"]);
    expect(u.extra?.["authentication.kubernetes.io/credential-id"]?.[0]).toMatch(/^JTI=/);
  });

  it("is refused with 401 when its signature is another token's", async () => {
    const a = await tokenFor(NS, "reader");
    const b = await tokenFor(NS, "reader", { expirationSeconds: 7200 });
    const forged = [...a.split(".").slice(0, 2), b.split(".")[2]].join(".");
    const res = await whoami(forged);
    expect(res.status).toBe(401);
    expect(res.body.reason).toBe("Unauthorized");
  });

  it("is refused when meant for another audience, which a TokenReview for that audience accepts", async () => {
    const token = await tokenFor(NS, "reader", { audiences: ["https://vault.example.com"] });
    expect((await whoami(token)).status).toBe(401);
    const review = await callJson<{ status: { authenticated?: boolean; audiences?: string[]; user: { username?: string }; error?: string } }>("/apis/authentication.k8s.io/v1/tokenreviews", {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences: ["https://vault.example.com"] } },
    });
    expect(review.status).toBe(201);
    expect(review.body.status).toMatchObject({ authenticated: true, audiences: ["https://vault.example.com"], user: { username: `system:serviceaccount:${NS}:reader` } });
    const forApi = await callJson<{ status: { authenticated?: boolean; error?: string } }>("/apis/authentication.k8s.io/v1/tokenreviews", {
      method: "POST",
      body: { spec: { token } },
    });
    expect(forApi.body.status.authenticated).toBeUndefined();
    expect(forApi.body.status.error).toBe(`token audiences ["https://vault.example.com"] is invalid for the target audiences ["${ISSUER}"]`);
  });

  it("is refused once expired", async () => {
    const store = new ObjectStore(env.DB);
    const sa = (await store.get("serviceaccounts", NS, "reader"))!;
    const issuedMs = Date.now() - 2 * 3600_000;
    const { token } = await issueToken(await signingKey(env.DB, () => Date.now(), readConfig(env).serviceAccountKeyAlgorithm), { serviceAccount: sa, audiences: [ISSUER], expirationSeconds: 3600, nowMs: issuedMs });
    expect((await whoami(token)).status).toBe(401);
    const review = await callJson<{ status: { error?: string } }>("/apis/authentication.k8s.io/v1/tokenreviews", { method: "POST", body: { spec: { token } } });
    expect(review.body.status.error).toBe("service account token has expired");
  });

  it("stops working when its ServiceAccount is deleted, and stays refused when one of the same name is made again", async () => {
    await createServiceAccount(NS, "short-lived");
    const token = await tokenFor(NS, "short-lived");
    expect((await whoami(token)).status).toBe(201);
    expect((await call(`/api/v1/namespaces/${NS}/serviceaccounts/short-lived`, { method: "DELETE" })).status).toBe(200);
    expect((await whoami(token)).status).toBe(401);
    const review = await callJson<{ status: { error?: string } }>("/apis/authentication.k8s.io/v1/tokenreviews", { method: "POST", body: { spec: { token } } });
    expect(review.body.status.error).toBe(`service account ${NS}/short-lived has been deleted`);
    const again = await createServiceAccount(NS, "short-lived");
    expect((await whoami(token)).status).toBe(401);
    const review2 = await callJson<{ status: { error?: string } }>("/apis/authentication.k8s.io/v1/tokenreviews", { method: "POST", body: { spec: { token } } });
    expect(review2.body.status.error).toMatch(new RegExp(`^service account UID \\(${again.uid}\\) does not match claim`));
  });

  it("bound to a pod, names the pod and dies with it", async () => {
    const pod = await callJson<{ metadata: { uid: string } }>(`/api/v1/namespaces/${NS}/pods`, {
      method: "POST",
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "bound" }, spec: { serviceAccountName: "reader", containers: [{ name: "c", image: "nginx:1.27" }] } },
    });
    expect(pod.status).toBe(201);
    const token = await tokenFor(NS, "reader", { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "bound", uid: pod.body.metadata.uid } });
    expect((claimsOf(token)["kubernetes.io"] as { pod: unknown }).pod).toEqual({ name: "bound", uid: pod.body.metadata.uid });
    const me = await whoami(token);
    expect(me.body.status.userInfo.extra?.["authentication.kubernetes.io/pod-name"]).toEqual(["bound"]);
    expect((await call(`/api/v1/namespaces/${NS}/pods/bound?gracePeriodSeconds=0`, { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => (await callJson(`/api/v1/namespaces/${NS}/pods/bound`)).status === 404, "the pod to be gone");
    expect((await whoami(token)).status).toBe(401);
  });
});

describe("the administrator", () => {
  it("is kubernetes-admin in system:masters", async () => {
    const res = await callJson<{ status: { userInfo: { username: string; groups: string[] } } }>(WHOAMI, { method: "POST", body: REVIEW });
    expect(res.body.status.userInfo).toEqual({ username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] });
  });
});

describe("issuer discovery", () => {
  it("serves the OpenID configuration and the key that verifies tokens", async () => {
    const token = await tokenFor(NS, "reader");
    const conf = await callJson<{ issuer: string; jwks_uri: string; id_token_signing_alg_values_supported: string[] }>("/.well-known/openid-configuration", { token });
    expect(conf.status).toBe(200);
    expect(conf.body.issuer).toBe(ISSUER);
    expect(conf.body.jwks_uri).toBe("https://edgekube.test/openid/v1/jwks");
    const jwks = await callJson<{ keys: (JsonWebKey & { kid: string })[] }>("/openid/v1/jwks", { token });
    expect(jwks.status).toBe(200);
    const [key] = jwks.body.keys;
    expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect((key as { d?: string }).d).toBeUndefined();
    // The published key verifies a token the cluster issued.
    const [h, p, s] = token.split(".");
    expect(JSON.parse(atob(h.replace(/-/g, "+").replace(/_/g, "/"))).kid).toBe(key.kid);
    const pub = await crypto.subtle.importKey("jwk", { kty: key.kty, n: key.n, e: key.e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    const sig = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", pub, sig, new TextEncoder().encode(`${h}.${p}`))).toBe(true);
  });
});
