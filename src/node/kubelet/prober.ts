// The kubelet's probe manager (pkg/kubelet/prober/prober_manager.go): a worker per
// container and probe kind, kept in the node's storage (`kl/probe/<uid>`), and ONE timer
// per pod (`probe/<uid>`, kind kubelet-probe) in the node's timer table, at the pod's
// earliest due probe. A tick runs the due probes of the pods whose timers fired; a
// probe whose result stays the same writes nothing to the store. A failure is an
// Unhealthy event (all of one alarm's in one batch); a result that changes asks the
// kubelet for a sync, which writes ready/started and kills what failed its liveness
// probe, through its own write batch.
import type { Container, Pod, Probe } from "../../model/types";
import type { Registry } from "../../registry/registry";
import type { Timer, TimerTable } from "../../util/timer-table";
import type { Runtime } from "../runtime";
import { EventRecorder } from "./events";
import { INITIAL_RESULT, PROBE_FIELD, PROBE_WORD, newWorker, nextDue, recordResult, tick, type ContainerView, type ProbeKind, type ProbeResult, type ProbeWorker } from "./probe-worker";
import { runProbe } from "./probe-run";
import type { ContainerTrack, KubeletState, PodRecord, ProbedResults } from "./state";

/** Timer kind of the probe ticks. */
export const KUBELET_PROBE = "kubelet-probe";
const TIMER_PREFIX = "probe/";
const stateKey = (uid: string) => `kl/probe/${uid}`;
/** Startup first: its success lets the others run in the same tick. */
const KINDS: readonly ProbeKind[] = ["startup", "liveness", "readiness"];

/** A pod's workers, by `<container>/<kind>`. */
type Workers = Record<string, ProbeWorker>;

export interface ProberDeps {
  kv: SyncKvStorage;
  state: KubeletState;
  timers: TimerTable;
  runtime: () => Runtime | undefined;
  nodeName: () => string | undefined;
  /** Where the Unhealthy events are committed. */
  registry: () => Registry | undefined;
  /** A result changed: the kubelet syncs (status, liveness kills). */
  resync: () => Promise<void>;
}

function specOf(c: Container, kind: ProbeKind): Probe | undefined {
  const p = c[PROBE_FIELD[kind]];
  return p && typeof p === "object" ? p : undefined;
}

export function hasProbes(pod: Pod): boolean {
  return pod.spec.containers.some((c) => KINDS.some((k) => specOf(c, k)));
}

/** Pods whose containers are probed: admitted, running their course, not being deleted. */
function probing(rec: PodRecord): boolean {
  return rec.admission === "admitted" && !rec.terminal && !rec.gone && !rec.pod.metadata.deletionTimestamp && !!rec.sandboxId && hasProbes(rec.pod);
}

/** The result a worker holds for the instance `id` (the initial value when it has none yet). */
function resultFor(kind: ProbeKind, w: ProbeWorker | undefined, id: string | undefined): ProbeResult {
  return w && id && w.containerId === id ? w.result : INITIAL_RESULT[kind];
}

function viewOf(rec: PodRecord, c: Container, t: ContainerTrack | undefined, workers: Workers): ContainerView {
  const cur = t?.current;
  const started = !specOf(c, "startup") || resultFor("startup", workers[`${c.name}/startup`], cur?.id) === "Success";
  return { id: cur?.id, running: cur?.state === "running", startedAt: cur?.startedAt ?? 0, started, deleting: !!rec.pod.metadata.deletionTimestamp };
}

export class Prober {
  constructor(private readonly deps: ProberDeps) {}

  workers(uid: string): Workers {
    return this.deps.kv.get<Workers>(stateKey(uid)) ?? {};
  }

  /** Copy the probes' results for each container's current instance into its track. */
  annotate(rec: PodRecord): void {
    if (!hasProbes(rec.pod)) return;
    const workers = this.workers(rec.uid);
    for (const c of rec.pod.spec.containers) {
      const t = rec.containers[c.name];
      const id = t?.current?.id;
      if (!t) continue;
      if (!id) {
        t.probed = undefined;
        continue;
      }
      const probed: ProbedResults = { id };
      for (const kind of KINDS) if (specOf(c, kind)) probed[kind] = resultFor(kind, workers[`${c.name}/${kind}`], id);
      t.probed = probed;
    }
  }

