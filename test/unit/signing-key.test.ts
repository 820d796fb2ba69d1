// ServiceAccount signing keys of each of kubeadm's encryptionAlgorithm types: what the
// tokens' headers say, what the JWKS publishes, and that a key verifies only its own kind.
import { describe, expect, it } from "vitest";
import { generate, importKey } from "../../src/api/signing-key";
import { signJwt, verifyJwt } from "../../src/api/jwt";
import { readConfig } from "../../src/config";

const claims = { iss: "https://kubernetes.default.svc.cluster.local", sub: "system:serviceaccount:default:default" };
const headerOf = (token: string) => JSON.parse(atob(token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))) as { alg: string; kid: string };

describe("signing keys", () => {
  it.each([
    ["RSA-2048", "RS256", { kty: "RSA" }, 2048],
    ["RSA-3072", "RS256", { kty: "RSA" }, 3072],
    ["ECDSA-P256", "ES256", { kty: "EC", crv: "P-256" }, undefined],
  ] as const)("%s signs %s tokens that its public key verifies", async (algorithm, alg, jwk, bits) => {
    const key = await importKey(await generate(algorithm));
    expect(key.alg).toBe(alg);
    expect(key.publicJwk).toMatchObject({ ...jwk, alg, use: "sig", kid: key.kid });
    expect((key.publicJwk as { d?: string }).d).toBeUndefined();
    if (bits) expect(atob(key.publicJwk.n!.replace(/-/g, "+").replace(/_/g, "/")).length * 8).toBe(bits);
    // Upstream's key id: base64url SHA-256 of the public key's PKIX DER.
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", key.publicKey)) as ArrayBuffer);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));
    expect(key.kid).toBe(btoa(String.fromCharCode(...digest)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));

    const token = await signJwt(key.privateKey, key.kid, claims, key.alg);
    expect(headerOf(token)).toEqual({ alg, kid: key.kid });
    expect(await verifyJwt(key.publicKey, token, key.alg)).toEqual({ ok: true, claims });
    const [h, p, s] = token.split(".");
    const tampered = `${h}.${p.slice(0, -2)}${p.endsWith("A") ? "B" : "A"}${p.slice(-1)}.${s}`;
    expect(await verifyJwt(key.publicKey, tampered, key.alg)).toMatchObject({ ok: false });
  });

  it("refuse a token of the other algorithm before checking its signature", async () => {
    const rsa = await importKey(await generate("RSA-2048"));
    const ec = await importKey(await generate("ECDSA-P256"));
    const byRsa = await signJwt(rsa.privateKey, rsa.kid, claims, rsa.alg);
    const byEc = await signJwt(ec.privateKey, ec.kid, claims, ec.alg);
    expect(await verifyJwt(ec.publicKey, byRsa, ec.alg)).toEqual({ ok: false, reason: "unexpected signing algorithm" });
    expect(await verifyJwt(rsa.publicKey, byEc, rsa.alg)).toEqual({ ok: false, reason: "unexpected signing algorithm" });
  });
});

describe("SERVICE_ACCOUNT_KEY_ALGORITHM", () => {
  it("defaults to kubeadm's RSA-2048 and refuses a name kubeadm does not have", () => {
    expect(readConfig({}).serviceAccountKeyAlgorithm).toBe("RSA-2048");
    expect(readConfig({ SERVICE_ACCOUNT_KEY_ALGORITHM: "ECDSA-P256" }).serviceAccountKeyAlgorithm).toBe("ECDSA-P256");
    expect(() => readConfig({ SERVICE_ACCOUNT_KEY_ALGORITHM: "ECDSA-P384" })).toThrow('SERVICE_ACCOUNT_KEY_ALGORITHM: unknown encryption algorithm "ECDSA-P384"; expected one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256');
  });
});
