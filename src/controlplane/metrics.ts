// The resource metrics pipeline (metrics-server's job): ask the kubelets for their stats
// summaries and turn them into NodeMetrics and PodMetrics. Nothing is stored between
// reads; a node that does not answer simply has no metrics, as after a failed scrape.
// The API serves these; a controller (the HorizontalPodAutoscaler) can call them too.
import type { Node, Pod } from "../model/types";
import { nodeMetrics, podMetrics, usageOf, type NodeMetrics, type PodMetrics } from "../model/metrics";
import type { NodeStatsSummary } from "./node-api";
import { nodeAgent } from "./stubs";

/** How long a scrape may take before the node counts as not answering. */
const SCRAPE_TIMEOUT_MS = 5_000;

async function scrapeOne(env: Env, nodeName: string): Promise<NodeStatsSummary | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SCRAPE_TIMEOUT_MS)));
  try {
    return await Promise.race([nodeAgent(env, nodeName).statsSummary(), timeout]);
  } catch (e) {
    console.error(`metrics: scraping node ${nodeName} failed:`, e);
    return null;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The stats summaries of these nodes, in parallel; nodes that did not answer are absent. */
export async function scrapeNodes(env: Env, nodeNames: Iterable<string>): Promise<Map<string, NodeStatsSummary>> {
  const names = [...new Set(nodeNames)].filter((n) => n);
  const summaries = await Promise.all(names.map((n) => scrapeOne(env, n)));
  const out = new Map<string, NodeStatsSummary>();
  names.forEach((n, i) => {
    const s = summaries[i];
    if (s) out.set(n, s);
  });
  return out;
}

/** NodeMetrics of these nodes (in their order), leaving out those without metrics. */
export async function nodeMetricsOf(env: Env, nodes: readonly Node[], now: number): Promise<NodeMetrics[]> {
  const summaries = await scrapeNodes(
    env,
    nodes.map((n) => n.metadata.name ?? ""),
  );
  const out: NodeMetrics[] = [];
  for (const node of nodes) {
    const s = summaries.get(node.metadata.name ?? "");
    if (!s) continue;
    out.push(nodeMetrics(s.node.nodeName, node.metadata.labels, usageOf(s.node.usageNanoCores, s.node.workingSetBytes), { time: s.node.time, windowMs: s.windowMs, now }));
  }
  return out;
}

/**
 * PodMetrics of these pods (in their order): each asked of the node it runs on, matched
 * by UID so a pod re-created under the same name never shows its predecessor's usage.
 * Pods that are not running anywhere, or whose node did not answer, are left out.
 */
export async function podMetricsOf(env: Env, pods: readonly Pod[], now: number): Promise<PodMetrics[]> {
  const summaries = await scrapeNodes(
    env,
    pods.map((p) => p.spec.nodeName ?? ""),
  );
  const out: PodMetrics[] = [];
  for (const pod of pods) {
    const s = summaries.get(pod.spec.nodeName ?? "");
    const stats = s?.pods.find((p) => p.podRef.uid === pod.metadata.uid);
    if (!s || !stats) continue;
    const time = Math.min(...stats.containers.map((c) => c.time));
    const containers = stats.containers.map((c) => ({ name: c.name, usage: usageOf(c.usageNanoCores, c.workingSetBytes) }));
    out.push(podMetrics(pod.metadata.namespace ?? "", pod.metadata.name ?? "", pod.metadata.labels, containers, { time, windowMs: s.windowMs, now }));
  }
  return out;
}

/** A pod's usage in plain numbers, per container and summed. */
export interface PodUsage {
  cpuMillis: number;
  memoryBytes: number;
  containers: { name: string; cpuMillis: number; memoryBytes: number }[];
  /** When it was measured (the oldest container sample) and over how long a window. */
  timestamp: number;
  windowMs: number;
}

/** Pods' usage (millicores, bytes) keyed by pod UID: what an autoscaler compares with its requests. */
export async function podUsage(env: Env, pods: readonly Pod[]): Promise<Map<string, PodUsage>> {
  const summaries = await scrapeNodes(
    env,
    pods.map((p) => p.spec.nodeName ?? ""),
  );
  const out = new Map<string, PodUsage>();
  for (const pod of pods) {
    const s = summaries.get(pod.spec.nodeName ?? "");
    const stats = s?.pods.find((p) => p.podRef.uid === pod.metadata.uid);
    if (!s || !stats || stats.containers.length === 0) continue;
    const containers = stats.containers.map((c) => ({ name: c.name, cpuMillis: Math.round(c.usageNanoCores / 1e6), memoryBytes: c.workingSetBytes }));
    out.set(pod.metadata.uid ?? "", {
      cpuMillis: Math.round(stats.containers.reduce((n, c) => n + c.usageNanoCores, 0) / 1e6),
      memoryBytes: stats.containers.reduce((n, c) => n + c.workingSetBytes, 0),
      containers,
      timestamp: Math.min(...stats.containers.map((c) => c.time)),
      windowMs: s.windowMs,
    });
  }
  return out;
}
