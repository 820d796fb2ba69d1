// One probe of one container, as pkg/kubelet/prober/worker.go runs it: a result per
// container instance (liveness starts Success, readiness Failure, startup Unknown),
// nothing until initialDelaySeconds after the instance started, liveness and readiness
// held back until the startup probe has succeeded (and startup no longer run once it
// has), a result that only changes after failureThreshold failures or successThreshold
// successes in a row, and a liveness or startup failure that puts the worker on hold
// until a new instance replaces the one it condemned. Pure: the caller runs the probe
// and keeps the state.
import type { Probe } from "../../model/types";

export type ProbeKind = "liveness" | "readiness" | "startup";
export type ProbeResult = "Success" | "Failure" | "Unknown";

/** What the kubelet's results manager holds before a new instance's first probe. */
export const INITIAL_RESULT: Readonly<Record<ProbeKind, ProbeResult>> = { liveness: "Success", readiness: "Failure", startup: "Unknown" };

/** Spec field of each kind, and the word events use ("Liveness probe failed: ..."). */
export const PROBE_FIELD = { liveness: "livenessProbe", readiness: "readinessProbe", startup: "startupProbe" } as const;
export const PROBE_WORD: Readonly<Record<ProbeKind, string>> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };

export interface ProbeWorker {
  /** The container instance (runtime ID) the result belongs to. */
  containerId?: string;
  /** The result the kubelet acts on. */
  result: ProbeResult;
  /** The last probe's own result and how many times in a row it came. */
  lastResult?: ProbeResult;
  resultRun: number;
  /** Liveness/startup failed: nothing more until a new instance. */
  onHold: boolean;
  /** When this worker ticks next (ms). */
  dueAt: number;
}

/** The container as the worker sees it at a tick. */
export interface ContainerView {
  /** The current instance, if one was created. */
  id?: string;
  running: boolean;
  startedAt: number;
  /** The startup probe succeeded (or there is none). */
  started: boolean;
  /** The pod is being deleted: liveness and startup stop. */
  deleting: boolean;
}

export function newWorker(kind: ProbeKind, spec: Probe, c: ContainerView, now: number): ProbeWorker {
  return { containerId: c.id, result: INITIAL_RESULT[kind], resultRun: 0, onHold: false, dueAt: Math.max(now, c.startedAt + (spec.initialDelaySeconds ?? 0) * 1000) };
}

export interface Tick {
  worker: ProbeWorker;
  /** Run the probe now and hand its result to `recordResult`. */
  probe: boolean;
}

/** A tick of the worker (doProbe up to the probe itself). */
export function tick(kind: ProbeKind, spec: Probe, w: ProbeWorker, c: ContainerView, now: number): Tick {
  if (!c.id) return { worker: w, probe: false };
  let worker = w;
  // A new instance: its own result, from the initial value; probing resumes.
  if (w.containerId !== c.id) worker = newWorker(kind, spec, c, now);
  if (worker.onHold) return { worker, probe: false };
  if (!c.running) return { worker: { ...worker, result: "Failure" }, probe: false };
  if (c.deleting && kind !== "readiness") return { worker: { ...worker, result: "Success" }, probe: false };
  if (now - c.startedAt < (spec.initialDelaySeconds ?? 0) * 1000) return { worker, probe: false };
  if (kind === "startup" ? c.started : !c.started) return { worker, probe: false };
  return { worker, probe: true };
}

/** A probe's result (undefined: the prober errored, so it is thrown away) applied with the thresholds. */
export function recordResult(kind: ProbeKind, spec: Probe, w: ProbeWorker, result: "Success" | "Failure" | undefined): ProbeWorker {
  if (!result) return w;
  const run = w.lastResult === result ? w.resultRun + 1 : 1;
  const next: ProbeWorker = { ...w, lastResult: result, resultRun: run };
  if ((result === "Failure" && run < (spec.failureThreshold ?? 3)) || (result === "Success" && run < (spec.successThreshold ?? 1))) return next;
  next.result = result;
  if (result === "Failure" && kind !== "readiness") {
    // The container will be restarted: keep away from it until the new one shows up.
    next.onHold = true;
    next.resultRun = 0;
  }
  return next;
}

/** Next tick after one at `now`. */
export function nextDue(spec: Probe, now: number): number {
  return now + Math.max(1, spec.periodSeconds ?? 10) * 1000;
}
