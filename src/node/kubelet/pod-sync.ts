// One pod, converged (the kubelet's syncPod / syncTerminatingPod): a sandbox with an IP
// from the node's podCIDR, init containers one after the other, then the app
// containers; a finished pod gets its sandbox stopped and its IP back; a pod being
// deleted gets its containers stopped with the grace period, then its sandbox removed.
import type { Container, Pod } from "../../model/types";
import { allContainers } from "../../model/pod-containers";
import { allocateIp, CidrError, releaseIp } from "./ipam";
import { sandboxConfig } from "./container-config";
import { ConfigError, volumeRefs } from "./config-sources";
import { followsMetadata, isRendered, renderVolume, type RenderDeps } from "./projected-volume";
import { tokenRefreshAt } from "./service-account-token";
import { detachClaims, mountClaims } from "./claims";
import { ensureRunning, graceSeconds, observe, refreshTrack } from "./container-sync";
import { buildPodStatus, isSidecar } from "./pod-status";
import type { ContainerTrack, PodRecord } from "./state";
import type { SyncEnv } from "./sync-env";

/** keep: still ours; remove: terminated, delete it from the store; forget: gone already. */
export type PodOutcome = "keep" | "remove" | "forget";

/** Retry a failed sandbox setup after this long. */
const SANDBOX_RETRY_MS = 10_000;
/** Retry a volume whose ConfigMap or Secret is missing (or sooner, when one changes). */
const MOUNT_RETRY_MS = 10_000;

function trackOf(rec: PodRecord, name: string): ContainerTrack {
  return (rec.containers[name] ??= { name, restartCount: 0 });
}

/** The field path events name a container by, as the kubelet's references do. */
function fieldPathOf(spec: Pod["spec"], c: Container): string {
  if (spec.containers.includes(c)) return `spec.containers{${c.name}}`;
  if (spec.ephemeralContainers?.includes(c)) return `spec.ephemeralContainers{${c.name}}`;
  return `spec.initContainers{${c.name}}`;
}

async function refreshAll(env: SyncEnv, rec: PodRecord): Promise<void> {
  for (const t of Object.values(rec.containers)) await refreshTrack(env, t);
}

function renderDeps(env: SyncEnv, rec: PodRecord): RenderDeps {
  return { read: env.readConfig, node: env.allocatable, now: env.now, tokens: env.tokens, cache: (rec.tokens ??= {}) };
}

/** The labels and annotations downward API files render, as one string to compare. */
function metaOf(rec: PodRecord): string {
  return JSON.stringify([rec.pod.metadata.labels ?? {}, rec.pod.metadata.annotations ?? {}]);
}

/** The pod's earliest token refresh. */
function tokensDueAt(rec: PodRecord): number | undefined {
  const due = Object.values(rec.tokens ?? {}).map((t) => tokenRefreshAt(t.fetchedAt, t.expirationSeconds));
  return due.length ? Math.min(...due) : undefined;
}

/** A sync at the pod's earliest token refresh renders its volumes again. */
function wakeForTokens(env: SyncEnv, rec: PodRecord): void {
  const at = tokensDueAt(rec);
  if (at !== undefined) env.wake(at, `token/${rec.uid}`);
}

/**
 * The files of the pod's rendered volumes (configMap, secret, downwardAPI, projected),
 * or undefined while one cannot be set up (the kubelet's FailedMount: the pod stays
 * ContainerCreating, no sandbox yet).
 */
