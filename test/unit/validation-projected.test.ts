import { describe, it, expect } from "vitest";
import { validateObject } from "../../src/model/validation";
import type { KubeObject } from "../../src/model/types";

const pod = (volume: Record<string, unknown>): KubeObject =>
  ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx" }], volumes: [{ name: "v", ...volume }] } }) as KubeObject;
const messages = (volume: Record<string, unknown>) => validateObject("pods", pod(volume)).map((c) => `${c.field}: ${c.message}`);

describe("projected volume sources", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["the admission's own volume", { projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }, { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } }] } }, []],
    ["a short-lived token", { projected: { sources: [{ serviceAccountToken: { expirationSeconds: 60, path: "t" } }] } }, ["spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"]],
    ["a token for too long", { projected: { sources: [{ serviceAccountToken: { expirationSeconds: 2 ** 33, path: "t" } }] } }, [`spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: ${2 ** 33}: may not specify a duration larger than 2^32 seconds`]],
    ["a token without a path", { projected: { sources: [{ serviceAccountToken: {} }] } }, ["spec.volumes[0].projected.sources[0].serviceAccountToken.path: Required value"]],
    ["two kinds in one source", { projected: { sources: [{ configMap: { name: "a" }, secret: { name: "b" } }] } }, ["spec.volumes[0].projected.sources[0]: Forbidden: may not specify more than 1 volume type per source"]],
    ["a secret without a name", { projected: { sources: [{ secret: { items: [{ key: "k", path: "../k" }] } }] } }, ["spec.volumes[0].projected.sources[0].secret.name: Required value", "spec.volumes[0].projected.sources[0].secret.items[0].path: Invalid value: \"../k\": must not contain '..'", "spec.volumes[0].projected.sources[0].secret.items[0].path: Invalid value: \"../k\": must not start with '..'"]],
    ["a bad mode", { projected: { defaultMode: 0o1000, sources: [] } }, ["spec.volumes[0].projected.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"]],
  ])("%s", (_what, volume, expected) => {
    expect(messages(volume)).toEqual(expected);
  });
});

describe("downwardAPI volumes", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["labels, a label, limits with a divisor", { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "zone", fieldRef: { fieldPath: "metadata.labels['zone']" } }, { path: "cpu", resourceFieldRef: { containerName: "app", resource: "limits.cpu", divisor: "1m" } }] } }, []],
    ["a field volumes do not offer", { downwardAPI: { items: [{ path: "node", fieldRef: { fieldPath: "spec.nodeName" } }] } }, ['spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"']],
    ["a resource without its container", { downwardAPI: { items: [{ path: "cpu", resourceFieldRef: { resource: "limits.cpu" } }] } }, ["spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName: Required value"]],
    ["an item naming nothing", { downwardAPI: { items: [{ path: "x" }] } }, ["spec.volumes[0].downwardAPI.items[0]: Required value: one of fieldRef and resourceFieldRef is required"]],
    ["an absolute path", { downwardAPI: { items: [{ path: "/etc/x", fieldRef: { fieldPath: "metadata.name" } }] } }, ['spec.volumes[0].downwardAPI.items[0].path: Invalid value: "/etc/x": must be a relative path']],
  ])("%s", (_what, volume, expected) => {
    expect(messages(volume)).toEqual(expected);
  });
});
