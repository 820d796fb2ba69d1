// The kubelet's token manager (pkg/kubelet/token): a serviceAccountToken projection gets
// a token bound to its pod from the API's TokenRequest, kept per pod and reused until it
// needs a refresh: past 80% of its life, or a day old, whichever comes first.
import type { ServiceAccountTokenProjection } from "../../model/volume-sources";

/** A day: no token is used longer than this, however long it lives (token manager's maxTTL). */
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
/** The token lifetime a projection that names none asks for (an hour). */
const DEFAULT_EXPIRATION_SECONDS = 3600;

export interface TokenAsk {
  namespace: string;
  serviceAccount: string;
  pod: { name: string; uid: string };
  audiences?: string[];
  expirationSeconds: number;
}

/** Asks the API for a bound token; throws TokenError with the API's message. */
export type TokenSource = (ask: TokenAsk) => Promise<{ token: string }>;

export class TokenError extends Error {}

export interface CachedToken {
  token: string;
  /** The kubelet's clock when it got the token (ms). */
  fetchedAt: number;
  expirationSeconds: number;
  /** What it was asked for: a changed projection asks again. */
  ask: string;
}

/** When the kubelet asks for a new token: 80% into its life, or after a day. */
export function tokenRefreshAt(fetchedAt: number, expirationSeconds: number): number {
  return fetchedAt + Math.min(MAX_TTL_MS, expirationSeconds * 800);
}

export function tokenAsk(namespace: string, serviceAccount: string, pod: { name: string; uid: string }, source: ServiceAccountTokenProjection): TokenAsk {
  return {
    namespace,
    serviceAccount,
    pod,
    ...(source.audience ? { audiences: [source.audience] } : {}),
    expirationSeconds: source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
  };
}

/** The cached token when it is still good for `ask` at `now`, else undefined. */
export function reusable(cached: CachedToken | undefined, ask: TokenAsk, now: number): CachedToken | undefined {
  if (!cached || cached.ask !== JSON.stringify(ask)) return undefined;
  return now < tokenRefreshAt(cached.fetchedAt, cached.expirationSeconds) ? cached : undefined;
}