async function mountConfigVolumes(env: SyncEnv, rec: PodRecord): Promise<Map<string, Record<string, string>> | undefined> {
  const files = new Map<string, Record<string, string>>();
  if (!(rec.pod.spec.volumes ?? []).some(isRendered)) return files;
  const refs = volumeRefs(rec.pod);
  const retryKey = `mount/${rec.uid}`;
  if (rec.mountRetryAt !== undefined && env.now < rec.mountRetryAt && !refs.some((r) => env.configChanged.has(r))) {
    env.wake(rec.mountRetryAt, retryKey);
    return undefined;
  }
  const deps = renderDeps(env, rec);
  try {
    for (const v of rec.pod.spec.volumes ?? []) {
      const contents = await renderVolume(rec.pod, v, deps);
      if (!contents) continue;
      files.set(v.name, contents);
      (rec.volumeDigests ??= {})[v.name] = await digestOf(contents);
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    env.recorder.emit(rec.pod, undefined, "Warning", "FailedMount", e.message);
    rec.mountRetryAt = env.now + MOUNT_RETRY_MS;
    env.wake(rec.mountRetryAt, retryKey);
    return undefined;
  }
  rec.mountRetryAt = undefined;
  rec.renderedMeta = metaOf(rec);
  wakeForTokens(env, rec);
  return files;
}

async function digestOf(files: Record<string, string>): Promise<string> {
  const sorted = Object.keys(files).sort().map((k) => [k, files[k]]);
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(sorted)));
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The kubelet's periodic remount, where something changed: a referenced ConfigMap or
 * Secret, the labels or annotations a downward API file shows, a token due for refresh.
 * Only volumes whose files changed are written.
 */
async function refreshConfigVolumes(env: SyncEnv, rec: PodRecord): Promise<void> {
  if (!rec.sandboxId) return;
  const volumes = (rec.pod.spec.volumes ?? []).filter(isRendered);
  if (!volumes.length) return;
  const refsChanged = volumeRefs(rec.pod).some((r) => env.configChanged.has(r));
  const metaChanged = rec.renderedMeta !== metaOf(rec) && volumes.some(followsMetadata);
  const tokenAt = tokensDueAt(rec);
  if (!refsChanged && !metaChanged && !(tokenAt !== undefined && tokenAt <= env.now)) {
    wakeForTokens(env, rec);
    return;
  }
  const deps = renderDeps(env, rec);
  for (const v of volumes) {
    let contents: Record<string, string> | undefined;
    try {
      contents = await renderVolume(rec.pod, v, deps);
    } catch (e) {
      // Gone (or a key gone) after the pod started: the files stay as they were, as upstream.
      if (!(e instanceof ConfigError)) throw e;
      env.recorder.emit(rec.pod, undefined, "Warning", "FailedMount", e.message);
      continue;
    }
    if (!contents) continue;
    const digest = await digestOf(contents);
    const digests = (rec.volumeDigests ??= {});
    if (digests[v.name] === digest) continue;
    await env.runtime.replaceVolumeFiles(rec.sandboxId, v.name, contents);
    digests[v.name] = digest;
  }
  rec.renderedMeta = metaOf(rec);
  wakeForTokens(env, rec);
}

async function ensureSandbox(env: SyncEnv, rec: PodRecord): Promise<boolean> {
  if (rec.sandboxId) {
    await refreshConfigVolumes(env, rec);
    return true;
  }
  const volumeFiles = await mountConfigVolumes(env, rec);
  if (!volumeFiles) return false;
  const claimFiles = await mountClaims(env, rec);
  if (!claimFiles) return false;
  let ip: string;
  try {
    ip = rec.pod.spec.hostNetwork ? env.hostIP : allocateIp(env.ips, env.podCIDR, rec.uid);
  } catch (e) {
    if (!(e instanceof CidrError)) throw e;
    env.recorder.emit(
      rec.pod,
      undefined,
      "Warning",
      "FailedCreatePodSandBox",
      `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="bridge" failed (add): ${e.message}`,
    );
    env.wake(env.now + SANDBOX_RETRY_MS, `sandbox/${rec.uid}`);
    return false;
  }
  rec.podIP = ip;
  rec.sandboxId = await env.runtime.runPodSandbox(sandboxConfig(rec.pod, ip, volumeFiles, claimFiles));
  return true;
}