  /** After a sync: workers for new instances, the pod's timer at its earliest probe; nothing left of pods no longer probed. */
  async arm(rec: PodRecord, now: number): Promise<void> {
    if (!probing(rec)) {
      await this.forget(rec.uid);
      return;
    }
    const workers = this.workers(rec.uid);
    let dirty = false;
    for (const c of rec.pod.spec.containers) {
      const t = rec.containers[c.name];
      if (!t?.current) continue;
      const view = viewOf(rec, c, t, workers);
      for (const kind of KINDS) {
        const spec = specOf(c, kind);
        const key = `${c.name}/${kind}`;
        if (!spec || workers[key]?.containerId === view.id) continue;
        workers[key] = newWorker(kind, spec, view, now);
        dirty = true;
      }
    }
    if (dirty) this.deps.kv.put(stateKey(rec.uid), workers);
    await this.setTimer(rec.uid, workers);
  }

  async forget(uid: string): Promise<void> {
    if (this.deps.kv.get(stateKey(uid)) !== undefined) this.deps.kv.delete(stateKey(uid));
    if (this.deps.timers.has(TIMER_PREFIX + uid)) await this.deps.timers.cancel(TIMER_PREFIX + uid);
  }

  private async setTimer(uid: string, workers: Workers): Promise<void> {
    const due = Math.min(...Object.values(workers).map((w) => w.dueAt));
    const key = TIMER_PREFIX + uid;
    if (!Number.isFinite(due)) {
      if (this.deps.timers.has(key)) await this.deps.timers.cancel(key);
      return;
    }
    if (this.deps.timers.atOf(key) !== Math.floor(due)) await this.deps.timers.set(key, due, KUBELET_PROBE);
  }

  /** The timer handler: run what is due for each pod whose timer fired. */
  async run(due: Timer[], now: number): Promise<void> {
    const rt = this.deps.runtime();
    const node = this.deps.nodeName();
    if (!rt || !node) return;
    const recorder = new EventRecorder(node, this.deps.kv);
    let changed = false;
    for (const timer of due) {
      const uid = timer.key.slice(TIMER_PREFIX.length);
      const rec = this.deps.state.pod(uid);
      if (!rec || !probing(rec)) {
        await this.forget(uid);
        continue;
      }
      if (await this.probePod(rt, rec, recorder, now)) changed = true;
    }
    const registry = this.deps.registry();
    if (recorder.size && registry) {
      try {
        recorder.committed(await registry.commit(recorder.ops(now)));
      } catch (e) {
        // Events are best effort (a real kubelet's broadcaster drops them too).
        console.error(`prober ${node}: writing events failed:`, e);
      }
    }
    if (changed) await this.deps.resync();
  }

  /** Tick each due worker of one pod; true when a result the kubelet acts on changed. */
  private async probePod(rt: Runtime, rec: PodRecord, recorder: EventRecorder, now: number): Promise<boolean> {
    const workers = this.workers(rec.uid);
    let changed = false;
    for (const c of rec.pod.spec.containers) {
      const t = rec.containers[c.name];
      const fieldPath = `spec.containers{${c.name}}`;
      for (const kind of KINDS) {
        const spec = specOf(c, kind);
        const key = `${c.name}/${kind}`;
        if (!spec || !t?.current) continue;
        const before = workers[key] ?? newWorker(kind, spec, viewOf(rec, c, t, workers), now);
        if (before.dueAt > now) {
          workers[key] = before;
          continue;
        }
        const view = viewOf(rec, c, t, workers);
        const step = tick(kind, spec, before, view, now);
        let w = step.worker;
        if (step.probe && view.id && rec.sandboxId) {
          const outcome = await runProbe(rt.runtime, spec, { podIP: rec.podIP ?? "", sandboxId: rec.sandboxId, containerId: view.id, container: c });
          if ("error" in outcome) recorder.emit(rec.pod, fieldPath, "Warning", "Unhealthy", `${PROBE_WORD[kind]} probe errored: ${outcome.error}`);
          else if (outcome.result === "Failure") recorder.emit(rec.pod, fieldPath, "Warning", "Unhealthy", `${PROBE_WORD[kind]} probe failed: ${outcome.output}`);
          w = recordResult(kind, spec, w, "error" in outcome ? undefined : outcome.result);
        }
        const earliest = view.startedAt + (spec.initialDelaySeconds ?? 0) * 1000;
        w = { ...w, dueAt: !step.probe && earliest > now ? earliest : nextDue(spec, now) };
        const was = resultFor(kind, workers[key], view.id);
        const is = resultFor(kind, w, view.id);
        workers[key] = w;
        if (was !== is) {
          changed = true;
          // UpdatePodStatus triggers the readiness probe at once when a container has started.
          if (kind === "startup" && is === "Success" && workers[`${c.name}/readiness`]) workers[`${c.name}/readiness`].dueAt = now;
        }
      }
    }
    this.deps.kv.put(stateKey(rec.uid), workers);
    await this.setTimer(rec.uid, workers);
    return changed;
  }
}
