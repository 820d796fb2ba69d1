// Pod resource requests computed the way Kubernetes computes them
// (k8s.io/component-helpers/resource PodRequests, used by the scheduler's
// NodeResourcesFit and NodeInfo, and by the kubelet's admission): the kubelet and
// the scheduler must agree to the millicore, or a pod the scheduler placed is
// refused by the node. Both components read it from here.

import { cpuMillis, memoryBytes } from "./quantity";
import type { Container, Pod, ResourceList } from "./types";

/** Resource amounts in the units the scheduler and the kubelet compare: millicores, bytes, counts. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (example.com/foo, hugepages-2Mi), in their base unit. */
  scalar: Record<string, number>;
}

/** schedutil.DefaultMilliCPURequest: what scoring assumes for a container with no cpu request. */
const DEFAULT_MILLI_CPU_REQUEST = 100;
/** schedutil.DefaultMemoryRequest: 200 MiB. */
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Amounts by resource name; cpu in millicores, everything else in its base unit. */
type Amounts = Map<string, number>;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} };
}

/**
 * Extended resources the scheduler also accounts (upstream IsScalarResourceName):
 * vendor names with a slash (example.com/gpu), hugepages-*, attachable-volumes-*.
 * Anything else unknown is ignored, as upstream does.
 */
function isScalarResourceName(name: string): boolean {
  return name.includes("/") || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-");
}

/** cpu is compared in millicores (MilliValue), all else by Value(); both round up. */
function amount(name: string, q: string): number {
  // memoryBytes is Quantity.Value() (base units, rounded up): right for bytes and counts alike.
  return name === "cpu" ? cpuMillis(q) : memoryBytes(q);
}

function parseList(rl: ResourceList | undefined): Amounts {
  const out: Amounts = new Map();
  if (!rl) return out;
  for (const [name, q] of Object.entries(rl)) out.set(name, amount(name, String(q)));
  return out;
}

function addInto(dst: Amounts, src: Amounts): void {
  for (const [k, v] of src) dst.set(k, (dst.get(k) ?? 0) + v);
}

function maxInto(dst: Amounts, src: Amounts): void {
  for (const [k, v] of src) dst.set(k, Math.max(dst.get(k) ?? 0, v));
}

/**
 * A container's effective requests. Requests default to limits where only a
 * limit is set: the API server's SetDefaults_Pod does this on create, and doing
 * it here too keeps the scheduler right if a stored pod skipped defaulting.
 */
function containerRequests(c: Container, nonMissing: Amounts | undefined): Amounts {
  const reqs = parseList(c.resources?.requests);
  for (const [k, v] of parseList(c.resources?.limits)) if (!reqs.has(k)) reqs.set(k, v);
  // NonMissingContainerRequests: only a *missing* key gets the default; an explicit "0" stays 0.
  if (nonMissing) for (const [k, v] of nonMissing) if (!reqs.has(k)) reqs.set(k, v);
  return reqs;
}

function isRestartableInit(c: Container): boolean {
  return c.restartPolicy === "Always";
}

/**
 * PodRequests: sum of app containers; sidecars (init containers with
 * restartPolicy Always) run for the pod's whole life, so they add to the sum and
 * to every later init container's footprint; each regular init container runs
 * alone (plus the sidecars started before it), so the pod needs the max of that
 * and the steady-state sum. Overhead (RuntimeClass) is added on top.
 */
function podRequestAmounts(pod: Pod, nonMissing?: Amounts): Amounts {
  const reqs: Amounts = new Map();
  for (const c of pod.spec.containers ?? []) addInto(reqs, containerRequests(c, nonMissing));

  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of pod.spec.initContainers ?? []) {
    const own = containerRequests(c, nonMissing);
    let footprint: Amounts;
    if (isRestartableInit(c)) {
      addInto(reqs, own);
      addInto(sidecars, own);
      footprint = sidecars;
    } else {
      footprint = new Map(own);
      addInto(footprint, sidecars);
    }
    maxInto(initPeak, footprint);
  }
  maxInto(reqs, initPeak);

  const overhead = pod.spec.overhead as ResourceList | undefined;
  if (overhead) addInto(reqs, parseList(overhead));
  return reqs;
}

function toResource(a: Amounts): Resource {
  const r = emptyResource();
  for (const [name, v] of a) {
    if (name === "cpu") r.milliCPU = v;
    else if (name === "memory") r.memory = v;
    else if (name === "ephemeral-storage") r.ephemeralStorage = v;
    else if (isScalarResourceName(name)) r.scalar[name] = v;
  }
  return r;
}

const NON_ZERO_DEFAULTS: Amounts = new Map([
  ["cpu", DEFAULT_MILLI_CPU_REQUEST],
  ["memory", DEFAULT_MEMORY_REQUEST],
]);

/** The pod's requests as Kubernetes aggregates them (what NodeResourcesFit filters on). */
export function podRequests(pod: Pod): Resource {
  return toResource(podRequestAmounts(pod));
}

/**
 * cpu/memory with 100m / 200Mi for every container that requests none
 * (upstream NonZeroRequests). Used only for scoring, so that best-effort pods
 * still spread instead of all landing on the node that "looks" emptiest.
 */
export function podNonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  const a = podRequestAmounts(pod, NON_ZERO_DEFAULTS);
  return { milliCPU: a.get("cpu") ?? 0, memory: a.get("memory") ?? 0 };
}

/** A node's allocatable as a Resource plus its pod count limit. */
export function nodeAllocatable(rl: ResourceList | undefined): { resource: Resource; pods: number } {
  const a = parseList(rl);
  return { resource: toResource(a), pods: a.get("pods") ?? 0 };
}

export function addResource(dst: Resource, src: Resource, sign: 1 | -1 = 1): void {
  dst.milliCPU += sign * src.milliCPU;
  dst.memory += sign * src.memory;
  dst.ephemeralStorage += sign * src.ephemeralStorage;
  for (const [k, v] of Object.entries(src.scalar)) dst.scalar[k] = (dst.scalar[k] ?? 0) + sign * v;
}
