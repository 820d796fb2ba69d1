// Small builders for Nodes and Pods, shared by the scheduler's unit and integration
// tests so that tables of cases read as data. Not used at runtime.

import type { Container, ContainerPort, Node, Pod, PodSpec, Taint } from "../model/types";

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110", ...o.extra };
  if (o.ephemeralStorage) allocatable["ephemeral-storage"] = o.ephemeralStorage;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: { ...allocatable }, allocatable, images: o.images ?? [] },
  };
}

interface ContainerOptions {
  cpu?: string;
  memory?: string;
  ephemeralStorage?: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  image?: string;
  ports?: ContainerPort[];
  restartPolicy?: string;
}

export function container(name: string, o: ContainerOptions = {}): Container {
  const requests: Record<string, string> = { ...o.requests };
  if (o.cpu !== undefined) requests.cpu = o.cpu;
  if (o.memory !== undefined) requests.memory = o.memory;
  if (o.ephemeralStorage !== undefined) requests["ephemeral-storage"] = o.ephemeralStorage;
  const resources = Object.keys(requests).length || o.limits ? { ...(Object.keys(requests).length ? { requests } : {}), ...(o.limits ? { limits: o.limits } : {}) } : undefined;
  return {
    name,
    image: o.image ?? "nginx:1.27",
    ...(resources ? { resources } : {}),
    ...(o.ports ? { ports: o.ports } : {}),
    ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
  };
}

/** A pod with one container "app" using `cpu`/`memory` unless `spec.containers` is given. */
export function makePod(name: string, o: ContainerOptions & { spec?: Partial<PodSpec>; namespace?: string; labels?: Record<string, string> } = {}): Pod {
  const { spec, namespace, labels, ...c } = o;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: namespace ?? "default", ...(labels ? { labels } : {}) },
    spec: { containers: [container("app", c)], ...spec },
  };
}

