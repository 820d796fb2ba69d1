import { describe, it, expect } from "vitest";
import { canonicalJson, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from "../../src/controllers/hash";
import type { PodTemplateSpec } from "../../src/model/types";

const bytes = (s: string) => new TextEncoder().encode(s);

function template(image = "gcr.io/google-samples/kubernetes-bootcamp:v1"): PodTemplateSpec {
  return { metadata: { labels: { app: "kubernetes-bootcamp" } }, spec: { containers: [{ name: "kubernetes-bootcamp", image }] } };
}

describe("pod-template-hash", () => {
  it("is FNV-32a", () => {
    expect(fnv32a(bytes(""))).toBe(0x811c9dc5);
    expect(fnv32a(bytes("a"))).toBe(0xe40c292c);
    expect(fnv32a(bytes("foobar"))).toBe(0xbf9cf968);
  });

  it("encodes decimal digits as rand.SafeEncodeString does", () => {
    // The tutorial's kubernetes-bootcamp-5485cc6795 is the sum 1041772351.
    expect(safeEncodeString("1041772351")).toBe("5485cc6795");
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
  });

  it("is stable: key order and server defaults do not change it, the hash label is ignored", () => {
    const a = template();
    const b: PodTemplateSpec = { spec: { containers: [{ image: "gcr.io/google-samples/kubernetes-bootcamp:v1", name: "kubernetes-bootcamp" }] }, metadata: { labels: { app: "kubernetes-bootcamp" } } };
    const defaulted = structuredClone(a);
    defaulted.spec.restartPolicy = "Always";
    defaulted.spec.dnsPolicy = "ClusterFirst";
    defaulted.spec.containers[0].imagePullPolicy = "IfNotPresent";
    const labelled = structuredClone(a);
    labelled.metadata!.labels!["pod-template-hash"] = "abc";
    const h = computeHash(a);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash(b)).toBe(h);
    expect(computeHash(defaulted)).toBe(h);
    expect(computeHash(labelled)).toBe(h);
    expect(equalIgnoreHash(a, labelled)).toBe(true);
  });

  it("changes with the template and with collisionCount", () => {
    const h = computeHash(template());
    expect(computeHash(template("gcr.io/google-samples/kubernetes-bootcamp:v2"))).not.toBe(h);
    expect(computeHash(template(), 1)).not.toBe(h);
    expect(computeHash(template(), 1)).not.toBe(computeHash(template(), 2));
    expect(equalIgnoreHash(template(), template("x:2"))).toBe(false);
  });

  it("canonical JSON sorts keys and drops nulls", () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: [2, { y: 1, x: 0 }] } })).toBe('{"a":{"c":[2,{"x":0,"y":1}]},"b":1}');
  });
});
