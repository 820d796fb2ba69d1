import { describe, it, expect } from "vitest";
import { selfSignedCA } from "../../src/util/x509";
import { publishedAsIs } from "../../src/controllers/root-ca-publisher";

/** Node's X.509 parser (the unit project runs in Node; the shared tsconfig has no Node types). */
interface X509 {
  subject: string;
  issuer: string;
  ca: boolean;
  validFrom: string;
  validTo: string;
  subjectAltName?: string;
  publicKey: { asymmetricKeyDetails?: { modulusLength?: number } };
  verify(key: unknown): boolean;
}
const NODE_CRYPTO: string = "node:crypto";

describe("the cluster's self-signed CA certificate", () => {
  it("parses as X.509, is a CA for CN=kubernetes for ten years, and verifies with its own key", async () => {
    const now = Date.UTC(2026, 11, 6, 8, 0, 0);
    const ca = await selfSignedCA("kubernetes", now);
    const { X509Certificate } = (await import(NODE_CRYPTO)) as { X509Certificate: new (pem: string) => X509 };
    const cert = new X509Certificate(ca.pem);
    expect(cert.subject).toBe("CN=kubernetes");
    expect(cert.issuer).toBe("CN=kubernetes");
    expect(cert.ca).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBe(now);
    expect(new Date(cert.validTo).getTime()).toBe(Date.UTC(2036, 11, 6, 8, 0, 0));
    expect(cert.subjectAltName).toBe("DNS:kubernetes");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});

describe("publishedAsIs: the root CA ConfigMap needs no write", () => {
  const meta = (annotations?: Record<string, string>) => ({ name: "kube-root-ca.crt", namespace: "default", ...(annotations ? { annotations } : {}) });
  const described = { "kubernetes.io/description": "Contains a CA bundle" };
  it.each([
    ["as published", { data: { "ca.crt": "PEM" } }, described, true],
    ["without its description", { data: { "ca.crt": "PEM" } }, undefined, false],
    ["with another CA", { data: { "ca.crt": "OTHER" } }, described, false],
    ["with a key added", { data: { "ca.crt": "PEM", extra: "x" } }, described, false],
    ["with binaryData", { data: { "ca.crt": "PEM" }, binaryData: { x: "AA==" } }, described, false],
  ])("%s: %s", (_what, body, annotations, expected) => {
    expect(publishedAsIs({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(annotations), ...body }, "PEM")).toBe(expected);
  });
});
