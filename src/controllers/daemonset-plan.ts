// The DaemonSet reconciler as a pure function (upstream daemon_controller.go manage and
// podsShouldBeOnNode, update.go rollingUpdate, updateDaemonSetStatus): from the
// DaemonSet, the nodes and its pods, the nodes that need a pod, the pods to delete
// (misscheduled, failed, surplus, or old ones the rolling update replaces), the
// events, and the status. One pod per eligible node; pods are pinned to their node by
// node affinity and placed by the scheduler.
import type { DaemonSet, DaemonSetStatus, Node, Pod } from "../model/types";
import { TEMPLATE_GENERATION_ANNOTATION } from "../registry/strategies/daemonsets";
import { canonicalJson } from "./hash";
import { isPodAvailable, isPodReady, podReadyTime } from "./pod-state";
import { scaledValue } from "./deployment-util";
import { REVISION_HASH_LABEL, byCreationAndPhase, daemonPodSpec, isPodUpdated, nodeShouldRunDaemonPod, targetNodeName } from "./daemon-pods";

export interface DaemonSetObservation {
  ds: DaemonSet;
  nodes: Node[];
  /** Pods carrying the DaemonSet's controller reference, in any state. */
  pods: Pod[];
  /** The current revision's hash (see daemonset-history). */
  hash: string;
  now: number;
}

export interface DaemonEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface DaemonSetPlan {
  /** Nodes that get a new daemon pod, in name order. */
  create: string[];
  /** Pods to delete, each with the event it is reported with. */
  remove: { pod: Pod; event?: DaemonEvent }[];
  status: DaemonSetStatus;
  statusChanged: boolean;
  /** Reconcile again after this long (a ready pod becoming available). */
  requeueAfterMs?: number;
}

const byName = (a: Node, b: Node) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1);

