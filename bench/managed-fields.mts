// `flock /tmp/edgekube-cpu.lock npm exec -- tsx bench/managed-fields.mts [--iterations 20000 --runs 3]`
//
// What metadata.managedFields costs a write, in plain Node: the field manager's work
// (trackManagedFields: compare the old and new object along the schema, update the
// entries) for the writes that happen most, next to what the write path does to
// every object anyway (one structuredClone and one JSON.stringify, as the registry
// and the store do), measured in the same run. Median of --runs runs.
//   - kubelet: a pod's status update (a condition and a container state change);
//   - controller: a ReplicaSet created from a template;
//   - lease: a Lease renewal (one timestamp changes).
import { trackManagedFields, writerOf } from "../src/registry/field-manager";
import { RESOURCES, storageKey } from "../src/model/resources";
import type { KubeObject } from "../src/model/types";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ITER = arg("iterations", 20000);
const RUNS = arg("runs", 3);
const info = (key: string) => RESOURCES.find((r) => storageKey(r) === key)!;

const container = (name: string) => ({
  name,
  image: `${name}:1.0`,
  ports: [{ containerPort: 8080, protocol: "TCP" }],
  env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
  resources: { requests: { cpu: "100m", memory: "64Mi" } },
  volumeMounts: [{ name: "data", mountPath: "/data" }],
  imagePullPolicy: "IfNotPresent",
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
});

function pod(ready: boolean): KubeObject {
  const t = "2026-01-01T00:00:00Z";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-abc12", namespace: "default", uid: "u1", resourceVersion: "10", labels: { app: "web", "pod-template-hash": "abc" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "u0", controller: true, blockOwnerDeletion: true }] },
    spec: { containers: [container("app"), container("sidecar")], volumes: [{ name: "data", emptyDir: {} }], nodeName: "node-1", restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30, tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] },
    status: {
      phase: "Running",
      conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: type === "Ready" && !ready ? "False" : "True", lastTransitionTime: t })),
      hostIP: "10.0.0.1",
      podIP: "10.244.0.5",
      podIPs: [{ ip: "10.244.0.5" }],
      startTime: t,
      containerStatuses: ["app", "sidecar"].map((name) => ({ name, ready, restartCount: 0, image: `${name}:1.0`, imageID: "sha256:x", containerID: "containerd://x", started: true, state: { running: { startedAt: t } } })),
      qosClass: "Burstable",
    },
  } as KubeObject;
}

function replicaSet(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "web-abc", namespace: "default", labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d", controller: true, blockOwnerDeletion: true }] },
    spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: (pod(true).spec as object) } },
  } as KubeObject;
}

function lease(renew: string): KubeObject {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1", namespace: "kube-node-lease", uid: "l", resourceVersion: "3" }, spec: { holderIdentity: "node-1", leaseDurationSeconds: 40, renewTime: renew } } as KubeObject;
}

interface Case {
  name: string;
  resource: string;
  old?: KubeObject;
  next: () => KubeObject;
  subresource?: "status";
}

// The live objects already carry their managed fields, as stored ones do.
function stored(resource: string, o: KubeObject, manager: string, subresource?: "status"): KubeObject {
  const c = structuredClone(o);
  trackManagedFields(info(resource), c, undefined, undefined, writerOf(info(resource), manager, 0, subresource), false);
  return c;
}

const livePod = stored("pods", pod(false), "kubelet", "status");

const cases: Case[] = [
  // As the registry prepares a status update: the old object with the new status.
  { name: "kubelet pod status update", resource: "pods", old: livePod, next: () => ({ ...livePod, status: pod(true).status }) as KubeObject, subresource: "status" },
  { name: "controller ReplicaSet create", resource: "replicasets.apps", next: replicaSet },
  { name: "lease renewal", resource: "leases.coordination.k8s.io", old: stored("leases.coordination.k8s.io", lease("2026-01-01T00:00:00.000000Z"), "kubelet"), next: () => lease("2026-01-01T00:00:10.000000Z") },
];

function time(f: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) f();
  return Number(process.hrtime.bigint() - t0) / 1000 / ITER;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const c of cases) {
  const inf = info(c.resource);
  const objects = Array.from({ length: 64 }, () => c.next());
  if (c.old) for (const o of objects) o.metadata = { ...o.metadata, managedFields: c.old.metadata.managedFields };
  let k = 0;
  const fm: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const clone = time(() => ({ ...objects[k++ & 63], metadata: { ...objects[k & 63].metadata } }));
    base.push(time(() => JSON.stringify(structuredClone(objects[k++ & 63]))));
    const tracked = time(() => {
      // A shallow copy, as the registry hands over: unchanged parts keep their identity.
      const o = { ...objects[k++ & 63], metadata: { ...objects[k & 63].metadata } };
      trackManagedFields(inf, o, c.old, undefined, writerOf(inf, "m", Date.now(), c.subresource), false);
    });
    // The copy is not the field manager's work.
    fm.push(tracked - clone);
  }
  const f = median(fm);
  const b = median(base);
  console.log(`${c.name.padEnd(30)} field manager ${f.toFixed(1).padStart(6)} us/write   clone+stringify ${b.toFixed(1).padStart(6)} us/write   ratio ${(f / b).toFixed(2)}`);
}
