// The HPA's replica calculator for resource metrics (pkg/controller/podautoscaler/
// replica_calculator.go), pure: pods and their measured usage in, a replica count out.
// Utilization is sum(usage)/sum(requests) over the pods that count, as an integer
// percent; within the tolerance nothing changes. It is conservative where data is
// missing: pods without metrics count as using 100% (or the target, if higher) when
// scaling down and 0% when scaling up; pods not yet ready count as 0% when scaling up;
// if that reverses the direction, the count stays as it is.
import type { Pod } from "../model/types";
import { cpuMillis, memoryBytes } from "../model/quantity";

/** One pod's usage of the resource, as the resource metrics API reports it. */
export interface PodMetric {
  /** Milli-units: millicores for cpu, thousandths of a byte for memory (as MilliValue()). */
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface CalculatorConfig {
  /** --horizontal-pod-autoscaler-tolerance: a ratio this close to 1 changes nothing. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_CALCULATOR_CONFIG: CalculatorConfig = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, delayOfInitialReadinessStatusMs: 30_000 };

export interface CalculatorInput {
  currentReplicas: number;
  resource: string;
  /** A ContainerResource metric: only this container's usage and request count. */
  container?: string;
  /** The pods the scale target's selector selects. */
  pods: Pod[];
  /** Usage by pod name; pods the metrics API has nothing for are absent. */
  metrics: Map<string, PodMetric>;
  now: number;
  config: CalculatorConfig;
}

export type CalculatorResult =
  | { ok: true; replicas: number; utilization: number; rawUtilization: number; timestamp: number }
  | { ok: false; error: string };

export type RawResult = { ok: true; replicas: number; usage: number; timestamp: number } | { ok: false; error: string };

const milli = (resource: string, q: string | number): number => (resource === "cpu" ? cpuMillis(q) : resource === "memory" ? memoryBytes(q) * 1000 : Number(q) * 1000);

/** calculatePodRequests: each pod's request in milli-units; a container without one is an error. */
function podRequests(pods: Pod[], resource: string, container: string | undefined): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec.containers ?? []) {
      if (container && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined || req === null) return `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`;
      sum += milli(resource, req);
    }
    out.set(pod.metadata.name ?? "", sum);
  }
  return out;
}

interface Groups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** groupPods: which pods count, which are unready, which have no metrics, which are ignored. */
function groupPods(pods: Pod[], metrics: Map<string, PodMetric>, resource: string, now: number, config: CalculatorConfig): Groups {
  const g: Groups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? "";
    if (pod.metadata.deletionTimestamp || pod.status?.phase === "Failed") {
      g.ignored.add(name);
      continue;
    }
    // Pending pods get ignored: they have no metrics yet.
    if (pod.status?.phase === "Pending") {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === "cpu") {
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || start === undefined) unready = true;
      else {
        const transition = Date.parse(ready.lastTransitionTime ?? "") || 0;
        if (start + config.cpuInitializationPeriodMs > now) {
          // Still initializing: its sample counts only once it is ready and a whole window was measured since.
          unready = ready.status === "False" || metric.timestamp < transition + metric.windowMs;
        } else {
          // Later: ignore it only if it has never been ready.
          unready = ready.status === "False" && start + config.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** GetResourceUtilizationRatio over the pods in `metrics` that have a request. */
function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number) {
  let usage = 0;
  let requested = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    usage += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) return undefined;
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target, utilization, raw: Math.trunc(usage / n) };
}

const metricsOf = (input: CalculatorInput, g: Groups): Map<string, PodMetric> => {
  const m = new Map(input.metrics);
  // Metrics of pods the selector no longer selects count for nothing.
  const names = new Set(input.pods.map((p) => p.metadata.name ?? ""));
  for (const k of [...m.keys()]) if (!names.has(k) || g.ignored.has(k) || g.unready.has(k)) m.delete(k);
  return m;
};

