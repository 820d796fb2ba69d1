// Bound ServiceAccount tokens (pkg/serviceaccount): JWTs the cluster signs for one
// ServiceAccount, one or more audiences and a lifetime, optionally bound to a pod.
// Authenticating one re-reads the ServiceAccount (and the pod): a token outlives
// neither, because the uids in the claims must still match (a ServiceAccount deleted
// and made again under the same name is another account).
import type { ObjectStore } from "../store/store";
import type { KubeObject } from "../model/types";
import { ALL_AUTHENTICATED, serviceAccountGroups, serviceAccountUsername, type UserInfo } from "../model/user-info";
import { signJwt, verifyJwt } from "./jwt";
import type { SigningKey } from "./signing-key";

/** The API server's --service-account-issuer, and its default --api-audiences. */
export const ISSUER = "https://kubernetes.default.svc.cluster.local";
export const API_AUDIENCES = [ISSUER];

interface Ref {
  name: string;
  uid: string;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": { namespace: string; serviceaccount: Ref; pod?: Ref };
}

export interface TokenGrant {
  serviceAccount: KubeObject;
  audiences: string[];
  expirationSeconds: number;
  pod?: KubeObject;
  nowMs: number;
}

export async function issueToken(key: SigningKey, grant: TokenGrant): Promise<{ token: string; claims: TokenClaims }> {
  const { serviceAccount: sa, pod } = grant;
  const namespace = sa.metadata.namespace ?? "";
  const iat = Math.floor(grant.nowMs / 1000);
  const claims: TokenClaims = {
    aud: grant.audiences,
    exp: iat + grant.expirationSeconds,
    iat,
    iss: ISSUER,
    jti: crypto.randomUUID(),
    "kubernetes.io": {
      namespace,
      ...(pod ? { pod: { name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" } } : {}),
      serviceaccount: { name: sa.metadata.name ?? "", uid: sa.metadata.uid ?? "" },
    },
    nbf: iat,
    sub: serviceAccountUsername(namespace, sa.metadata.name ?? ""),
  };
  return { token: await signJwt(key.privateKey, key.kid, { ...claims }, key.alg), claims };
}

export type TokenAuthentication = { ok: true; user: UserInfo; audiences: string[] } | { ok: false; reason: string };

/**
 * The user a token speaks for, when it verifies, is meant for one of `audiences`, is
 * within its lifetime and names a ServiceAccount (and pod) that still exists.
 */
export async function authenticateToken(store: ObjectStore, key: SigningKey, token: string, audiences: string[], nowMs: number): Promise<TokenAuthentication> {
  const verified = await verifyJwt(key.publicKey, token, key.alg);
  if (!verified.ok) return verified;
  const c = verified.claims as Partial<TokenClaims>;
  if (c.iss !== ISSUER) return { ok: false, reason: "token issuer is not trusted" };
  const tokenAudiences = typeof c.aud === "string" ? [c.aud] : Array.isArray(c.aud) ? c.aud.filter((a): a is string => typeof a === "string") : [];
  const matched = audiences.filter((a) => tokenAudiences.includes(a));
  if (matched.length === 0) return { ok: false, reason: `token audiences ${goQuoteList(tokenAudiences)} is invalid for the target audiences ${goQuoteList(audiences)}` };
  const now = Math.floor(nowMs / 1000);
  // go-jose's default leeway for exp and nbf is one minute.
  const LEEWAY = 60;
  if (typeof c.exp !== "number" || now > c.exp + LEEWAY) return { ok: false, reason: "service account token has expired" };
  if (typeof c.nbf === "number" && now < c.nbf - LEEWAY) return { ok: false, reason: "service account token is not valid yet" };
  if (typeof c.iat === "number" && now < c.iat - LEEWAY) return { ok: false, reason: "service account token is issued in the future" };
  const k = c["kubernetes.io"];
  const namespace = k?.namespace;
  const saRef = k?.serviceaccount;
  if (!namespace || !saRef?.name || !saRef.uid) return { ok: false, reason: "service account token claims are missing the namespace or service account" };
  if (c.sub !== serviceAccountUsername(namespace, saRef.name)) return { ok: false, reason: "service account token's subject does not match its claims" };
  const sa = await store.get("serviceaccounts", namespace, saRef.name);
  if (!sa || sa.metadata.deletionTimestamp) return { ok: false, reason: `service account ${namespace}/${saRef.name} has been deleted` };
  if (sa.metadata.uid !== saRef.uid) return { ok: false, reason: `service account UID (${sa.metadata.uid}) does not match claim (${saRef.uid})` };
  const extra: Record<string, string[]> = {};
  if (typeof c.jti === "string") extra["authentication.kubernetes.io/credential-id"] = [`JTI=${c.jti}`];
  if (k.pod) {
    const pod = await store.get("pods", namespace, k.pod.name);
    if (!pod || pod.metadata.deletionTimestamp) return { ok: false, reason: `pod ${namespace}/${k.pod.name} has been deleted` };
    if (pod.metadata.uid !== k.pod.uid) return { ok: false, reason: `pod UID (${pod.metadata.uid}) does not match claim (${k.pod.uid})` };
    extra["authentication.kubernetes.io/pod-name"] = [k.pod.name];
    extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid];
  }
  const user: UserInfo = {
    username: serviceAccountUsername(namespace, saRef.name),
    uid: saRef.uid,
    groups: [...serviceAccountGroups(namespace), ALL_AUTHENTICATED],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
  return { ok: true, user, audiences: matched };
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}
