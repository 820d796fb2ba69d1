// The pod status the kubelet reports, computed from what it knows of the pod's
// containers (kubelet generateAPIPodStatus / getPhase / the status manager's condition
// bookkeeping): phase, the four kubelet-owned conditions with stable transition times,
// host and pod IPs, start time, and a status per container with state, lastState,
// restartCount, image, imageID and containerID. Pure, so it is tested on its own and
// the store is written only when the result differs from what it holds.
import type { Condition, Container, ContainerState, ContainerStatus, Pod, PodSpec, PodStatus } from "../../model/types";
import { isoSeconds } from "../../config";
import { terminatedOf, type ContainerTrack, type PodRecord } from "./state";

type Phase = NonNullable<PodStatus["phase"]>;

/** An init container with restartPolicy Always runs beside the app containers. */
export function isSidecar(c: Container): boolean {
  return c.restartPolicy === "Always";
}

export function containerStatusOf(c: Container, t: ContainerTrack | undefined, defaultWaiting: string): ContainerStatus {
  const cur = t?.current;
  const prev = t?.previous;
  let state: ContainerState;
  let lastState: ContainerState = prev ? { terminated: terminatedOf(prev, isoSeconds) } : {};
  if (t?.waiting) {
    state = { waiting: { reason: t.waiting.reason, ...(t.waiting.message ? { message: t.waiting.message } : {}) } };
    // Waiting to restart: the instance that just ended is the last state.
    if (cur?.state === "exited") lastState = { terminated: terminatedOf(cur, isoSeconds) };
  } else if (cur?.state === "running") {
    state = { running: { startedAt: isoSeconds(cur.startedAt) } };
  } else if (cur?.state === "exited") {
    state = { terminated: terminatedOf(cur, isoSeconds) };
  } else {
    state = { waiting: { reason: defaultWaiting } };
  }
  const running = !!state.running;
  // prober_manager UpdatePodStatus: started once the startup probe succeeded (or there
  // is none); ready once started and the readiness probe succeeded (or there is none).
  const probed = t?.probed && t.probed.id === cur?.id ? t.probed : undefined;
  const started = running && (!c.startupProbe || probed?.startup === "Success");
  const ready = started && (!c.readinessProbe || probed?.readiness === "Success");
  return {
    name: c.name,
    state,
    lastState,
    ready,
    restartCount: t?.restartCount ?? 0,
    image: cur?.image ?? c.image ?? "",
    imageID: cur?.imageRef ?? "",
    ...(cur ? { containerID: cur.containerID } : {}),
    started,
  };
}

/** kubelet getPhase: what the container statuses add up to. */
function computePhase(spec: PodSpec, initStatuses: ContainerStatus[], appStatuses: ContainerStatus[]): Phase {
  const inits = spec.initContainers ?? [];
  let pendingInit = 0;
  let failedInit = 0;
  initStatuses.forEach((s, i) => {
    if (isSidecar(inits[i])) return;
    if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting && s.lastState?.terminated) failedInit++;
    else pendingInit++;
  });
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of appStatuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  const policy = spec.restartPolicy ?? "Always";
  if (failedInit > 0 && policy === "Never") return "Failed";
  if (pendingInit > 0 || waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

const KUBELET_CONDITIONS = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

function condition(old: Condition[] | undefined, now: number, type: string, ok: boolean, reason?: string, message?: string): Condition {
  const status = ok ? "True" : "False";
  const prior = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prior && prior.status === status && prior.lastTransitionTime ? prior.lastTransitionTime : isoSeconds(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function buildPodStatus(rec: PodRecord, hostIP: string, now: number): PodStatus {
  const old = rec.pod.status ?? {};
  const startTime = old.startTime ?? isoSeconds(rec.startTime ?? now);
  if (rec.admission === "adopted") return old;
  if (rec.admission === "rejected") {
    return { ...old, phase: "Failed", reason: rec.rejection?.reason, message: `Pod was rejected: ${rec.rejection?.message ?? ""}`, startTime };
  }
  const spec = rec.pod.spec;
  const inits = spec.initContainers ?? [];
  const initDone = inits.every((c) => rec.containers[c.name]?.done);
  const initStatuses = inits.map((c) => {
    const t = rec.containers[c.name];
    const s = containerStatusOf(c, t, "PodInitializing");
    // A completed init container is ready; a sidecar is ready while it runs.
    if (!isSidecar(c)) s.ready = !!t?.done && !!s.state?.terminated;
    return s;
  });
  const appStatuses = spec.containers.map((c) => containerStatusOf(c, rec.containers[c.name], initDone ? "ContainerCreating" : "PodInitializing"));
  const phase: Phase = rec.terminal ?? computePhase(spec, initStatuses, appStatuses);

  const completed = phase === "Succeeded";
  const incomplete = inits.filter((c) => !rec.containers[c.name]?.done).map((c) => c.name);
  const unready: string[] = [];
  inits.forEach((c, i) => {
    if (isSidecar(c) && !initStatuses[i].ready) unready.push(c.name);
  });
  spec.containers.forEach((c, i) => {
    if (!appStatuses[i].ready) unready.push(c.name);
  });
  const oldConds = old.conditions;
  const readyArgs: [boolean, string?, string?] = completed
    ? [false, "PodCompleted"]
    : unready.length
      ? [false, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`]
      : [true];
  const conditions: Condition[] = [
    condition(oldConds, now, "PodReadyToStartContainers", !!rec.sandboxId && !rec.terminal),
    completed
      ? condition(oldConds, now, "Initialized", true, "PodCompleted")
      : incomplete.length
        ? condition(oldConds, now, "Initialized", false, "ContainersNotInitialized", `containers with incomplete status: [${incomplete.join(" ")}]`)
        : condition(oldConds, now, "Initialized", true),
    condition(oldConds, now, "Ready", ...readyArgs),
    condition(oldConds, now, "ContainersReady", ...readyArgs),
    ...(oldConds ?? []).filter((c) => !KUBELET_CONDITIONS.includes(c.type)),
  ];
  // A pod bound by spec.nodeName never met the scheduler: the kubelet reports it scheduled.
  if (!conditions.some((c) => c.type === "PodScheduled")) conditions.push(condition(undefined, now, "PodScheduled", true));

  const status: PodStatus = {
    ...old,
    phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(rec.podIP ? { podIP: rec.podIP, podIPs: [{ ip: rec.podIP }] } : {}),
    startTime,
    ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    ...(spec.ephemeralContainers?.length
      ? { ephemeralContainerStatuses: spec.ephemeralContainers.map((c) => ({ ...containerStatusOf(c, rec.containers[c.name], "ContainerCreating"), ready: false })) }
      : {}),
  };
  return status;
}

/** JSON with sorted keys: equal statuses compare equal whatever order their keys came in. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

export function statusChanged(pod: Pod, next: PodStatus): boolean {
  return canonicalJson(pod.status ?? {}) !== canonicalJson(next);
}
