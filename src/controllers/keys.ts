// Work keys and how a change turns into them. A key names one reconcile:
//   rs:NS/NAME        the ReplicaSet controller for that ReplicaSet
//   deploy:NS/NAME    the Deployment controller
//   ns:/NAME          the namespace controller
//   node:/NAME        pod GC for a node that may be gone
//   gc:/              one garbage-collector sweep for dangling owner references
//   podowner:NS/NAME  find which ReplicaSet(s) care about a pod (reads the pod)
//   rsowner:NS/NAME   find which Deployment(s) care about a ReplicaSet
//   svc:NS/NAME       a Service's endpoints, slices and address allocations
//   svcs:NS/          every Service of a namespace (one of its pods changed)
// A poke carries only the resource and name, so the owner is read, or, for objects
// already gone, guessed from the name the controllers gave them (`<rs>-<5 chars>`,
// `<deployment>-<hash>`); the periodic resync covers what a guess misses.
import type { Change } from "../store/store";
import type { ControllerKey } from "../controlplane/stubs";
import type { Pod } from "../model/types";
import { controllerRef } from "./pod-state";
import { SAFE_ALPHABET } from "./hash";

export type WorkKind = "rs" | "deploy" | "ns" | "node" | "gc" | "podowner" | "rsowner" | "svc" | "svcs";
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

const POD_NAME = new RegExp(`^(.+)-[${SAFE_ALPHABET}]{5}$`);
const RS_NAME = new RegExp(`^(.+)-[${SAFE_ALPHABET}]{1,10}$`);

/** The ReplicaSet a pod name suggests (`web-5485cc6795-x2p4v` → `web-5485cc6795`). */
export function replicaSetFromPodName(name: string): string | undefined {
  return POD_NAME.exec(name)?.[1];
}

/** The Deployment a ReplicaSet name suggests (`web-5485cc6795` → `web`). */
export function deploymentFromReplicaSetName(name: string): string | undefined {
  return RS_NAME.exec(name)?.[1];
}

/** Keys for a poke from another component: only the resource and the name are known. */
export function keysForPoke(k: ControllerKey, terminating: ReadonlySet<string>): WorkKey[] {
  const out: WorkKey[] = [];
  switch (k.resource) {
    case "pods": {
      const rs = replicaSetFromPodName(k.name);
      out.push(rs ? workKey("rs", k.namespace, rs) : workKey("podowner", k.namespace, k.name));
      out.push(workKey("svcs", k.namespace, ""));
      break;
    }
    case "services":
    case "endpoints":
      // Endpoints are named after their Service (mirrored into slices when it has no selector).
      out.push(workKey("svc", k.namespace, k.name));
      break;
    case "replicasets.apps":
      out.push(workKey("rs", k.namespace, k.name), workKey("rsowner", k.namespace, k.name));
      break;
    case "deployments.apps":
      out.push(workKey("deploy", k.namespace, k.name));
      break;
    case "namespaces":
      out.push(workKey("ns", "", k.name));
      break;
    case "nodes":
      out.push(workKey("node", "", k.name));
      break;
  }
  if (k.namespace && terminating.has(k.namespace)) out.push(workKey("ns", "", k.namespace));
  return out;
}

/** Keys for a change this process committed: the object is at hand, owners are exact. */
export function keysForChange(ch: Change, terminating: ReadonlySet<string>): WorkKey[] {
  const obj = ch.object;
  const ns = obj.metadata.namespace ?? "";
  const name = obj.metadata.name ?? "";
  const ref = controllerRef(obj);
  const out: WorkKey[] = [];
  switch (ch.resource) {
    case "pods":
      if (ref?.kind === "ReplicaSet") out.push(workKey("rs", ns, ref.name));
      else if (!ref && ch.type !== "DELETED" && !(obj as Pod).metadata.deletionTimestamp) out.push(workKey("podowner", ns, name));
      out.push(workKey("svcs", ns, ""));
      break;
    case "services":
    case "endpoints":
      out.push(workKey("svc", ns, name));
      break;
    case "replicasets.apps":
      out.push(workKey("rs", ns, name));
      if (ref?.kind === "Deployment") out.push(workKey("deploy", ns, ref.name));
      else if (!ref && ch.type !== "DELETED") out.push(workKey("rsowner", ns, name));
      if (ch.type === "DELETED") out.push(GC_KEY);
      break;
    case "deployments.apps":
      out.push(workKey("deploy", ns, name));
      if (ch.type === "DELETED") out.push(GC_KEY);
      break;
    case "namespaces":
      out.push(workKey("ns", "", name));
      break;
    case "nodes":
      if (ch.type === "DELETED") out.push(workKey("node", "", name));
      break;
  }
  if (ns && terminating.has(ns) && ch.resource !== "events") out.push(workKey("ns", "", ns));
  return out;
}
