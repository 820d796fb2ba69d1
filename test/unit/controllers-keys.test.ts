import { describe, it, expect } from "vitest";
import { keysFor, parseKey, workKey } from "../../src/controllers/keys";
import { controllerTable } from "../../src/controllers/table";
import type { ControllerContext } from "../../src/controllers/context";
import type { ServiceAllocator } from "../../src/controllers/service-allocator";
import type { ControllerKey } from "../../src/controlplane/stubs";
import { keepsPodLabels } from "../../src/controlplane/dispatch";
import type { OwnerReference } from "../../src/model/types";

/** The manager's table over a context that only keysFor touches (the terminating set). */
function table(terminating: string[] = []) {
  const ctx = { terminating: new Set(terminating) } as unknown as ControllerContext;
  return controllerTable(() => ctx, () => ({}) as ServiceAllocator);
}

const owner = (kind: string, name: string): OwnerReference => ({ apiVersion: "apps/v1", kind, name, uid: `uid-${name}`, controller: true });

function change(resource: string, namespace: string, name: string, extra: Partial<ControllerKey> = {}): ControllerKey {
  return { type: "MODIFIED", resource, namespace, name, ...extra };
}

describe("work keys", () => {
  it("round-trip", () => {
    expect(parseKey(workKey("rs", "default", "web-abc"))).toEqual({ kind: "rs", namespace: "default", name: "web-abc" });
    expect(parseKey("gc:/")).toEqual({ kind: "gc", namespace: "", name: "" });
  });

  it("find owners from the change's owner references, never from names", () => {
    // Named like a pod of `web-5485cc6795`, but owned by another ReplicaSet.
    const pod = change("pods", "default", "web-5485cc6795-x2p4v", { ownerReferences: [owner("ReplicaSet", "other")] });
    expect(keysFor(table(), pod)).toEqual(["rs:default/other", "svcs:default/", "pdbs:default/"]);
    // A ReplicaSet named like a Deployment's, without an owner: looked up, not guessed.
    expect(keysFor(table(), change("replicasets.apps", "default", "web-5485cc6795"))).toEqual(["rs:default/web-5485cc6795", "rsowner:default/web-5485cc6795"]);
  });

  it("map pokes: pods to their ReplicaSet, ReplicaSets to themselves and their owner", () => {
    expect(keysFor(table(), change("pods", "default", "web-5485cc6795-x2p4v", { ownerReferences: [owner("ReplicaSet", "web-5485cc6795")] }))).toEqual(["rs:default/web-5485cc6795", "svcs:default/", "pdbs:default/"]);
    expect(keysFor(table(), change("pods", "default", "bare"))).toEqual(["podowner:default/bare", "svcs:default/", "pdbs:default/"]);
    expect(keysFor(table(["a"]), change("replicasets.apps", "a", "x"))).toEqual(["rs:a/x", "rsowner:a/x", "ns:/a"]);
  });

  it("an orphan pod is looked up for adopters unless its writer kept its labels (a bind, a status write)", () => {
    expect(keysFor(table(), change("pods", "default", "bare", { type: "ADDED" }))).toEqual(["podowner:default/bare", "svcs:default/", "pdbs:default/"]);
    expect(keysFor(table(), change("pods", "default", "bare", { labelsUnchanged: true }))).toEqual(["svcs:default/", "pdbs:default/"]);
    // Owned pods still reach their owner.
    expect(keysFor(table(), change("pods", "default", "web-x", { labelsUnchanged: true, ownerReferences: [owner("ReplicaSet", "web")] }))).toEqual(["rs:default/web", "svcs:default/", "pdbs:default/"]);
  });

  it("only the scheduler and the kubelets are writers that keep pod labels", () => {
    const cases: [Parameters<typeof keepsPodLabels>[0], boolean][] = [
      ["scheduler", true],
      ["node:n1", true],
      ["controllers", false],
      [undefined, false],
    ];
    for (const [origin, want] of cases) expect(keepsPodLabels(origin)).toBe(want);
  });

  it("map ReplicationControllers and their pods to the rc keys", () => {
    const rcOwner: OwnerReference = { apiVersion: "v1", kind: "ReplicationController", name: "web", uid: "uid-web", controller: true };
    expect(keysFor(table(), change("replicationcontrollers", "n", "web"))).toEqual(["rc:n/web"]);
    expect(keysFor(table(), change("pods", "n", "web-x2p4v", { ownerReferences: [rcOwner] }))).toEqual(["rc:n/web", "svcs:n/", "pdbs:n/"]);
    // Deleted: its pods are garbage.
    expect(keysFor(table(), change("replicationcontrollers", "n", "web", { type: "DELETED" }))).toEqual(["rc:n/web", "gc:/", "quota:n/"]);
  });

  it("map committed changes by their owner references", () => {
    expect(keysFor(table(), change("pods", "n", "p", { type: "DELETED", ownerReferences: [owner("ReplicaSet", "rs1")] }))).toEqual(["rs:n/rs1", "svcs:n/", "pdbs:n/", "quota:n/"]);
    expect(keysFor(table(), change("replicasets.apps", "n", "rs1", { type: "DELETED", ownerReferences: [owner("Deployment", "d")] }))).toEqual(["rs:n/rs1", "deploy:n/d", "gc:/", "quota:n/"]);
    // A Service's own changes, and any pod's, reach the service controller.
    expect(keysFor(table(), change("services", "n", "web"))).toEqual(["svc:n/web"]);
    expect(keysFor(table(), change("endpoints", "n", "web"))).toEqual(["svc:n/web"]);
    // An HPA's changes reach it; its target's do not (it resyncs every period instead).
    expect(keysFor(table(), change("horizontalpodautoscalers.autoscaling", "n", "web"))).toEqual(["hpa:n/web"]);
    // A budget's changes reach it; a pod's reach every budget of its namespace (pdbs:, above).
    expect(keysFor(table(), change("poddisruptionbudgets.policy", "n", "web-pdb"))).toEqual(["pdb:n/web-pdb"]);
    expect(keysFor(table(), change("deployments.apps", "n", "web"))).toEqual(["deploy:n/web"]);
  });

  it("leave deleted and terminating pods without a controller alone; node changes reach the DaemonSets and pod GC", () => {
    expect(keysFor(table(), change("pods", "n", "p", { type: "DELETED" }))).toEqual(["svcs:n/", "pdbs:n/", "quota:n/"]);
    expect(keysFor(table(), change("pods", "n", "p", { deletionTimestamp: "2024-01-01T00:00:00Z" }))).toEqual(["svcs:n/", "pdbs:n/"]);
    // Every node change reaches the DaemonSets (a node may have joined or left their set)
    // and pod GC (a node may have been marked out of service).
    expect(keysFor(table(), change("nodes", "", "n1"))).toEqual(["dsnode:/n1", "node:/n1"]);
    expect(keysFor(table(), change("nodes", "", "n1", { type: "DELETED" }))).toEqual(["dsnode:/n1", "node:/n1"]);
    expect(keysFor(table(), change("deployments.apps", "n", "d", { type: "DELETED" }))).toEqual(["deploy:n/d", "gc:/", "quota:n/"]);
  });

  it("map storage: claims to themselves and from the pods that mount them, volumes to themselves", () => {
    expect(keysFor(table(), change("persistentvolumeclaims", "n", "data"))).toEqual(["pvc:n/data"]);
    expect(keysFor(table(), change("persistentvolumes", "", "pvc-1"))).toEqual(["pv:/pvc-1"]);
    expect(keysFor(table(), change("pods", "n", "p", { type: "DELETED", claimNames: ["data", "logs"] }))).toEqual(["svcs:n/", "pvc:n/data", "pvc:n/logs", "pdbs:n/", "quota:n/"]);
  });

  it("map StatefulSets, their pods and their revisions to the StatefulSet", () => {
    expect(keysFor(table(), change("statefulsets.apps", "n", "web"))).toEqual(["sts:n/web"]);
    expect(keysFor(table(), change("pods", "n", "web-0", { type: "DELETED", ownerReferences: [owner("StatefulSet", "web")] }))).toEqual(["sts:n/web", "svcs:n/", "pdbs:n/", "quota:n/"]);
    expect(keysFor(table(), change("controllerrevisions.apps", "n", "web-abc", { ownerReferences: [owner("StatefulSet", "web")] }))).toEqual(["sts:n/web"]);
  });

  it("map what gives quota usage back (an object gone, a pod finished) to a recount of its namespace's quotas", () => {
    expect(keysFor(table(), change("configmaps", "n", "c", { type: "DELETED" }))).toEqual(["quota:n/"]);
    expect(keysFor(table(), change("pods", "n", "p", { phase: "Succeeded" }))).toEqual(["podowner:n/p", "svcs:n/", "pdbs:n/", "quota:n/"]);
    expect(keysFor(table(), change("pods", "n", "p", { phase: "Running" }))).toEqual(["podowner:n/p", "svcs:n/", "pdbs:n/"]);
    // A charge moves the quota itself: no recount for that, nor for events.
    expect(keysFor(table(), change("resourcequotas", "n", "q"))).toEqual([]);
    expect(keysFor(table(), change("events", "n", "e", { type: "DELETED" }))).toEqual([]);
  });

  it("map CRDs to the CRD controller, and a custom object gone to a garbage-collector sweep", () => {
    expect(keysFor(table(), change("customresourcedefinitions.apiextensions.k8s.io", "", "crontabs.stable.example.com"))).toEqual(["crd:/crontabs.stable.example.com"]);
    expect(keysFor(table(), change("ingresses.networking.k8s.io", "n", "web"))).toEqual(["ing:n/web"]);
    expect(keysFor(table(), change("ingressclasses.networking.k8s.io", "", "nginx"))).toEqual(["ingclass:/nginx"]);
    expect(keysFor(table(), change("crontabs.stable.example.com", "n", "c", { type: "DELETED" }))).toEqual(["gc:/", "quota:n/"]);
    expect(keysFor(table(), change("crontabs.stable.example.com", "n", "c"))).toEqual([]);
  });
});
