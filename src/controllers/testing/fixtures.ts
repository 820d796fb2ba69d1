// Object builders for the controllers' unit tests (test/unit/controllers-*.test.ts). Not
// imported by the worker; it lives here so the tests share one set of fixtures.
import type { Deployment, Pod, ReplicaSet } from "../../model/types";

export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

let seq = 0;
export function uid(prefix = "uid"): string {
  return `${prefix}-${++seq}`;
}

interface PodOpts {
  node?: string;
  phase?: Pod["status"] extends infer S ? (S extends { phase?: infer P } ? P : never) : never;
  ready?: boolean;
  readySince?: number;
  restarts?: number;
  created?: number;
  labels?: Record<string, string>;
  owner?: ReplicaSet | null;
  deleting?: boolean;
  cost?: number;
}

export function mkPod(name: string, o: PodOpts = {}): Pod {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: uid("pod"),
      resourceVersion: "10",
      creationTimestamp: iso(o.created ?? T0),
      labels: o.labels ?? { app: "web" },
      ...(o.cost !== undefined ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": String(o.cost) } } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { containers: [{ name: "app", image: "nginx" }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.ready ? "Running" : "Pending"),
      conditions: o.ready !== undefined ? [{ type: "Ready", status: o.ready ? "True" : "False", lastTransitionTime: iso(o.readySince ?? T0) }] : [],
      containerStatuses: [{ name: "app", ready: !!o.ready, restartCount: o.restarts ?? 0, image: "nginx", imageID: "" }],
    },
  };
  if (o.owner) pod.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: o.owner.metadata.name!, uid: o.owner.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  return pod;
}

export function mkRS(name: string, replicas: number, extra: Partial<ReplicaSet["spec"]> = {}): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", uid: uid("rs"), resourceVersion: "5", generation: 1, creationTimestamp: iso(T0) },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }] } },
      ...extra,
    },
    status: { replicas: 0 },
  };
}

export function mkDeployment(name: string, replicas: number, o: { image?: string; maxSurge?: number | string; maxUnavailable?: number | string; strategy?: "RollingUpdate" | "Recreate"; revisionHistoryLimit?: number } = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", uid: uid("deploy"), resourceVersion: "1", generation: 1, creationTimestamp: iso(T0) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: o.image ?? `${name}:v1` }] } },
      strategy:
        o.strategy === "Recreate"
          ? { type: "Recreate" }
          : { type: "RollingUpdate", rollingUpdate: { maxSurge: o.maxSurge ?? "25%", maxUnavailable: o.maxUnavailable ?? "25%" } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}
