// Pod priority (pkg/apis/scheduling): the reserved system classes, the highest value a
// user's class may take, and which class is the cluster's default. Admission resolves
// a pod's priorityClassName with these; the scheduler orders and preempts by the
// result (spec.priority).
import type { PriorityClass } from "./types";

/** Class names with this prefix are reserved for the system classes below. */
export const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";
/** HighestUserDefinablePriority: a user's class may go no higher. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** SystemCriticalPriority: the floor of the system classes. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
/** A pod that names no class, in a cluster without a globalDefault class. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;

export const PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"] as const;

/** The two classes the API server creates at start and keeps (the bootstrap-system-priority-classes hook). */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-node-critical" },
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    description: "Used for system critical pods that must not be moved from their current node.",
  },
  {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-cluster-critical" },
    value: SYSTEM_CRITICAL_PRIORITY,
    description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  },
];

export function isSystemPriorityClassName(name: string): boolean {
  return SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === name);
}

/** IsKnownSystemPriorityClass: undefined when `pc` is one of them as it must be, else why not. */
export function systemPriorityClassError(pc: Pick<PriorityClass, "metadata" | "value" | "globalDefault">): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === pc.metadata.name);
  if (!known) return `${pc.metadata.name} is not a known system priority class`;
  if (known.value !== pc.value) return `value of ${known.metadata.name} PriorityClass must be ${known.value}`;
  if (!!pc.globalDefault !== !!known.globalDefault) return `globalDefault of ${known.metadata.name} PriorityClass must be ${!!known.globalDefault}`;
  return undefined;
}

/**
 * The globalDefault class. Two may exist after a race between creates (admission
 * reads before the write); upstream then takes the one with the lowest value.
 */
export function defaultPriorityClassOf(classes: readonly PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const c of classes) if (c.globalDefault && (!best || c.value < best.value)) best = c;
  return best;
}
