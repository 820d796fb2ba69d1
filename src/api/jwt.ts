// Compact JWS (RFC 7515) over WebCrypto, RS256 or ES256: what ServiceAccount tokens are.
// Verification returns a reason instead of throwing, so a token that fails says why
// in a TokenReview and nothing else learns more than 401.

/** The JWS algorithms of the key types the API server signs with (RSA, ECDSA P-256). */
export type JwsAlgorithm = "RS256" | "ES256";

/** WebCrypto's sign/verify parameters per JWS algorithm (ES256's signature is r || s, as JWS wants). */
const SIGNATURE: Record<JwsAlgorithm, { name: string; hash?: string }> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
};

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

export async function signJwt(key: CryptoKey, kid: string, claims: Record<string, unknown>, alg: JwsAlgorithm): Promise<string> {
  const header = base64url(utf8(JSON.stringify({ alg, kid })));
  const payload = base64url(utf8(JSON.stringify(claims)));
  const signature = await crypto.subtle.sign(SIGNATURE[alg], key, utf8(`${header}.${payload}`));
  return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
}

/** True for text shaped like a compact JWS (three base64url parts), which is all an authenticator looks at before it verifies. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

export type Verified = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

/** The claims of a token whose `alg` signature `key` verifies; a token of another algorithm is refused. */
export async function verifyJwt(key: CryptoKey, token: string, alg: JwsAlgorithm): Promise<Verified> {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "square/go-jose: compact JWS format must have three parts" };
  const [h, p, s] = parts;
  const headerBytes = fromBase64url(h);
  const payloadBytes = fromBase64url(p);
  const signature = fromBase64url(s);
  if (!headerBytes || !payloadBytes || !signature) return { ok: false, reason: "illegal base64 data in the token" };
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
    claims = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return { ok: false, reason: "the token is not JSON" };
  }
  if (!header || typeof header !== "object" || (header as { alg?: unknown }).alg !== alg) return { ok: false, reason: "unexpected signing algorithm" };
  if (!claims || typeof claims !== "object" || Array.isArray(claims)) return { ok: false, reason: "the token's claims are not an object" };
  const valid = await crypto.subtle.verify(SIGNATURE[alg], key, signature, utf8(`${h}.${p}`));
  if (!valid) return { ok: false, reason: "invalid signature" };
  return { ok: true, claims: claims as Record<string, unknown> };
}
