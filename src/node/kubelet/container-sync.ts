// One container of a pod, converged the way the kubelet's SyncPod does it: keep the
// running instance, or decide whether an exited one restarts (restartPolicy, then the
// CrashLoopBackOff back-off), pull its image per pull policy (with ImagePullBackOff),
// create and start a new instance, and record the events a real kubelet records.
import type { Container, Pod } from "../../model/types";
import { isCriError, parseImageRef, type ContainerStatus, type RuntimeService } from "../runtime";
import { goDuration, inBackOffSince, inBackOffSinceUpdate, nextBackoff } from "./backoff";
import { containerConfig } from "./container-config";
import { ConfigError, envRefs, resolveConfigEnv, type ConfigEnv } from "./config-sources";
import type { ContainerTrack, ObservedContainer, PodRecord } from "./state";
import type { SyncEnv } from "./sync-env";

/** "pulling": its image is on the way; the kubelet starts a pod's containers in order, so the next ones wait. */
type ContainerOutcome = "running" | "exited" | "waiting" | "pulling";
type RestartPolicy = "Always" | "OnFailure" | "Never";

/** How long ErrImagePull shows before the next sync turns it into ImagePullBackOff. */
const PULL_ERROR_SHOWN_MS = 2_000;
/** Retry after a failed CreateContainer (the pod worker's requeue). */
const CREATE_RETRY_MS = 10_000;
/** A container waiting for a ConfigMap or Secret tries again this often (or when one changes). */
const CONFIG_RETRY_MS = 10_000;
/** A container that ended on its own is looked at again this soon (PLEG relist). */
const RELIST_MS = 1_000;

