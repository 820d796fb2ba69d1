// The resource metrics API (metrics.k8s.io/v1beta1): NodeMetrics and PodMetrics, as
// metrics-server serves them through its APIService. They are not stored: each read
// asks the kubelets for a fresh summary and dresses it here. `kubectl top` and the
// HorizontalPodAutoscaler read them.
import { canonicalQuantity, formatMemory } from "./quantity";
import type { ObjectMeta } from "./types";

/** RFC 3339 with second precision, as metav1.Time serialises. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** The resources metrics-server's APIService adds to discovery; only get and list. */
export const METRICS_RESOURCES = [
  { resource: "nodes", kind: "NodeMetrics", namespaced: false },
  { resource: "pods", kind: "PodMetrics", namespaced: true },
] as const;
export const METRICS_VERBS = ["get", "list"];

export interface ResourceUsage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind: "NodeMetrics";
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  kind: "PodMetrics";
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

/** A usage as metrics-server writes it: CPU in nanocores ("40m", "1234567n"), memory in bytes ("5Mi", "2748180Ki"). */
export function usageOf(usageNanoCores: number, workingSetBytes: number): ResourceUsage {
  return { cpu: canonicalQuantity(`${Math.max(0, Math.round(usageNanoCores))}n`), memory: formatMemory(Math.max(0, workingSetBytes)) };
}

/** A Go duration as metav1.Duration prints it: "15s", "1m0s". */
export function goDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${s - m * 60}s`;
}

interface Sample {
  time: number;
  windowMs: number;
  now: number;
}

export function nodeMetrics(name: string, labels: Record<string, string> | undefined, usage: ResourceUsage, s: Sample): NodeMetrics {
  return {
    kind: "NodeMetrics",
    apiVersion: METRICS_API_VERSION,
    metadata: { name, creationTimestamp: isoSeconds(s.now), ...(labels ? { labels } : {}) },
    timestamp: isoSeconds(s.time),
    window: goDuration(s.windowMs),
    usage,
  };
}

export function podMetrics(namespace: string, name: string, labels: Record<string, string> | undefined, containers: ContainerMetrics[], s: Sample): PodMetrics {
  return {
    kind: "PodMetrics",
    apiVersion: METRICS_API_VERSION,
    metadata: { name, namespace, creationTimestamp: isoSeconds(s.now), ...(labels ? { labels } : {}) },
    timestamp: isoSeconds(s.time),
    window: goDuration(s.windowMs),
    containers,
  };
}
