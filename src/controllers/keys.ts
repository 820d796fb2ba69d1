// Work keys: `<controller>:<namespace>/<name>`, one reconcile each. The prefix is the
// name of a row in the controller manager's table:
//   rs:NS/NAME        the ReplicaSet controller for that ReplicaSet
//   rc:NS/NAME        the same controller for a ReplicationController
//   deploy:NS/NAME    the Deployment controller
//   job:NS/NAME       the Job controller
//   jobttl:NS/NAME    a finished Job's time to live
//   cronjob:NS/NAME   the CronJob controller (its next run rides on the manager's alarm)
//   ns:/NAME          the namespace controller
//   node:/NAME        pod GC for a node that may be gone
//   gc:/              one garbage-collector sweep for dangling owner references
//   podowner:NS/NAME  find which ReplicaSet(s) or ReplicationController(s) may adopt a pod without a controller
//   rsowner:NS/NAME   find which Deployment(s) may adopt a ReplicaSet without one
//   svc:NS/NAME       a Service's endpoints, slices and address allocations
//   svcs:NS/          every Service of a namespace (one of its pods changed)
//   sa:/NAME          the "default" ServiceAccount of a namespace
//   rootca:/NAME      the kube-root-ca.crt ConfigMap of a namespace
//   ds:NS/NAME        the DaemonSet controller
//   dsnode:/NAME      a node changed: every DaemonSet is reconciled
//   sts:NS/NAME       the StatefulSet controller
//   clusterrole:/     every aggregated ClusterRole (a ClusterRole changed)
//   pvc:NS/NAME       a PersistentVolumeClaim: bind, provision, protection
//   pv:/NAME          a PersistentVolume: phase, reclaim, protection
//   hpa:NS/NAME       a HorizontalPodAutoscaler (again every sync period)
//   crd:/NAME         a CustomResourceDefinition: names, Established, cleanup on delete
//   pdb:NS/NAME       a PodDisruptionBudget's status (again when an eviction it awaits expires)
//   pdbs:NS/          every PodDisruptionBudget of a namespace (one of its pods changed)
//   ing:NS/NAME       an Ingress of the cluster's own class: its address and Sync events
//   ingclass:/NAME    an IngressClass changed: the Ingresses of that class
//   quota:NS/         every ResourceQuota of a namespace (an object there went away or a pod finished)
import type { ControllerKey } from "../controlplane/stubs";
import type { Controller } from "./controller";

export type WorkKind = "rs" | "rc" | "deploy" | "job" | "jobttl" | "cronjob" | "ns" | "node" | "gc" | "podowner" | "rsowner" | "svc" | "svcs" | "eventttl" | "sa" | "rootca" | "clusterrole" | "ds" | "dsnode" | "pvc" | "pv" | "hpa" | "sts" | "crd" | "pdb" | "pdbs" | "ing" | "ingclass" | "quota";
export type WorkKey = string;

export function workKey(kind: WorkKind, namespace: string, name: string): WorkKey {
  return `${kind}:${namespace}/${name}`;
}

export const GC_KEY: WorkKey = "gc:/";

export function parseKey(key: WorkKey): { kind: WorkKind; namespace: string; name: string } {
  const colon = key.indexOf(":");
  const slash = key.indexOf("/", colon + 1);
  return { kind: key.slice(0, colon) as WorkKind, namespace: key.slice(colon + 1, slash), name: key.slice(slash + 1) };
}

/** Every controller's keys for one change, in table order. */
export function keysFor(controllers: readonly Controller[], change: ControllerKey): WorkKey[] {
  return controllers.flatMap((c) => c.keysFor(change).map((k) => workKey(c.name, k.namespace, k.name)));
}
