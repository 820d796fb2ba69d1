// Fixtures for tests of the runtime and of whatever drives it (the kubelet): an
// in-memory storage, a clock that only moves when told, seeded IDs.
import { createRuntime, type Runtime } from "./index";
import type { PodSandboxConfig, RuntimeKind } from "./cri";
import { MemoryRuntimeStorage } from "./storage";
import type { DnsHook, NetworkHook } from "./sandbox-session";

interface FakeClock {
  now(): number;
  advance(ms: number): number;
  set(ms: number): void;
}

export function fakeClock(start = Date.UTC(2025, 10, 25, 9, 19, 0)): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => (t += ms),
    set: (ms) => void (t = ms),
  };
}

/** A deterministic Math.random replacement (Park-Miller). */
function seededRandom(seed = 42): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export interface TestRuntime extends Runtime {
  storage: MemoryRuntimeStorage;
  clock: FakeClock;
  /** Another runtime over the same storage: what a restarted Durable Object gets. */
  restart(): Runtime;
}

export function testRuntime(kind: RuntimeKind = "containerd", opts: { network?: NetworkHook; dns?: DnsHook; storage?: MemoryRuntimeStorage; clock?: FakeClock } = {}): TestRuntime {
  const storage = opts.storage ?? new MemoryRuntimeStorage();
  const clock = opts.clock ?? fakeClock();
  const random = seededRandom();
  const deps = { storage, now: clock.now, random, network: opts.network, dns: opts.dns };
  return { ...createRuntime(kind, deps), storage, clock, restart: () => createRuntime(kind, deps) };
}

export function sandboxConfig(name: string, podIP = "10.244.1.5", extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { metadata: { name, namespace: "default", uid: `uid-${name}`, attempt: 0 }, podIP, ...extra };
}
