// The cluster's ServiceAccount signing key: made once and kept in D1
// (src/store/signing-keys.ts), so tokens survive restarts and every isolate signs and
// verifies with the same key. Each isolate imports it once per database. The key's type
// is kubeadm's encryptionAlgorithm (SERVICE_ACCOUNT_KEY_ALGORITHM): RSA-2048 by default,
// as kubeadm makes sa.key; ECDSA-P256 signs a pod's token in a fraction of the time.
// Only a new key follows the setting: the stored key keeps its type.
import { loadOrCreateSigningKey, type StoredSigningKey } from "../store/signing-keys";
import type { KeyAlgorithm } from "../config";
import { base64url, type JwsAlgorithm } from "./jwt";

export interface SigningKey {
  kid: string;
  /** RS256 for an RSA key, ES256 for ECDSA P-256: what the tokens' headers say. */
  alg: JwsAlgorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as the JWKS document serves it. */
  publicJwk: JsonWebKey & { kid: string; use: string; alg: string };
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;
const loaded = new WeakMap<D1Database, Promise<SigningKey>>();

export function signingKey(d1: D1Database, now: () => number, algorithm: KeyAlgorithm): Promise<SigningKey> {
  let key = loaded.get(d1);
  if (!key) {
    key = loadOrCreateSigningKey(d1, () => generate(algorithm), now()).then(importKey);
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

export async function generate(algorithm: KeyAlgorithm): Promise<StoredSigningKey> {
  const params = algorithm === "ECDSA-P256" ? ECDSA : { ...RSA, modulusLength: Number(algorithm.slice(4)), publicExponent: new Uint8Array([1, 0, 1]) };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { kid: await keyId(pair.publicKey), privateJwk: JSON.stringify(jwk) };
}

export async function importKey(stored: StoredSigningKey): Promise<SigningKey> {
  const jwk = JSON.parse(stored.privateJwk) as JsonWebKey;
  const ec = jwk.kty === "EC";
  const params = ec ? ECDSA : RSA;
  const alg: JwsAlgorithm = ec ? "ES256" : "RS256";
  const privateKey = await crypto.subtle.importKey("jwk", jwk, params, false, ["sign"]);
  const pub = ec ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  const publicKey = await crypto.subtle.importKey("jwk", pub, params, true, ["verify"]);
  return { kid: stored.kid, alg, privateKey, publicKey, publicJwk: { ...pub, kid: stored.kid, use: "sig", alg } };
}
