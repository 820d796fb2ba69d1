// Pods' persistentVolumeClaim volumes, as the kubelet's volume manager and the
// attach-detach controller handle them: the claim must exist and be Bound; its volume
// is attached to this node (an RPC to the volume's store, which enforces
// ReadWriteOnce and hands out the generation to write with) and its files become a
// volume of the sandbox. Changes the containers make are written back to the store
// (flushClaims) after every sync, after every exec that wrote, and before the pod's
// sandbox goes; the last pod out detaches the volume.
import type { AttachResult, VolumeFiles, WriteResult } from "../../controlplane/volume-api";
import type { PersistentVolumeClaim, Pod } from "../../model/types";
import { claimRef } from "../../model/pod-config-refs";
import type { RuntimeService, VolumeEntry } from "../runtime";
import type { PodRecord } from "./state";
import type { SyncEnv } from "./sync-env";

/** What the kubelet asks of a volume's store (controlplane/volume-api.ts). */
export interface VolumeClient {
  attach(volume: string, node: string, pod: { namespace: string; name: string; uid: string }): Promise<AttachResult>;
  detach(volume: string, node: string, podUid: string): Promise<void>;
  write(volume: string, node: string, generation: number, files: VolumeFiles): Promise<WriteResult>;
}

export type ClaimReader = (namespace: string, name: string) => Promise<PersistentVolumeClaim | null>;

/** A claim mounted by a pod: its volume and the attachment generation writes carry. */
export interface MountedClaim {
  claim: string;
  pv: string;
  generation: number;
}

/** Retry a claim that is missing, unbound or attached elsewhere (sooner when a claim changes). */
const CLAIM_RETRY_MS = 2_000;


function claimVolumes(pod: Pod): { volume: string; claim: string }[] {
  return (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [{ volume: v.name, claim: v.persistentVolumeClaim.claimName }] : []));
}

/** Why a claim cannot be used yet, in the volume manager's words; undefined when it can. */
export function claimProblem(namespace: string, name: string, pvc: PersistentVolumeClaim | null): string | undefined {
  const head = `error processing PVC ${namespace}/${name}`;
  if (!pvc) return `${head}: failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`;
  if (pvc.metadata.deletionTimestamp) return `${head}: can't start pod because PVC ${namespace}/${name} is being deleted`;
  if (pvc.status?.phase !== "Bound" || !pvc.spec?.volumeName) return `${head}: PVC is not bound`;
  return undefined;
}

/**
 * Attach every claim of the pod: their files by volume name, or undefined while one
 * cannot be used (the pod stays ContainerCreating, FailedMount or FailedAttachVolume
 * said why, and the sync is asked for again).
 */
export async function mountClaims(env: SyncEnv, rec: PodRecord): Promise<Map<string, Record<string, VolumeEntry>> | undefined> {
  const wanted = claimVolumes(rec.pod);
  const out = new Map<string, Record<string, VolumeEntry>>();
  if (!wanted.length) return out;
  const retryKey = `claim/${rec.uid}`;
  const changed = wanted.some((w) => env.configChanged.has(claimRef(rec.namespace, w.claim)));
  if (rec.claimRetryAt !== undefined && env.now < rec.claimRetryAt && !changed) {
    env.wake(rec.claimRetryAt, retryKey);
    return undefined;
  }
  const retry = (): undefined => {
    rec.claimRetryAt = env.now + CLAIM_RETRY_MS;
    env.wake(rec.claimRetryAt, retryKey);
    return undefined;
  };
  const bound = new Map<string, string>();
  const failed: string[] = [];
  let problem: string | undefined;
  for (const w of wanted) {
    const pvc = await env.readClaim(rec.namespace, w.claim);
    const why = claimProblem(rec.namespace, w.claim, pvc);
    if (why) {
      failed.push(w.volume);
      problem ??= why;
    } else bound.set(w.volume, pvc!.spec.volumeName!);
  }
  if (problem) {
    const names = wanted.map((w) => w.volume).sort().join(" ");
    env.recorder.emit(rec.pod, undefined, "Warning", "FailedMount", `Unable to attach or mount volumes: unmounted volumes=[${names}], unattached volumes=[${names}], failed to process volumes=[${failed.sort().join(" ")}]: ${problem}`);
    return retry();
  }
  if (!env.volumes) return retry();
  const claims: Record<string, MountedClaim> = {};
  for (const w of wanted) {
    const pv = bound.get(w.volume)!;
    let result: AttachResult;
    try {
      result = await env.volumes(pv).attach(pv, env.nodeName, { namespace: rec.namespace, name: rec.name, uid: rec.uid });
    } catch (e) {
      env.recorder.emit(rec.pod, undefined, "Warning", "FailedAttachVolume", `AttachVolume.Attach failed for volume "${pv}" : ${e instanceof Error ? e.message : String(e)}`);
      return retry();
    }
    if (!result.attached) {
      env.recorder.emit(rec.pod, undefined, "Warning", "FailedAttachVolume", result.message);
      return retry();
    }
    claims[w.volume] = { claim: w.claim, pv, generation: result.generation };
    out.set(w.volume, result.files as Record<string, VolumeEntry>);
  }
  rec.claims = claims;
  rec.claimRetryAt = undefined;
  env.recorder.emit(rec.pod, undefined, "Normal", "SuccessfulAttachVolume", `AttachVolume.Attach succeeded for volume "${Object.values(claims).map((c) => c.pv).join(", ")}"`);
  return out;
}

/**
 * Write back every persistent volume the runtime queued: the whole volume, with the
 * generation its pod attached at. A refused write (the volume moved to another node
 * while this one was cut off) is dropped: this node lost the volume.
 */
export async function flushClaims(runtime: RuntimeService, records: readonly PodRecord[], volumes: ((pv: string) => VolumeClient) | undefined, nodeName: string): Promise<void> {
  if (!volumes) return;
  for (const w of await runtime.takeVolumeWrites()) {
    const claim = records.find((r) => r.sandboxId === w.podSandboxId)?.claims?.[w.volume];
    if (!claim) continue;
    try {
      const res = await volumes(claim.pv).write(claim.pv, nodeName, claim.generation, w.entries);
      if (!res.written) console.warn(`kubelet ${nodeName}: write-back refused: ${res.message}`);
    } catch (e) {
      // The store did not answer: queue the volume again, the next flush sends it all.
      console.error(`kubelet ${nodeName}: write-back of volume ${claim.pv} failed:`, e);
      await runtime.requeueVolumeWrite(w.podSandboxId, w.volume);
    }
  }
}

/** The pod's sandbox is gone (or stopped for good): its claims are detached from this node. */
export async function detachClaims(env: SyncEnv, rec: PodRecord): Promise<void> {
  if (!rec.claims || !env.volumes) return;
  for (const c of Object.values(rec.claims)) {
    try {
      await env.volumes(c.pv).detach(c.pv, env.nodeName, rec.uid);
    } catch (e) {
      // A pod that no longer exists does not hold the volume anyway (attachment.ts).
      console.error(`kubelet ${env.nodeName}: detaching volume ${c.pv} failed:`, e);
    }
  }
  rec.claims = undefined;
}
