// The kubelet's stats summary (the Summary API metrics-server scrapes): the runtime's
// container stats grouped by pod, each container held to its limits (the cgroup a real
// runtime puts it in throttles CPU at the limit; memory above it would be an OOM kill),
// and the node's own usage: its pods plus what the system (kubelet, runtime, OS) uses.
import type { ContainerUsageStats, NodeStatsSummary, PodUsageStats } from "../../controlplane/node-api";
import type { Pod } from "../../model/types";
import { cpuMillis, memoryBytes } from "../../model/quantity";
import type { ContainerStats } from "../runtime/cri";
import { USAGE_WINDOW_MS } from "../runtime/usage";
import type { PodRecord } from "./state";

/** What the node uses besides its pods: kubelet, container runtime, the OS. */
export const SYSTEM_USAGE = { usageNanoCores: 40_000_000, workingSetBytes: 480 * 1024 * 1024 } as const;

function limitsOf(pod: Pod, name: string): { cpu?: number; memory?: number } {
  const c = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((x) => x.name === name);
  const limits = c?.resources?.limits ?? {};
  return {
    cpu: limits.cpu !== undefined ? cpuMillis(limits.cpu) * 1e6 : undefined,
    memory: limits.memory !== undefined ? memoryBytes(limits.memory) : undefined,
  };
}

function capped(stats: ContainerStats, pod: Pod): ContainerUsageStats {
  const limit = limitsOf(pod, stats.metadata.name);
  return {
    name: stats.metadata.name,
    time: stats.timestamp,
    usageNanoCores: Math.min(stats.cpu.usageNanoCores, limit.cpu ?? Infinity),
    workingSetBytes: Math.min(stats.memory.workingSetBytes, limit.memory ?? Infinity),
  };
}

export function buildStatsSummary(nodeName: string, now: number, pods: readonly PodRecord[], stats: readonly ContainerStats[]): NodeStatsSummary {
  const out: PodUsageStats[] = [];
  for (const rec of pods) {
    if (!rec.sandboxId || rec.terminal || rec.gone || rec.admission === "rejected") continue;
    const containers = stats.filter((s) => s.podSandboxId === rec.sandboxId).map((s) => capped(s, rec.pod));
    if (containers.length === 0) continue;
    containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push({ podRef: { name: rec.name, namespace: rec.namespace, uid: rec.uid }, containers });
  }
  let cpu = SYSTEM_USAGE.usageNanoCores;
  let memory = SYSTEM_USAGE.workingSetBytes;
  for (const c of out.flatMap((p) => p.containers)) {
    cpu += c.usageNanoCores;
    memory += c.workingSetBytes;
  }
  return { node: { nodeName, time: now, usageNanoCores: cpu, workingSetBytes: memory }, pods: out, windowMs: USAGE_WINDOW_MS };
}
