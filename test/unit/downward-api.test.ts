import { describe, it, expect } from "vitest";
import { downwardFiles, fieldRefValue, formatMap, goQuote, resourceFieldValue } from "../../src/node/kubelet/downward-api";
import type { Pod } from "../../src/model/types";

const node = { cpu: "4", memory: "8Gi", ephemeralStorage: "100Gi" };
const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "kubernetes-downwardapi-volume-example", namespace: "team-a", uid: "u-1", labels: { zone: "us-est-coast", cluster: "test-cluster1", rack: "rack-22" }, annotations: { build: "two", builder: "john-doe" } },
  spec: {
    containers: [{ name: "client-container", image: "busybox", resources: { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "64Mi" } } }, { name: "bare", image: "busybox" }],
  },
} as Pod;

describe("fieldRef in a downward API volume", () => {
  it.each([
    ["metadata.name", "kubernetes-downwardapi-volume-example"],
    ["metadata.namespace", "team-a"],
    ["metadata.uid", "u-1"],
    ["metadata.labels", 'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"'],
    ["metadata.annotations", 'build="two"\nbuilder="john-doe"'],
    ["metadata.labels['zone']", "us-est-coast"],
    ["metadata.annotations['missing']", ""],
    ["spec.nodeName", undefined],
  ])("%s -> %j", (path, expected) => {
    expect(fieldRefValue(pod, path)).toBe(expected);
  });

  it("quotes values as Go's %q and sorts keys, with no trailing newline", () => {
    expect(goQuote('say "hi"\n\tnow\\')).toBe('"say \\"hi\\"\\n\\tnow\\\\"');
    expect(goQuote("\x01é")).toBe('"\\x01é"');
    expect(formatMap({ b: "2", a: "1" })).toBe('a="1"\nb="2"');
    expect(formatMap(undefined)).toBe("");
  });
});

describe("resourceFieldRef", () => {
  it.each([
    ["client-container", "limits.cpu", undefined, "1"],
    ["client-container", "limits.cpu", "1m", "500"],
    ["client-container", "requests.cpu", "1m", "250"],
    ["client-container", "requests.cpu", undefined, "1"],
    ["client-container", "limits.memory", "1Mi", "64"],
    ["client-container", "requests.memory", undefined, String(32 * 1024 * 1024)],
    ["client-container", "requests.memory", "1M", "34"],
    ["bare", "limits.cpu", undefined, "4"],
    ["bare", "limits.memory", "1Gi", "8"],
    ["bare", "requests.cpu", "1m", "0"],
    ["bare", "limits.ephemeral-storage", "1Gi", "100"],
    ["nobody", "limits.cpu", undefined, undefined],
    ["bare", "limits.gpu", undefined, undefined],
  ])("%s %s / %s -> %j", (containerName, resource, divisor, expected) => {
    expect(resourceFieldValue(pod, { containerName, resource, ...(divisor ? { divisor } : {}) }, node)).toBe(expected);
  });
});

it("downwardFiles renders each item at its path and skips what it cannot render", () => {
  expect(
    downwardFiles(
      pod,
      [
        { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
        { path: "cpu_limit", resourceFieldRef: { containerName: "client-container", resource: "limits.cpu", divisor: "1m" } },
        { path: "node", fieldRef: { fieldPath: "spec.nodeName" } },
      ],
      node,
    ),
  ).toEqual({ labels: 'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"', cpu_limit: "500" });
});
