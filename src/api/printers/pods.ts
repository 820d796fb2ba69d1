// Pod columns and the STATUS / READY / RESTARTS logic of printPod in
// kubernetes/pkg/printers/internalversion/printers.go (sidecar-aware version).
import type { Container, ContainerStatus, KubeObject, Pod } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge, humanDuration, parseTime } from "./common";
import type { Printer, TableRowCondition } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
  col("Status", "string", "The aggregate status of the containers in this pod."),
  col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
  AGE_COLUMN,
  col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", { priority: 1 }),
  col("Node", "string", "NodeName indicates in which node this pod is scheduled.", { priority: 1 }),
  col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot schedule right away as preemption victims receive their graceful termination periods.", { priority: 1 }),
  col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", { priority: 1 }),
] as const;

/** Tracks the latest lastState.terminated.finishedAt, which RESTARTS shows as "(5m ago)". */
function laterFinish(current: number | undefined, cs: ContainerStatus): number | undefined {
  const t = parseTime(cs.lastState?.terminated?.finishedAt);
  if (t === undefined) return current;
  return current === undefined || t > current ? t : current;
}

// A sidecar: an init container with restartPolicy Always runs for the pod's life,
// so it counts toward READY and its restarts survive initialization.
function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === "Always";
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

interface PodSummary { ready: string; status: string; restarts: string }

function summarizePod(pod: Pod, now: number): PodSummary {
  const status = pod.status ?? {};
  const initSpecs = new Map((pod.spec.initContainers ?? []).map((c) => [c.name, c] as const));
  let total = (pod.spec.containers ?? []).length;
  for (const c of initSpecs.values()) if (isRestartable(c)) total++;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = status.phase ?? "";
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  // Init containers run in order: the first one not yet done decides the status.
  const initStatuses = status.initContainerStatuses ?? [];
  const initCount = pod.spec.initContainers?.length ?? 0;
  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartable(initSpecs.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = laterFinish(lastRestart, cs);
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterFinish(lastSidecarRestart, cs);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      if (term.reason) reason = `Init:${term.reason}`;
      else reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, "Initialized")) {
    // Once initialized, plain init containers' restarts no longer count.
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walked backwards so the first container's state wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = laterFinish(lastRestart, cs);
      const term = cs.state?.terminated;
      if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // One container completed while another still runs: the pod is still up.
    if (reason === "Completed" && hasRunning) reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }

  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";

  const restartsText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

function readinessGates(pod: Pod): string {
  const gates = (pod.spec.readinessGates ?? []) as { conditionType: string }[];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const satisfied = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === "True").length;
  return `${satisfied}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const pod = obj as Pod;
    const s = summarizePod(pod, now);
    // internal PodIPs are filled from podIP when a client only set the latter.
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
    return [
      pod.metadata.name ?? "",
      s.ready,
      s.status,
      s.restarts,
      formatAge(pod.metadata.creationTimestamp, now),
      ip,
      pod.spec.nodeName || "<none>",
      pod.status?.nominatedNodeName || "<none>",
      readinessGates(pod),
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    switch ((obj as Pod).status?.phase) {
      case "Succeeded":
        return [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }];
      case "Failed":
        return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
      default:
        return undefined;
    }
  },
};