export function graceSeconds(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

function podDesc(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

export function normalizedImage(image: string): string {
  try {
    return parseImageRef(image).normalized;
  } catch {
    return image;
  }
}

function toObserved(s: ContainerStatus): ObservedContainer {
  return {
    id: s.id,
    containerID: s.containerID,
    imageRef: s.imageRef,
    image: normalizedImage(s.image.image),
    state: s.state === "CONTAINER_RUNNING" ? "running" : s.state === "CONTAINER_EXITED" ? "exited" : "created",
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    exitCode: s.exitCode,
    reason: s.reason,
    message: s.message,
  };
}

export async function observe(runtime: RuntimeService, id: string): Promise<ObservedContainer | undefined> {
  try {
    return toObserved(await runtime.containerStatus(id));
  } catch (e) {
    if (isCriError(e, "NoSuchContainer")) return undefined;
    throw e;
  }
}

const CRI_STATE: Record<ObservedContainer["state"], string> = { created: "CONTAINER_CREATED", running: "CONTAINER_RUNNING", exited: "CONTAINER_EXITED" };

/** Has the runtime moved the container's current instance on (exited, removed) since it was observed? */
export function stateMoved(states: ReadonlyMap<string, string>, t: ContainerTrack): boolean {
  return !!t.current && states.get(t.current.id) !== CRI_STATE[t.current.state];
}

/** Bring the track's current instance up to date when the runtime says it changed. */
export async function refreshTrack(env: SyncEnv, t: ContainerTrack): Promise<void> {
  if (!stateMoved(env.states, t)) return;
  t.current = await observe(env.runtime, t.current!.id);
}

/** The description of a CRI error, as the kubelet puts it in events ("Error: ..."). */
function criMessage(e: unknown): string {
  if (isCriError(e)) return e.desc;
  return e instanceof Error ? e.message : String(e);
}

/** Modelled pull time: a registry round trip plus ~100 MB/s. */
function pullMs(size: number): number {
  return 300 + Math.round(size / 100_000);
}

type ImageOutcome = "ready" | "pulling" | "failed";

/** Is the image there to create the container from? Pulls per policy, or says why not. */
async function ensureImage(env: SyncEnv, rec: PodRecord, c: Container, t: ContainerTrack, fieldPath: string): Promise<ImageOutcome> {
  const image = c.image ?? "";
  const emit = (type: "Normal" | "Warning", reason: string, message: string) => env.recorder.emit(rec.pod, fieldPath, type, reason, message);
  try {
    parseImageRef(image);
  } catch {
    const msg = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
    if (t.waiting?.reason !== "InvalidImageName") {
      emit("Warning", "InspectFailed", msg);
      emit("Warning", "Failed", "Error: InvalidImageName");
    }
    t.waiting = { reason: "InvalidImageName", message: msg };
    return "failed";
  }
  if (t.pulling?.image === image) {
    if (env.now < t.pulling.until) {
      env.wake(t.pulling.until, `pull/${rec.uid}/${c.name}`);
      return "pulling";
    }
    const took = goDuration(t.pulling.until - t.pulling.started);
    const size = (await env.images.imageStatus(image))?.size ?? 0;
    emit("Normal", "Pulled", `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
    t.pulling = undefined;
    return "ready";
  }
  t.pulling = undefined;
  // Pulls are serialised on the node: while another container pulls this image, wait for
  // it (then it is "already present"), as the kubelet's image puller would.
  const key = normalizedImage(image);
  const inflight = env.pulls.get(key);
  if (inflight && inflight.owner !== `${rec.uid}/${c.name}` && env.now < inflight.until) {
    env.wake(inflight.until, `pull/${rec.uid}/${c.name}`);
    return "pulling";
  }
  const policy = c.imagePullPolicy ?? (env.images.isLatest(image) ? "Always" : "IfNotPresent");
  const present = await env.images.imageStatus(image);
  if (policy === "Never" || (policy === "IfNotPresent" && present)) {
    if (present) {
      emit("Normal", "Pulled", `Container image "${image}" already present on machine`);
      return "ready";
    }
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    if (t.waiting?.reason !== "ErrImageNeverPull") {
      emit("Warning", "ErrImageNeverPull", msg);
      emit("Warning", "Failed", "Error: ErrImageNeverPull");
    }
    t.waiting = { reason: "ErrImageNeverPull", message: msg };
    return "failed";
  }
  const backoff = t.pull?.image === image ? t.pull : undefined;
  if (backoff && t.waiting?.reason === "ErrImagePull" && env.now < backoff.lastUpdate + PULL_ERROR_SHOWN_MS) {
    // The failure stays on show a moment, however many syncs come in between.
    env.wake(backoff.lastUpdate + PULL_ERROR_SHOWN_MS, `pull/${rec.uid}/${c.name}`);
    return "failed";
  }
  if (backoff && inBackOffSinceUpdate(backoff, env.now)) {
    if (t.waiting?.reason !== "ImagePullBackOff") {
      emit("Normal", "BackOff", `Back-off pulling image "${image}"`);
      emit("Warning", "Failed", "Error: ImagePullBackOff");
    }
    t.waiting = { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` };
    env.wake(backoff.lastUpdate + backoff.delay, `pull/${rec.uid}/${c.name}`);
    return "failed";
  }
  emit("Normal", "Pulling", `Pulling image "${image}"`);
  try {
    await env.images.pullImage(image);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    emit("Warning", "Failed", `Failed to pull image "${image}": ${msg}`);
    emit("Warning", "Failed", "Error: ErrImagePull");
    t.pull = { ...nextBackoff(backoff, env.now, env.now), image };
    t.waiting = { reason: "ErrImagePull", message: msg };
    env.wake(env.now + PULL_ERROR_SHOWN_MS, `pull/${rec.uid}/${c.name}`);
    return "failed";
  }
  t.pull = undefined;
  t.waiting = undefined;
  const size = (await env.images.imageStatus(image))?.size ?? 0;
  t.pulling = { image, started: env.now, until: env.now + pullMs(size) };
  env.pulls.set(key, { owner: `${rec.uid}/${c.name}`, until: t.pulling.until });
  env.wake(t.pulling.until, `pull/${rec.uid}/${c.name}`);
  return "pulling";
}

/**
 * The environment the container takes from ConfigMaps and Secrets, or undefined while
 * one is missing (CreateContainerConfigError, retried every CONFIG_RETRY_MS and at once
 * when a referenced object changes).
 */
async function configEnv(env: SyncEnv, rec: PodRecord, c: Container, t: ContainerTrack, fieldPath: string): Promise<ConfigEnv | undefined> {
  const refs = envRefs(rec.pod, c);
  const none: ConfigEnv = { fromSources: [], fromKeys: new Map() };
  if (!refs.length) return none;
  const retryKey = `config/${rec.uid}/${c.name}`;
  if (t.waiting?.reason === "CreateContainerConfigError" && env.now < (t.configRetryAt ?? 0) && !refs.some((r) => env.configChanged.has(r))) {
    env.wake(t.configRetryAt!, retryKey);
    return undefined;
  }
  try {
    const resolved = await resolveConfigEnv(rec.pod, c, env.readConfig);
    t.configRetryAt = undefined;
    return resolved;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    env.recorder.emit(rec.pod, fieldPath, "Warning", "Failed", `Error: ${e.message}`);
    t.waiting = { reason: "CreateContainerConfigError", message: e.message };
    t.configRetryAt = env.now + CONFIG_RETRY_MS;
    env.wake(t.configRetryAt, retryKey);
    return undefined;
  }
}

/** Create and start a new instance (the first, or a restart). */
async function startNew(env: SyncEnv, rec: PodRecord, c: Container, t: ContainerTrack, fieldPath: string): Promise<ContainerOutcome> {
  const image = await ensureImage(env, rec, c, t, fieldPath);
  if (image !== "ready") return image === "pulling" ? "pulling" : "waiting";
  const emit = (type: "Normal" | "Warning", reason: string, message: string) => env.recorder.emit(rec.pod, fieldPath, type, reason, message);
  const config = await configEnv(env, rec, c, t, fieldPath);
  if (!config) return "waiting";
  const cur = t.current;
  const attempt = cur ? t.restartCount + 1 : t.restartCount;
  let id: string;
  try {
    id = await env.runtime.createContainer(rec.sandboxId!, containerConfig(rec.pod, c, attempt, { podIP: rec.podIP ?? "", hostIP: env.hostIP, nodeName: env.nodeName }, config));
  } catch (e) {
    const msg = criMessage(e);
    emit("Warning", "Failed", `Error: ${msg}`);
    t.waiting = { reason: "CreateContainerError", message: msg };
    env.wake(env.now + CREATE_RETRY_MS, `create/${rec.uid}/${c.name}`);
    return "waiting";
  }
  if (cur) {
    // The kubelet keeps one dead instance per container (for `logs --previous`).
    if (t.previous) await env.runtime.removeContainer(t.previous.id);
    t.previous = cur;
    t.restartCount++;
  }
  Object.assign(t, { specImage: c.image, replacing: false, restartApproved: false, waiting: undefined });
  t.current = await observe(env.runtime, id);
  emit("Normal", "Created", `Created container ${c.name}`);
  try {
    await env.runtime.startContainer(id);
  } catch (e) {
    emit("Warning", "Failed", `Error: ${criMessage(e)}`);
    t.current = await observe(env.runtime, id);
    env.wake(env.now + RELIST_MS, `relist/${rec.uid}`);
    return "exited";
  }
  emit("Normal", "Started", `Started container ${c.name}`);
  t.current = await observe(env.runtime, id);
  if (t.current?.state === "running") return "running";
  env.wake(env.now + RELIST_MS, `relist/${rec.uid}`);
  return "exited";
}

/** Converge one container to what its restart policy wants. */
export async function ensureRunning(env: SyncEnv, rec: PodRecord, c: Container, t: ContainerTrack, policy: RestartPolicy, fieldPath: string): Promise<ContainerOutcome> {
  let cur = t.current;
  if (cur?.state === "running" && t.specImage !== undefined && c.image !== t.specImage && !t.replacing) {
    // `kubectl set image` on a pod: the container is stopped and started again.
    env.recorder.emit(rec.pod, fieldPath, "Normal", "Killing", `Container ${c.name} definition changed, will be restarted`);
    await env.runtime.stopContainer(cur.id, graceSeconds(rec.pod));
    t.replacing = true;
    cur = t.current = await observe(env.runtime, cur.id);
  }
  if (cur?.state === "running") {
    const probed = t.probed?.id === cur.id ? t.probed : undefined;
    const failed = probed?.liveness === "Failure" ? "liveness" : probed?.startup === "Failure" ? "startup" : undefined;
    if (failed && t.probeKilled !== cur.id) {
      // computePodActions: a container that failed its liveness (or startup) probe is
      // killed, with the probe's grace period if it has one, and restarted per policy.
      const restart = policy !== "Never";
      env.recorder.emit(rec.pod, fieldPath, "Normal", "Killing", `Container ${c.name} failed ${failed} probe, ${restart ? "will be restarted" : "will not be restarted"}`);
      const probeGrace = (failed === "liveness" ? c.livenessProbe : c.startupProbe)?.terminationGracePeriodSeconds;
      await env.runtime.stopContainer(cur.id, typeof probeGrace === "number" ? probeGrace : graceSeconds(rec.pod));
      t.probeKilled = cur.id;
      cur = t.current = await observe(env.runtime, cur.id);
    }
  }
  if (cur?.state === "running") {
    t.waiting = undefined;
    return "running";
  }
  if (cur?.state === "created") {
    // A start that never happened (an interrupted sync): drop it and start afresh.
    await env.runtime.removeContainer(cur.id);
    cur = t.current = undefined;
  }
  if (cur?.state === "exited") {
    const probeKilled = policy !== "Never" && t.probeKilled === cur.id;
    const wanted = t.replacing || t.restartApproved || probeKilled || policy === "Always" || (policy === "OnFailure" && cur.exitCode !== 0);
    if (!wanted) {
      t.waiting = undefined;
      return "exited";
    }
    if (!t.replacing && !t.restartApproved) {
      if (inBackOffSince(t.crash, cur.finishedAt, env.now)) {
        const delay = t.crash!.delay;
        if (t.waiting?.reason !== "CrashLoopBackOff") {
          env.recorder.emit(rec.pod, fieldPath, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podDesc(rec.pod)}`);
        }
        t.waiting = { reason: "CrashLoopBackOff", message: `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${podDesc(rec.pod)}` };
        env.wake(cur.finishedAt + delay, `backoff/${rec.uid}/${c.name}`);
        return "waiting";
      }
      t.crash = nextBackoff(t.crash, cur.finishedAt, env.now);
      t.restartApproved = true;
    }
  }
  return startNew(env, rec, c, t, fieldPath);
}
