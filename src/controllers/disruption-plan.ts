// The disruption controller's decision for one PodDisruptionBudget, pure (upstream's
// pkg/controller/disruption trySync): from the pods its selector picks and the scale of
// the controllers that own them, the counts of its status (expectedPods,
// desiredHealthy, currentHealthy, disruptionsAllowed), the evictions it still waits
// for (disruptedPods, dropped once the pod terminates or 2 minutes on), the
// DisruptionAllowed condition, and the events upstream records.
import type { OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from "../model/types";
import { isoSeconds } from "../config";
import { DISRUPTED_POD_TIMEOUT_MS, DISRUPTION_ALLOWED, conditionUpToDate, isPodReady, scaledValue, setCondition, withDisruptionAllowedCondition } from "../model/disruption-budget";
import { goLabelSelector } from "../model/go-format";

/** What the scale of a pod's controller resolved to: the replicas it wants, or nothing found. */
export interface ControllerScale {
  uid: string;
  replicas: number;
}

export type ScaleLookup = ControllerScale | null | { error: string };

export interface DisruptionInput {
  pdb: PodDisruptionBudget;
  /** The pods its selector picks, in its namespace, terminating and finished ones included. */
  pods: readonly Pod[];
  /** By the uid of each pod's controller reference: the scale found, null when none was, or why it has none. */
  scales: ReadonlyMap<string, ScaleLookup>;
  now: number;
}

export interface PlannedEvent {
  /** A pod's name when the event is about that pod; otherwise it is about the budget. */
  pod?: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface DisruptionPlan {
  /** The status to write, or null when the stored one is already right. */
  status: PodDisruptionBudgetStatus | null;
  events: PlannedEvent[];
  /** Sync again after this long: an entry of disruptedPods expires then. */
  recheckAfterMs?: number;
  /** The counts could not be made: the status says so (disruptionsAllowed 0) and the sync is retried. */
  failed?: boolean;
}

/** metav1.GetControllerOf. */
export function controllerRefOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((o) => o.controller === true);
}

const isSet = (v: unknown): v is number | string => v !== undefined && v !== null;

/** getExpectedScale: the replicas every controller of the pods wants, summed once per controller. */
function expectedScale(pods: readonly Pod[], scales: ReadonlyMap<string, ScaleLookup>): { expected: number; unmanaged: string[] } | { error: string } {
  const counted = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? "");
      continue;
    }
    const scale = scales.get(ref.uid);
    if (scale && "error" in scale) return scale;
    if (!scale) return { error: `found no controllers for pod "${pod.metadata.name}"` };
    counted.set(scale.uid, scale.replicas);
  }
  return { expected: [...counted.values()].reduce((a, b) => a + b, 0), unmanaged };
}

/** getExpectedPodCount: how many pods the budget counts and how many must stay healthy. */
function expectedCounts(pdb: PodDisruptionBudget, pods: readonly Pod[], scales: ReadonlyMap<string, ScaleLookup>): { expected: number; desired: number; unmanaged: string[] } | { error: string } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (isSet(maxUnavailable)) {
    const s = expectedScale(pods, scales);
    if ("error" in s) return s;
    return { expected: s.expected, desired: Math.max(0, s.expected - scaledValue(maxUnavailable, s.expected)), unmanaged: s.unmanaged };
  }
  if (typeof minAvailable === "number") return { expected: pods.length, desired: minAvailable, unmanaged: [] };
  if (isSet(minAvailable)) {
    const s = expectedScale(pods, scales);
    if ("error" in s) return s;
    return { expected: s.expected, desired: scaledValue(minAvailable, s.expected), unmanaged: s.unmanaged };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
};

export function planDisruption({ pdb, pods, scales, now }: DisruptionInput): DisruptionPlan {
  const events: PlannedEvent[] = [];
  const old: PodDisruptionBudgetStatus = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const name = `${pdb.metadata.namespace}/${pdb.metadata.name}`;
  if (pods.length === 0) events.push({ type: "Normal", reason: "NoPods", message: "No matching pods found" });

  const counts = expectedCounts(pdb, pods, scales);
  if ("error" in counts) {
    // failSafe: no eviction may pass while the counts cannot be made.
    events.push({ type: "Warning", reason: "CalculateExpectedPodCountFailed", message: `Failed to calculate the number of expected pods: ${counts.error}` });
    const current = old.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
    // Written once: its own write would wake the budget again and again otherwise.
    if (old.disruptionsAllowed === 0 && current?.status === "False" && current.reason === "SyncFailed" && current.message === counts.error) return { status: null, events, failed: true };
    const status = setCondition(
      { ...old, disruptionsAllowed: 0 },
      { type: DISRUPTION_ALLOWED, status: "False", reason: "SyncFailed", message: counts.error, observedGeneration: old.observedGeneration ?? 0, lastTransitionTime: isoSeconds(now) },
    );
    return { status, events, failed: true };
  }
  if (counts.unmanaged.length) {
    events.push({
      type: "Warning",
      reason: "UnmanagedPods",
      message: `Pods selected by this PodDisruptionBudget (selector: &${goLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
    });
  }

  // buildDisruptedPodMap: an eviction not yet seen through stands for 2 minutes.
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const pod of pods) {
    const podName = pod.metadata.name ?? "";
    const at = old.disruptedPods?.[podName];
    if (pod.metadata.deletionTimestamp || at === undefined) continue;
    const expires = Date.parse(at) + DISRUPTED_POD_TIMEOUT_MS;
    if (expires < now) {
      events.push({ pod: podName, type: "Warning", reason: "NotDeleted", message: `Pod was expected by PDB ${name} to be deleted but it wasn't` });
    } else {
      disrupted[podName] = at;
      recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
    }
  }

  // countHealthyPods: Ready, not terminating, not about to be.
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !Object.hasOwn(disrupted, p.metadata.name ?? "") && isPodReady(p)).length;
  // A budget that counts no pods allows nothing: its first pods may appear before the next sync.
  const disruptionsAllowed = counts.expected <= 0 ? 0 : Math.max(0, currentHealthy - counts.desired);
  const generation = pdb.metadata.generation ?? 0;
  const recheckAfterMs = recheckAt === undefined ? undefined : Math.max(0, recheckAt - now);

  const unchanged =
    old.currentHealthy === currentHealthy &&
    old.desiredHealthy === counts.desired &&
    old.expectedPods === counts.expected &&
    old.disruptionsAllowed === disruptionsAllowed &&
    sameMap(old.disruptedPods, disrupted) &&
    (old.observedGeneration ?? 0) === generation &&
    conditionUpToDate(pdb);
  if (unchanged) return { status: null, events, recheckAfterMs };

  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: counts.desired,
    expectedPods: counts.expected,
    ...(old.conditions ? { conditions: old.conditions } : {}),
  };
  return { status: withDisruptionAllowedCondition(status, now), events, recheckAfterMs };
}
