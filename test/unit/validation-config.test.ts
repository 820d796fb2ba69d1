import { describe, it, expect } from "vitest";
import { validateObject } from "../../src/model/validation";
import { invalid } from "../../src/model/errors";
import { decodeBase64 } from "../../src/model/base64";
import { prepareForCreate, prepareForUpdate } from "../../src/registry/strategy";
import { findResource } from "../../src/model/resources";
import { ApiError } from "../../src/model/errors";
import type { KubeObject } from "../../src/model/types";

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key_name', regex used for validation is '[-._a-zA-Z0-9]+')";
const IMMUTABLE = "Forbidden: field is immutable when `immutable` is set";
const MiB = 1024 * 1024;

const cm = (fields: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "game", namespace: "default" }, ...fields });
const secret = (fields: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, type: "Opaque", ...fields });
const b64 = (s: string) => btoa(s);
const lines = (resource: string, obj: KubeObject, old?: KubeObject) => validateObject(resource, obj, old).map((c) => `${c.field}: ${c.message}`);

describe("ConfigMap validation", () => {
  it.each([
    ["a valid key", { data: { "game.properties": "x", ui_1: "y", "A-b": "z" } }, []],
    ["a key with a slash", { data: { "a/b": "x" } }, [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`]],
    ["an empty key", { data: { "": "x" } }, [`data[]: Invalid value: "": ${KEY_MSG}`]],
    ["the key '..'", { data: { "..": "x" } }, [`data[..]: Invalid value: "..": must not be '..'`]],
    ["a key starting with '..'", { data: { "..data": "x" } }, [`data[..data]: Invalid value: "..data": must not start with '..'`]],
    ["a key of 254 characters", { data: { ["k".repeat(254)]: "x" } }, [`data[${"k".repeat(254)}]: Invalid value: "${"k".repeat(254)}": must be no more than 253 characters`]],
    ["a key in both maps", { data: { k: "x" }, binaryData: { k: b64("y") } }, [`data[k]: Invalid value: "k": duplicate of key present in binaryData`]],
    ["a bad binaryData key", { binaryData: { "a b": b64("y") } }, [`binaryData[a b]: Invalid value: "a b": ${KEY_MSG}`]],
    ["exactly 1 MiB", { data: { a: "x".repeat(MiB - 4) }, binaryData: { b: b64("1234") } }, []],
    ["1 MiB and a byte", { data: { a: "x".repeat(MiB - 3) }, binaryData: { b: b64("1234") } }, [": Too long: must have at most 1048576 bytes"]],
    ["a UTF-8 value counted in bytes", { data: { a: "é".repeat(MiB / 2 + 1) } }, [": Too long: must have at most 1048576 bytes"]],
  ])("%s", (_, fields, want) => {
    expect(lines("configmaps", cm(fields))).toEqual(want);
  });

  it("reports the size in the Status message with the empty field of the whole object", () => {
    const causes = validateObject("configmaps", cm({ data: { a: "x".repeat(MiB + 1) } }));
    expect(invalid("ConfigMap", "game", causes).message).toBe('ConfigMap "game" is invalid: : Too long: must have at most 1048576 bytes');
  });

  it("immutable: data, binaryData and the flag itself are frozen, metadata is not", () => {
    const old = cm({ immutable: true, data: { a: "1" } });
    expect(lines("configmaps", cm({ immutable: true, data: { a: "1" }, metadata: { name: "game", namespace: "default", labels: { x: "y" } } }), old)).toEqual([]);
    expect(lines("configmaps", cm({ immutable: true, data: { a: "2" } }), old)).toEqual([`data: ${IMMUTABLE}`]);
    expect(lines("configmaps", cm({ immutable: true, data: { a: "1" }, binaryData: { b: b64("x") } }), old)).toEqual([`binaryData: ${IMMUTABLE}`]);
    expect(lines("configmaps", cm({ data: { a: "1" } }), old)).toEqual([`immutable: ${IMMUTABLE}`]);
    expect(lines("configmaps", cm({ immutable: false, data: { a: "1" } }), old)).toEqual([`immutable: ${IMMUTABLE}`]);
    // A mutable one may become immutable, and change data on the way.
    expect(lines("configmaps", cm({ immutable: true, data: { a: "9" } }), cm({ data: { a: "1" } }))).toEqual([]);
  });
});

describe("Secret validation", () => {
  it.each([
    ["Opaque with any keys", { data: { "user.name": b64("admin") } }, []],
    ["a bad key", { data: { "a:b": b64("x") } }, [`data[a:b]: Invalid value: "a:b": ${KEY_MSG}`]],
    ["tls without its keys", { type: "kubernetes.io/tls", data: {} }, ["data[tls.crt]: Required value", "data[tls.key]: Required value"]],
    ["tls with an empty key", { type: "kubernetes.io/tls", data: { "tls.crt": b64("c"), "tls.key": "" } }, []],
    ["dockerconfigjson without it", { type: "kubernetes.io/dockerconfigjson", data: {} }, ["data[.dockerconfigjson]: Required value"]],
    ["dockerconfigjson that is not JSON", { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": b64("{nope") } }, ["data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": "]],
    ["dockerconfigjson that is JSON", { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": b64('{"auths":{}}') } }, []],
    ["a token Secret without its account", { type: "kubernetes.io/service-account-token" }, ["metadata.annotations[kubernetes.io/service-account.name]: Required value"]],
    ["basic-auth with neither field", { type: "kubernetes.io/basic-auth", data: {} }, ["data[username]: Required value", "data[password]: Required value"]],
    ["a type of one's own", { type: "example.com/thing" }, []],
    ["exactly 1 MiB of decoded bytes", { data: { a: b64("x".repeat(MiB)) } }, []],
    ["1 MiB and a byte", { data: { a: b64("x".repeat(MiB - 1)), b: b64("yy") } }, ["data: Too long: must have at most 1048576 bytes"]],
  ])("%s", (_, fields, want) => {
    const got = lines("secrets", secret(fields));
    // Go's and JavaScript's JSON parsers word their errors differently: compare the head.
    expect(got.map((l, i) => (want[i]?.endsWith(": ") ? l.slice(0, want[i].length) : l))).toEqual(want);
  });

  it("type cannot change; immutable freezes data", () => {
    expect(lines("secrets", secret({ type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } }), secret({}))).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
    ]);
    const old = secret({ immutable: true, data: { a: b64("1") } });
    expect(lines("secrets", secret({ immutable: true, data: { a: b64("2") } }), old)).toEqual([`data: ${IMMUTABLE}`]);
    expect(lines("secrets", secret({ data: { a: b64("1") } }), old)).toEqual([`immutable: ${IMMUTABLE}`]);
  });
});

describe("Secret strategy", () => {
  const info = findResource("", "v1", "secrets")!;
  const ctx = { now: Date.parse("2026-01-01T00:00:00Z"), defaults: { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 } };
  const text = (v: string) => new TextDecoder().decode(decodeBase64(v));

  it("folds stringData into data as base64, overwriting, and defaults the type", () => {
    const s = prepareForCreate(info, secret({ type: undefined, data: { a: b64("old"), b: b64("kept") }, stringData: { a: "new", c: "héllo" } }), ctx) as KubeObject & { data: Record<string, string> };
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe("Opaque");
    expect(Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, text(v)]))).toEqual({ a: "new", b: "kept", c: "héllo" });
  });

  it("folds stringData on update too", () => {
    const old = prepareForCreate(info, secret({ data: { a: b64("1") } }), ctx);
    const next = prepareForUpdate(info, secret({ data: { a: b64("1") }, stringData: { b: "2" } }), old) as KubeObject & { data: Record<string, string> };
    expect(next.data).toEqual({ a: b64("1"), b: b64("2") });
  });

  it.each([
    ["a character outside the alphabet", "YWJj*GVm", 4],
    ["a quantum cut short", "YWJjZA", 4],
    ["padding too early", "Y===", 1],
    ["data after padding", "YQ==YQ==", 4],
  ])("refuses bad base64 (%s) with the decoder's 400", (_, value, offset) => {
    let err: unknown;
    try {
      prepareForCreate(info, secret({ data: { a: value } }), ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).message).toBe(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${offset}`);
  });

  it("reads base64 with line breaks as Go does", () => {
    expect(text("aGVs\nbG8=\n")).toBe("hello");
  });
});

describe("pods referring to ConfigMaps and Secrets", () => {
  const pod = (container: Record<string, unknown>, volumes: unknown[] = []): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{ name: "app", image: "busybox", ...container }], volumes },
  });

  it.each([
    ["a valid configMapKeyRef", { env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] }, []],
    ["a key selector without a key", { env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s" } } }] }, ["spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"]],
    [
      "two sources",
      { env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cm", key: "k" }, secretKeyRef: { name: "s", key: "k" } } }] },
      ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time'],
    ],
    [
      "value and valueFrom",
      { env: [{ name: "A", value: "x", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] },
      ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
    ],
    ["envFrom without a source", { envFrom: [{ prefix: "P_" }] }, ['spec.containers[0].envFrom[0]: Invalid value: "": must specify one of: `configMapRef` or `secretRef`']],
  ])("%s", (_, container, want) => {
    expect(lines("pods", pod(container))).toEqual(want);
  });

  it.each([
    ["a configMap volume", [{ name: "v", configMap: { name: "cm", items: [{ key: "k", path: "dir/k" }], defaultMode: 0o644 } }], []],
    ["a secret volume without its name", [{ name: "v", secret: {} }], ["spec.volumes[0].secret.secretName: Required value"]],
    ["a mode above 0777", [{ name: "v", secret: { secretName: "s", defaultMode: 0o1000 } }], ["spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"]],
    ["an item path leaving the volume", [{ name: "v", configMap: { name: "cm", items: [{ key: "k", path: "../x" }] } }], [
      'spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain \'..\'',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not start with \'..\'',
    ]],
  ])("%s", (_, volumes, want) => {
    expect(lines("pods", pod({}, volumes))).toEqual(want);
  });
});