async function runContainers(env: SyncEnv, rec: PodRecord): Promise<void> {
  const spec = rec.pod.spec;
  const policy = spec.restartPolicy ?? "Always";
  for (const c of spec.initContainers ?? []) {
    const t = trackOf(rec, c.name);
    const fieldPath = `spec.initContainers{${c.name}}`;
    if (isSidecar(c)) {
      // A sidecar only has to be started for the next init container to go.
      if ((await ensureRunning(env, rec, c, t, "Always", fieldPath)) === "running") t.done = true;
      if (!t.done) return;
      continue;
    }
    if (t.done) continue;
    const outcome = await ensureRunning(env, rec, c, t, policy === "Never" ? "Never" : "OnFailure", fieldPath);
    if (outcome !== "exited" || t.current?.exitCode !== 0) return;
    t.done = true;
  }
  for (const c of spec.containers) {
    // Containers start in spec order: one whose image is still coming holds up the rest.
    if ((await ensureRunning(env, rec, c, trackOf(rec, c.name), policy, `spec.containers{${c.name}}`)) === "pulling") return;
  }
  // `kubectl debug`: started once the pod runs, and never restarted.
  for (const c of spec.ephemeralContainers ?? []) await ensureRunning(env, rec, c, trackOf(rec, c.name), "Never", `spec.ephemeralContainers{${c.name}}`);
}

/** Stop everything with the grace period; true once the sandbox is gone. */
async function terminate(env: SyncEnv, rec: PodRecord): Promise<boolean> {
  const gone = !!rec.gone;
  await refreshAll(env, rec);
  const deadline = env.now + (gone ? 0 : graceSeconds(rec.pod)) * 1000;
  if (!rec.killing || deadline < rec.killing.deadline) {
    const first = !rec.killing;
    rec.killing = { since: rec.killing?.since ?? env.now, deadline: Math.min(deadline, rec.killing?.deadline ?? Infinity) };
    const timeout = Math.max(0, (rec.killing.deadline - env.now) / 1000);
    for (const c of allContainers(rec.pod.spec)) {
      const t = rec.containers[c.name];
      if (t?.current?.state !== "running") continue;
      if (first && !gone) {
        env.recorder.emit(rec.pod, fieldPathOf(rec.pod.spec, c), "Normal", "Killing", `Stopping container ${c.name}`);
      }
      await env.runtime.stopContainer(t.current.id, timeout);
      t.current = await observe(env.runtime, t.current.id);
    }
    for (const t of Object.values(rec.containers)) t.waiting = undefined;
  }
  const running = Object.values(rec.containers).some((t) => t.current?.state === "running");
  if (running && env.now < rec.killing.deadline) {
    env.wake(rec.killing.deadline, `kill/${rec.uid}`);
    return false;
  }
  if (rec.sandboxId) {
    await env.runtime.stopPodSandbox(rec.sandboxId);
    // What the containers wrote reaches the volume's store before the sandbox goes.
    if (rec.claims) await env.flushVolumes();
    await env.runtime.removePodSandbox(rec.sandboxId);
    rec.sandboxId = undefined;
  }
  await detachClaims(env, rec);
  releaseIp(env.ips, rec.uid);
  return true;
}

export async function syncPod(env: SyncEnv, rec: PodRecord): Promise<PodOutcome> {
  if (rec.gone || rec.pod.metadata.deletionTimestamp) {
    if (!(await terminate(env, rec))) return "keep";
    return rec.gone ? "forget" : "remove";
  }
  if (rec.admission !== "admitted" || rec.terminal) return "keep";
  rec.startTime ??= env.now;
  if (!(await ensureSandbox(env, rec))) return "keep";
  await refreshAll(env, rec);
  await runContainers(env, rec);
  const phase = buildPodStatus(rec, env.hostIP, env.now).phase;
  if (phase === "Succeeded" || phase === "Failed") {
    // Nothing will run again: the sandbox stops and its IP goes back to the pool; the
    // dead containers stay for `kubectl logs` until the pod is deleted.
    rec.terminal = phase;
    await env.runtime.stopPodSandbox(rec.sandboxId!);
    if (rec.claims) await env.flushVolumes();
    await detachClaims(env, rec);
    releaseIp(env.ips, rec.uid);
  }
  return "keep";
}
