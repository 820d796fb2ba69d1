import { describe, it, expect } from "vitest";
import { deploymentFromReplicaSetName, keysForChange, keysForPoke, parseKey, replicaSetFromPodName, workKey } from "../../src/controllers/keys";
import type { KubeObject } from "../../src/model/types";

describe("work keys", () => {
  it("round-trip", () => {
    expect(parseKey(workKey("rs", "default", "web-abc"))).toEqual({ kind: "rs", namespace: "default", name: "web-abc" });
    expect(parseKey("gc:/")).toEqual({ kind: "gc", namespace: "", name: "" });
  });

  it("guess owners from the names controllers generate", () => {
    expect(replicaSetFromPodName("kubernetes-bootcamp-5485cc6795-x2p4v")).toBe("kubernetes-bootcamp-5485cc6795");
    expect(replicaSetFromPodName("web")).toBeUndefined();
    expect(replicaSetFromPodName("web-abcde")).toBeUndefined(); // vowels never appear in suffixes
    expect(deploymentFromReplicaSetName("kubernetes-bootcamp-5485cc6795")).toBe("kubernetes-bootcamp");
  });

  it("map pokes: pods to their ReplicaSet, ReplicaSets to themselves and their owner", () => {
    expect(keysForPoke({ resource: "pods", namespace: "default", name: "web-5485cc6795-x2p4v" }, new Set())).toEqual(["rs:default/web-5485cc6795", "svcs:default/"]);
    expect(keysForPoke({ resource: "pods", namespace: "default", name: "bare" }, new Set())).toEqual(["podowner:default/bare", "svcs:default/"]);
    expect(keysForPoke({ resource: "replicasets.apps", namespace: "a", name: "x" }, new Set(["a"]))).toEqual(["rs:a/x", "rsowner:a/x", "ns:/a"]);
  });

  it("map committed changes by their owner references", () => {
    const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n", ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs1", uid: "u", controller: true }] } };
    expect(keysForChange({ type: "DELETED", resource: "pods", object: pod }, new Set())).toEqual(["rs:n/rs1", "svcs:n/"]);
    const rs: KubeObject = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs1", namespace: "n", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: "u", controller: true }] } };
    expect(keysForChange({ type: "DELETED", resource: "replicasets.apps", object: rs }, new Set())).toEqual(["rs:n/rs1", "deploy:n/d", "gc:/"]);
    // A Service's own changes, and any pod's, reach the service controller.
    const svc: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "n" } };
    expect(keysForChange({ type: "MODIFIED", resource: "services", object: svc }, new Set())).toEqual(["svc:n/web"]);
    expect(keysForPoke({ resource: "services", namespace: "n", name: "web" }, new Set())).toEqual(["svc:n/web"]);
    expect(keysForPoke({ resource: "endpoints", namespace: "n", name: "web" }, new Set())).toEqual(["svc:n/web"]);
  });
});
