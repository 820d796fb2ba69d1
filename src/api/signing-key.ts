// The cluster's ServiceAccount signing key: an RSA 2048 key made once and kept in D1
// (src/store/signing-keys.ts), so tokens survive restarts and every isolate signs and
// verifies with the same key. Each isolate imports it once per database.
import { loadOrCreateSigningKey, type StoredSigningKey } from "../store/signing-keys";
import { base64url } from "./jwt";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as the JWKS document serves it. */
  publicJwk: JsonWebKey & { kid: string; use: string; alg: string };
}

const ALG = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const loaded = new WeakMap<D1Database, Promise<SigningKey>>();

export function signingKey(d1: D1Database, now: () => number): Promise<SigningKey> {
  let key = loaded.get(d1);
  if (!key) {
    key = loadOrCreateSigningKey(d1, generate, now()).then(importKey);
    // A failure (D1 unavailable) is not remembered: the next request tries again.
    key.catch(() => loaded.delete(d1));
    loaded.set(d1, key);
  }
  return key;
}

/** Upstream's key id: the base64url SHA-256 of the public key in PKIX DER. */
async function keyId(publicKey: CryptoKey): Promise<string> {
  const der = (await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer;
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

async function generate(): Promise<StoredSigningKey> {
  const pair = (await crypto.subtle.generateKey({ ...ALG, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { kid: await keyId(pair.publicKey), privateJwk: JSON.stringify(jwk) };
}

async function importKey(stored: StoredSigningKey): Promise<SigningKey> {
  const jwk = JSON.parse(stored.privateJwk) as JsonWebKey;
  const privateKey = await crypto.subtle.importKey("jwk", jwk, ALG, false, ["sign"]);
  const pub = { kty: jwk.kty, n: jwk.n, e: jwk.e };
  const publicKey = await crypto.subtle.importKey("jwk", pub, ALG, true, ["verify"]);
  return { kid: stored.kid, privateKey, publicKey, publicJwk: { ...pub, kid: stored.kid, use: "sig", alg: "RS256" } };
}
