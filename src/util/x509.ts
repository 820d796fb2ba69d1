// A self-signed X.509 CA certificate made with WebCrypto and a small DER writer: what
// kubeadm's CA looks like (CN=kubernetes, ten years, CA:TRUE, keyCertSign), for a
// cluster that has no certificate authority of its own to publish.
import { concatBytes } from "./bytes";

type Der = Uint8Array;

function length(n: number): Der {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function tlv(tag: number, ...content: Der[]): Der {
  const body = concatBytes(content);
  return concatBytes([Uint8Array.of(tag), length(body.length), body]);
}

const seq = (...c: Der[]) => tlv(0x30, ...c);
const set = (...c: Der[]) => tlv(0x31, ...c);
const octets = (b: Der) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const explicit = (n: number, c: Der) => tlv(0xa0 | n, c);
const bits = (b: Der, unused = 0) => tlv(0x03, Uint8Array.of(unused), b);

/** A non-negative INTEGER from big-endian bytes. */
function unsigned(b: Der): Der {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const trimmed = b.slice(i);
  return tlv(0x02, trimmed[0] & 0x80 ? concatBytes([Uint8Array.of(0), trimmed]) : trimmed);
}

function oid(dotted: string): Der {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) chunk.unshift(0x80 | (x & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(ms: number): Der {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, new TextEncoder().encode(`${digits.slice(2)}Z`)) : tlv(0x18, new TextEncoder().encode(`${digits}Z`));
}

const SHA256_WITH_RSA = seq(oid("1.2.840.113549.1.1.11"), tlv(0x05));
const RSA_ALG = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

function extension(id: string, critical: boolean, value: Der): Der {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

export interface SelfSignedCA {
  /** The certificate, PEM. */
  pem: string;
  notBefore: number;
  notAfter: number;
}

export function toPem(der: Der, label = "CERTIFICATE"): string {
  let bin = "";
  for (const b of der) bin += String.fromCharCode(b);
  const b64 = btoa(bin);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * A new RSA 2048 key and a CA certificate it signs itself for `commonName`, valid from
 * `nowMs` for `years`. The private key is dropped: nothing in the model signs with it.
 */
export async function selfSignedCA(commonName: string, nowMs: number, years = 10): Promise<SelfSignedCA> {
  const pair = (await crypto.subtle.generateKey({ ...RSA_ALG, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) }, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const notBefore = Math.floor(nowMs / 1000) * 1000;
  const end = new Date(notBefore);
  end.setUTCFullYear(end.getUTCFullYear() + years);
  const notAfter = end.getTime();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const name = seq(set(seq(oid("2.5.4.3"), utf8(commonName))));
  // The key identifier: SHA-1 of the public key's bits (RFC 5280 4.2.1.2, method 1).
  const keyId = new Uint8Array(await crypto.subtle.digest("SHA-1", spki.slice(spki.length - 270)));
  const extensions = seq(
    // digitalSignature, keyEncipherment, keyCertSign (bits 0, 2, 5).
    extension("2.5.29.15", true, bits(Uint8Array.of(0xa4), 2)),
    extension("2.5.29.19", true, seq(bool(true))),
    extension("2.5.29.14", false, octets(keyId)),
    extension("2.5.29.17", false, seq(tlv(0x82, new TextEncoder().encode(commonName)))),
  );
  const tbs = seq(explicit(0, unsigned(Uint8Array.of(2))), unsigned(serial), SHA256_WITH_RSA, name, seq(time(notBefore), time(notAfter)), name, spki, explicit(3, extensions));
  const signature = new Uint8Array(await crypto.subtle.sign(RSA_ALG, pair.privateKey, tbs));
  return { pem: toPem(seq(tbs, SHA256_WITH_RSA, bits(signature))), notBefore, notAfter };
}