/** util.AllowsSurge and the counts the rolling update may use, scaled to the desired number (rounded up). */
function rollingBudget(ds: DaemonSet, desired: number): { surge: number; unavailable: number } {
  const strategy = ds.spec.updateStrategy;
  if ((strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return { surge: 0, unavailable: 0 };
  const ru = strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
  // An impossible configuration keeps the default of one unavailable node.
  if (desired > 0 && surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function planDaemonSet(obs: DaemonSetObservation): DaemonSetPlan {
  const { ds, hash, now } = obs;
  const nodes = [...obs.nodes].sort(byName);
  const spec = daemonPodSpec(ds);
  const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  const minReady = ds.spec.minReadySeconds ?? 0;
  const deleting = !!ds.metadata.deletionTimestamp;

  // getNodesToDaemonPods: by target node; deleted pods that already finished are gone for good.
  const byNode = new Map<string, Pod[]>();
  for (const pod of obs.pods) {
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp && (phase === "Succeeded" || phase === "Failed")) continue;
    const node = targetNodeName(pod) ?? "";
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }

  const verdicts = new Map(nodes.map((n) => [n.metadata.name ?? "", nodeShouldRunDaemonPod(ds, n, spec)]));
  const desired = [...verdicts.values()].filter((v) => v.shouldRun).length;
  const { surge, unavailable } = rollingBudget(ds, desired);

  const create: string[] = [];
  const remove: DaemonSetPlan["remove"] = [];
  const removing = new Set<string>();
  const drop = (pod: Pod, event?: DaemonEvent) => {
    if (removing.has(pod.metadata.name ?? "")) return;
    removing.add(pod.metadata.name ?? "");
    remove.push({ pod, event });
  };

  // A DaemonSet being deleted only reports; the garbage collector removes its pods.
  if (!deleting) {
    for (const node of nodes) {
      const name = node.metadata.name ?? "";
      const { shouldRun, shouldContinueRunning } = verdicts.get(name)!;
      const pods = byNode.get(name) ?? [];
      if (shouldRun && pods.length === 0) {
        create.push(name);
        continue;
      }
      if (shouldContinueRunning && pods.length > 0) {
        const running: Pod[] = [];
        for (const pod of pods) {
          if (pod.metadata.deletionTimestamp) continue;
          const phase = pod.status?.phase;
          if (phase === "Failed") {
            drop(pod, { type: "Warning", reason: "FailedDaemonPod", message: `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to kill it` });
          } else if (phase === "Succeeded") {
            drop(pod);
          } else running.push(pod);
        }
        running.sort(byCreationAndPhase);
        if (surge === 0) {
          // Without surge one pod per node: the oldest stays. None left (only terminating
          // ones): wait until they are gone, so the node never runs two.
          for (const extra of running.slice(1)) drop(extra);
          continue;
        }
        if (running.length === 0) {
          if (shouldRun) create.push(name);
          continue;
        }
        // With surge, an old and a new pod may overlap until the new one is available.
        let oldestNew: Pod | undefined;
        let oldestOld: Pod | undefined;
        for (const pod of running) {
          const isNew = pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
          if (isNew && !oldestNew) oldestNew = pod;
          else if (!isNew && !oldestOld) oldestOld = pod;
          else drop(pod);
        }
        if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) drop(oldestOld);
        continue;
      }
      if (!shouldContinueRunning) for (const pod of pods) if (!pod.metadata.deletionTimestamp) drop(pod);
    }
    // Unscheduled pods pinned to a node that no longer exists would never be placed.
    for (const [name, pods] of byNode) {
      if (verdicts.has(name)) continue;
      for (const pod of pods) if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) drop(pod);
    }
    if ((ds.spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate") {
      rollingUpdate({ nodes, byNode, verdicts, removing, create, drop, surge, unavailable, hash, generation, minReady, now });
    }
  }

  const status = daemonSetStatus(ds, nodes, byNode, verdicts, hash, generation, now);
  return {
    create,
    remove,
    status,
    statusChanged: canonicalJson(status) !== canonicalJson(ds.status ?? {}),
    requeueAfterMs: nextAvailability(obs.pods, minReady, now),
  };
}

interface RollingState {
  nodes: Node[];
  byNode: Map<string, Pod[]>;
  verdicts: Map<string, { shouldRun: boolean }>;
  removing: Set<string>;
  create: string[];
  drop: (pod: Pod, event?: DaemonEvent) => void;
  surge: number;
  unavailable: number;
  hash: string;
  generation: string | undefined;
  minReady: number;
  now: number;
}

/** findUpdatedPodsOnNode: at most one new and one old live pod, or not ok. */
function updatedPodsOnNode(pods: Pod[], s: RollingState): { ok: boolean; newPod?: Pod; oldPod?: Pod } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || s.removing.has(pod.metadata.name ?? "")) continue;
    if (isPodUpdated(pod, s.hash, s.generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ok: true, newPod, oldPod };
}

/**
 * rollingUpdate: without surge, delete just enough old pods to stay within
 * maxUnavailable (unavailable old pods always go) and let the next pass create their
 * replacements; with surge, start new pods beside old ones within maxSurge, and delete
 * an old pod once its replacement is available.
 */
function rollingUpdate(s: RollingState): void {
  const available = (p: Pod) => isPodAvailable(p, s.minReady, s.now);
  const nodes = s.nodes.map((n) => n.metadata.name ?? "").filter((n) => (s.byNode.get(n)?.length ?? 0) > 0);
  if (s.surge === 0) {
    let numUnavailable = 0;
    const allowed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const name of nodes) {
      const { ok, newPod, oldPod } = updatedPodsOnNode(s.byNode.get(name)!, s);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          allowed.push(oldPod);
          numUnavailable++;
        } else if (numUnavailable < s.unavailable) candidates.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, s.unavailable - numUnavailable), candidates.length);
    for (const pod of [...allowed, ...candidates.slice(0, remaining)]) s.drop(pod);
    return;
  }
  let numSurge = 0;
  const allowedNodes: string[] = [];
  const candidateNodes: string[] = [];
  for (const name of nodes) {
    const { ok, newPod, oldPod } = updatedPodsOnNode(s.byNode.get(name)!, s);
    if (!ok || !oldPod) continue;
    if (!s.verdicts.get(name)?.shouldRun) continue;
    if (!newPod) {
      if (!available(oldPod)) allowedNodes.push(name);
      else if (numSurge < s.surge) candidateNodes.push(name);
    } else if (!available(newPod)) numSurge++;
    else s.drop(oldPod);
  }
  const remaining = Math.min(Math.max(0, s.surge - numSurge), candidateNodes.length);
  for (const name of [...allowedNodes, ...candidateNodes.slice(0, remaining)]) if (!s.create.includes(name)) s.create.push(name);
}

/** updateDaemonSetStatus: per node that should run it, the oldest daemon pod counts. Zero counts Go omits are left out. */
function daemonSetStatus(
  ds: DaemonSet,
  nodes: Node[],
  byNode: Map<string, Pod[]>,
  verdicts: Map<string, { shouldRun: boolean }>,
  hash: string,
  generation: string | undefined,
  now: number,
): DaemonSetStatus {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    const pods = byNode.get(name) ?? [];
    if (!verdicts.get(name)?.shouldRun) {
      if (pods.length) misscheduled++;
      continue;
    }
    desired++;
    if (!pods.length) continue;
    current++;
    const pod = [...pods].sort(byCreationAndPhase)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  const status: DaemonSetStatus = { currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready };
  if (ds.metadata.generation) status.observedGeneration = ds.metadata.generation;
  if (updated) status.updatedNumberScheduled = updated;
  if (available) status.numberAvailable = available;
  if (desired - available) status.numberUnavailable = desired - available;
  if (ds.status?.collisionCount) status.collisionCount = ds.status.collisionCount;
  if (ds.status?.conditions?.length) status.conditions = ds.status.conditions;
  return status;
}

/** When the next ready pod passes minReadySeconds (so numberAvailable changes). */
function nextAvailability(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const after = (podReadyTime(pod) ?? now) + minReadySeconds * 1000 - now;
    next = next === undefined ? after : Math.min(next, after);
  }
  return next === undefined ? undefined : Math.max(0, next) + 100;
}