const firstTimestamp = (metrics: Map<string, PodMetric>) => metrics.values().next().value?.timestamp ?? 0;

/** The targeted pods' metrics both calculators start from, grouped, or why there are none to use. */
function podMetrics(input: CalculatorInput): { error: string } | { timestamp: number; g: ReturnType<typeof groupPods>; metrics: Map<string, PodMetric> } {
  const { resource, pods, config } = input;
  if (input.metrics.size === 0) return { error: `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API` };
  const timestamp = firstTimestamp(input.metrics);
  if (pods.length === 0) return { error: "no pods returned by selector while calculating replica count" };
  const g = groupPods(pods, input.metrics, resource, input.now, config);
  const metrics = metricsOf(input, g);
  if (metrics.size === 0) return { error: "did not receive metrics for targeted pods (pods might be unready)" };
  return { timestamp, g, metrics };
}

/**
 * The count once missing and unready pods were filled in: unchanged when the new ratio
 * is within tolerance or points the other way than the first, or when the count would
 * move against it (upstream's guard against flapping).
 */
function replicasAfterFill(currentReplicas: number, tolerance: number, ratio: number, newRatio: number, podCount: number): number {
  if (Math.abs(1.0 - newRatio) <= tolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) return currentReplicas;
  const replicas = Math.ceil(newRatio * podCount);
  if ((newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** GetResourceReplicas: the replica count for an average utilization target (percent of requests). */
export function resourceReplicas(input: CalculatorInput, targetUtilization: number): CalculatorResult {
  const { currentReplicas, pods, resource, config } = input;
  const sampled = podMetrics(input);
  if ("error" in sampled) return { ok: false, error: sampled.error };
  const { timestamp, g, metrics } = sampled;
  const requests = podRequests(pods, resource, input.container);
  if (typeof requests === "string") return { ok: false, error: requests };
  const first = utilizationRatio(metrics, requests, targetUtilization);
  if (!first) return { ok: false, error: "no metrics returned matched known pods" };
  const { ratio, utilization, raw } = first;
  const ok = (replicas: number): CalculatorResult => ({ ok: true, replicas, utilization, rawUtilization: raw, timestamp });

  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= config.tolerance) return ok(currentReplicas);
    return ok(Math.ceil(ratio * g.readyPodCount));
  }
  if (g.missing.size > 0) {
    // Scaling down: assume the silent pods use at least their whole request; up: nothing.
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) metrics.set(name, { value: ratio < 1.0 ? ((requests.get(name) ?? 0) * fallback) / 100 : 0, timestamp, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp, windowMs: 0 });
  const again = utilizationRatio(metrics, requests, targetUtilization);
  const newRatio = again?.ratio ?? ratio;
  return ok(replicasAfterFill(currentReplicas, config.tolerance, ratio, newRatio, metrics.size));
}

/** GetRawResourceReplicas: the replica count for an average value target (milli-units per pod). */
export function rawResourceReplicas(input: CalculatorInput, targetUsage: number): RawResult {
  const { currentReplicas, config } = input;
  const sampled = podMetrics(input);
  if ("error" in sampled) return { ok: false, error: sampled.error };
  const { timestamp, g, metrics } = sampled;
  const average = (m: Map<string, PodMetric>) => [...m.values()].reduce((s, x) => s + x.value, 0) / m.size;
  const usage = Math.trunc(average(metrics));
  const ratio = average(metrics) / targetUsage;
  const ok = (replicas: number): RawResult => ({ ok: true, replicas, usage, timestamp });
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= config.tolerance) return ok(currentReplicas);
    return ok(Math.ceil(ratio * g.readyPodCount));
  }
  for (const name of g.missing) metrics.set(name, { value: ratio < 1.0 ? targetUsage : 0, timestamp, windowMs: 0 });
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp, windowMs: 0 });
  const newRatio = average(metrics) / targetUsage;
  return ok(replicasAfterFill(currentReplicas, config.tolerance, ratio, newRatio, metrics.size));
}
