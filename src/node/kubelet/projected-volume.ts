// The files of the volumes the kubelet renders from the API: configMap and secret
// volumes (config-sources.ts), downwardAPI volumes, and projected volumes, whose
// serviceAccountToken, configMap, secret and downwardAPI sources land in one
// directory (the projected volume plugin). Errors are collected as upstream's plugin
// collects them and reported as one FailedMount.
import type { Pod } from "../../model/types";
import { downwardAPIOf, projectedOf, projectionsOf, type VolumeProjection } from "../../model/volume-sources";
import { ConfigError, configVolumeFiles, keyFiles, type ConfigReader } from "./config-sources";
import { downwardFiles, readsMetadataMaps, type NodeAllocatable } from "./downward-api";
import { reusable, tokenAsk, TokenError, type CachedToken, type TokenSource } from "./service-account-token";

type PodVolume = NonNullable<Pod["spec"]["volumes"]>[number];

export interface RenderDeps {
  read: ConfigReader;
  node: NodeAllocatable;
  now: number;
  /** Absent where no API can be asked: a token source then fails its mount. */
  tokens?: TokenSource;
  /** The pod's cached tokens by `volume/path` (updated in place). */
  cache: Record<string, CachedToken>;
}

/** Whether the kubelet renders this volume's files (and so re-renders them on change). */
export function isRendered(v: PodVolume): boolean {
  return !!(v.configMap || v.secret || projectedOf(v) || downwardAPIOf(v));
}

/** Whether a volume's files follow the pod's labels or annotations. */
export function followsMetadata(v: PodVolume): boolean {
  if (readsMetadataMaps(downwardAPIOf(v)?.items)) return true;
  return projectionsOf(v).some((s) => readsMetadataMaps(s.downwardAPI?.items));
}

async function tokenFile(pod: Pod, volume: string, source: NonNullable<VolumeProjection["serviceAccountToken"]>, deps: RenderDeps): Promise<string> {
  const ask = tokenAsk(pod.metadata.namespace ?? "default", pod.spec.serviceAccountName ?? "default", { name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" }, source);
  const key = `${volume}/${source.path}`;
  const cached = reusable(deps.cache[key], ask, deps.now);
  if (cached) return cached.token;
  if (!deps.tokens) throw new ConfigError("failed to fetch token: no API server to ask");
  try {
    const { token } = await deps.tokens(ask);
    deps.cache[key] = { token, fetchedAt: deps.now, expirationSeconds: ask.expirationSeconds, ask: JSON.stringify(ask) };
    return token;
  } catch (e) {
    if (e instanceof TokenError) throw new ConfigError(`failed to fetch token: ${e.message}`);
    throw e;
  }
}

/** One projection's files. */
async function sourceFiles(pod: Pod, volume: string, s: VolumeProjection, deps: RenderDeps): Promise<Record<string, string> | undefined> {
  if (s.serviceAccountToken) return { [s.serviceAccountToken.path]: await tokenFile(pod, volume, s.serviceAccountToken, deps) };
  if (s.configMap) return keyFiles(pod, { resource: "configmaps", name: s.configMap.name ?? "", items: s.configMap.items, optional: s.configMap.optional }, deps.read);
  if (s.secret) return keyFiles(pod, { resource: "secrets", name: s.secret.name ?? "", items: s.secret.items, optional: s.secret.optional }, deps.read);
  if (s.downwardAPI) return downwardFiles(pod, s.downwardAPI.items, deps.node);
  return {};
}

async function projectedFiles(pod: Pod, v: PodVolume, deps: RenderDeps): Promise<Record<string, string>> {
  // The sources are fetched at once (a pod's default token volume asks the API for a
  // token and reads kube-root-ca.crt: two round trips that need not wait for each
  // other), then merged in the volume's order, as upstream's plugin collects them.
  const outcomes = await Promise.all(
    projectionsOf(v).map((s) =>
      sourceFiles(pod, v.name, s, deps).then(
        (files) => ({ files }),
        (e: unknown) => {
          if (!(e instanceof ConfigError)) throw e;
          return { error: e.message };
        },
      ),
    ),
  );
  const files: Record<string, string> = {};
  const errors: string[] = [];
  for (const o of outcomes) {
    if ("error" in o) errors.push(o.error);
    else Object.assign(files, o.files);
  }
  // utilerrors.NewAggregate: one error as itself, more in brackets.
  if (errors.length) throw new ConfigError(errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`);
  return files;
}

/**
 * The files of a rendered volume (path in the volume -> content), or undefined for a
 * volume the kubelet does not render. Throws ConfigError with the FailedMount message.
 */
export async function renderVolume(pod: Pod, v: PodVolume, deps: RenderDeps): Promise<Record<string, string> | undefined> {
  if (v.configMap || v.secret) return configVolumeFiles(pod, v, deps.read);
  const downward = downwardAPIOf(v);
  if (downward) return downwardFiles(pod, downward.items, deps.node);
  if (!projectedOf(v)) return undefined;
  try {
    return await projectedFiles(pod, v, deps);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}" : ${e.message}`);
    throw e;
  }
}
