// What a running container costs: the runtime's container stats (CRI ListContainerStats,
// what cAdvisor measures on a real node). Nothing is sampled: usage follows from what the
// container's main process is doing when someone asks. A program serving HTTP costs its
// image's idle figure plus the CPU time of the requests it answered in the last window;
// a shell loop that never sleeps burns a whole core; a sleeping shell costs nothing.
import type { ImageConfig, ProgramUsage } from "../images/types";
import type { ContainerRecord } from "./records";

/** The window CPU usage is averaged over, as metrics-server's resolution (15 s). */
export const USAGE_WINDOW_MS = 15_000;
/** How long request counts are kept: a few windows, in one-second buckets. */
const KEEP_SECONDS = 60;

const MiB = 1024 * 1024;
/** A program whose image says nothing of its cost. */
export const DEFAULT_USAGE: ProgramUsage = { idleMillicores: 1, memoryBytes: 4 * MiB };
/** A shell (and what it runs: sleep, a loop): busybox's is tiny, bash a little bigger. */
const SHELL_MEMORY = { busybox: 256 * 1024, gnu: 2 * MiB } as const;
/** One core, in nanocores: a busy loop takes all of the CPU it can get. */
const ONE_CORE = 1_000_000_000;

export interface ContainerUsage {
  usageNanoCores: number;
  workingSetBytes: number;
}

/** One more request answered at `at`: bump its second's bucket, drop buckets past a minute. */
export function countRequest(served: [number, number][] | undefined, at: number): [number, number][] {
  const sec = Math.floor(at / 1000);
  const kept = (served ?? []).filter(([s]) => s > sec - KEEP_SECONDS);
  const last = kept[kept.length - 1];
  if (last && last[0] === sec) last[1] += 1;
  else kept.push([sec, 1]);
  return kept;
}

/** Requests answered in the window that ends at `now`. */
export function requestsInWindow(served: [number, number][] | undefined, now: number): number {
  const from = Math.floor((now - USAGE_WINDOW_MS) / 1000);
  const to = Math.floor(now / 1000);
  return (served ?? []).reduce((n, [s, count]) => (s > from && s <= to ? n + count : n), 0);
}

/** The usage of a container at `now`; zero for one that does not run. */
export function containerUsage(c: ContainerRecord, image: ImageConfig, now: number): ContainerUsage {
  const m = c.machine;
  if (c.state !== "CONTAINER_RUNNING" || !m || m.exit) return { usageNanoCores: 0, workingSetBytes: 0 };
  const shellMemory = SHELL_MEMORY[image.userland];
  const wait = m.wait;
  if (wait?.k === "program") {
    const usage = image.programs[wait.run.cmd]?.usage ?? DEFAULT_USAGE;
    const requests = requestsInWindow(c.served, now);
    // CPU time of the window's requests (ms -> ns), spread over the window (s).
    const busy = (requests * (usage.cpuMsPerRequest ?? 0) * 1e6) / (USAGE_WINDOW_MS / 1000);
    return { usageNanoCores: Math.round(usage.idleMillicores * 1e6 + busy), workingSetBytes: usage.memoryBytes };
  }
  // A loop that never waits for anything: all of a core.
  if (wait?.k === "spin") return { usageNanoCores: ONE_CORE, workingSetBytes: shellMemory };
  return { usageNanoCores: 0, workingSetBytes: shellMemory };
}
