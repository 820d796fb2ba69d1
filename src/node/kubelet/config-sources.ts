// What a pod takes from ConfigMaps and Secrets, resolved as the kubelet does it: the
// environment from env[].valueFrom and envFrom (kubelet_pods.go makeEnvironmentVariables)
// and the files of configMap/secret volumes (the configmap and secret volume plugins).
// A missing object or key that is not optional fails with the kubelet's own message;
// an optional one is simply left out. Reads go through a per-sync cache, and happen only
// when a container is created, a sandbox set up, or a referenced object changed.
import type { ConfigMap, ConfigMapVolumeSource, Container, EnvFromSource, EnvVar, KeySelector, KeyToPath, Pod, Secret, SecretVolumeSource } from "../../model/types";
import { decodeBase64 } from "../../model/base64";
import { decodeBytes } from "../../util/byte-text";
import type { ConfigResource } from "../../model/pod-config-refs";

export { envRefs, volumeRefs } from "../../model/pod-config-refs";

export type ConfigReader = (resource: ConfigResource, namespace: string, name: string) => Promise<ConfigMap | Secret | null>;

/** A reference that cannot be satisfied yet; `message` is the kubelet's. */
export class ConfigError extends Error {}

const SINGULAR: Record<ConfigResource, string> = { configmaps: "configmap", secrets: "secret" };
const KIND: Record<ConfigResource, string> = { configmaps: "ConfigMap", secrets: "Secret" };

/** Every value of the object as text (Secret data and binaryData are bytes). */
function valuesOf(resource: ConfigResource, obj: ConfigMap | Secret): Map<string, string> {
  const out = new Map<string, string>();
  const bytes = (b64: string) => decodeBytes(decodeBase64(b64));
  if (resource === "configmaps") {
    const cm = obj as ConfigMap;
    for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, v);
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, bytes(v));
  } else {
    for (const [k, v] of Object.entries((obj as Secret).data ?? {})) out.set(k, bytes(v));
  }
  return out;
}

async function lookup(read: ConfigReader, resource: ConfigResource, namespace: string, name: string, optional: boolean): Promise<Map<string, string> | undefined> {
  const obj = await read(resource, namespace, name);
  if (obj) return valuesOf(resource, obj);
  if (optional) return undefined;
  throw new ConfigError(`${SINGULAR[resource]} "${name}" not found`);
}

export interface ConfigEnv {
  /** From envFrom, in order (later sources win), each key with its prefix. */
  fromSources: [string, string][];
  /** env[i].valueFrom resolved from a ConfigMap or Secret key; absent when optional and missing. */
  fromKeys: Map<number, string>;
}

/** The environment a container takes from ConfigMaps and Secrets; throws ConfigError. */
export async function resolveConfigEnv(pod: Pod, c: Container, read: ConfigReader): Promise<ConfigEnv> {
  const ns = pod.metadata.namespace ?? "default";
  const fromSources: [string, string][] = [];
  for (const ef of (c.envFrom ?? []) as EnvFromSource[]) {
    const [resource, ref] = ef.configMapRef ? (["configmaps", ef.configMapRef] as const) : (["secrets", ef.secretRef] as const);
    if (!ref?.name) continue;
    const values = await lookup(read, resource, ns, ref.name, ref.optional === true);
    for (const [k, v] of values ?? []) fromSources.push([(ef.prefix ?? "") + k, v]);
  }
  const fromKeys = new Map<number, string>();
  for (const [i, e] of ((c.env ?? []) as EnvVar[]).entries()) {
    const from = e.valueFrom as { configMapKeyRef?: KeySelector; secretKeyRef?: KeySelector } | undefined;
    const [resource, sel] = from?.configMapKeyRef ? (["configmaps", from.configMapKeyRef] as const) : (["secrets", from?.secretKeyRef] as const);
    if (!sel?.name) continue;
    const optional = sel.optional === true;
    const values = await lookup(read, resource, ns, sel.name, optional);
    if (!values) continue;
    const value = values.get(sel.key);
    if (value === undefined) {
      if (optional) continue;
      throw new ConfigError(`couldn't find key ${sel.key} in ${KIND[resource]} ${ns}/${sel.name}`);
    }
    fromKeys.set(i, value);
  }
  return { fromSources, fromKeys };
}

/**
 * The files one ConfigMap or Secret gives a volume (all its keys, or the items named),
 * or undefined when it is optional and missing. Throws ConfigError with the reason.
 */
export async function keyFiles(
  pod: Pod,
  source: { resource: ConfigResource; name: string; items?: KeyToPath[]; optional?: boolean },
  read: ConfigReader,
): Promise<Record<string, string> | undefined> {
  const obj = await read(source.resource, pod.metadata.namespace ?? "default", source.name);
  if (!obj) {
    if (source.optional) return undefined;
    throw new ConfigError(`${SINGULAR[source.resource]} "${source.name}" not found`);
  }
  const values = valuesOf(source.resource, obj);
  if (!source.items?.length) return Object.fromEntries(values);
  const files: Record<string, string> = {};
  for (const item of source.items) {
    const value = values.get(item.key);
    if (value === undefined) {
      if (source.optional) continue;
      throw new ConfigError(source.resource === "configmaps" ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    files[item.path] = value;
  }
  return files;
}

/**
 * The files of a configMap or secret volume (path in the volume -> content), or
 * undefined for another kind of volume. Throws ConfigError with the mount failure.
 */
export async function configVolumeFiles(pod: Pod, volume: NonNullable<Pod["spec"]["volumes"]>[number], read: ConfigReader): Promise<Record<string, string> | undefined> {
  const cm = volume.configMap as ConfigMapVolumeSource | undefined;
  const secret = volume.secret as SecretVolumeSource | undefined;
  const source = cm ? { resource: "configmaps" as const, name: cm.name ?? "", items: cm.items, optional: cm.optional } : secret ? { resource: "secrets" as const, name: secret.secretName ?? "", items: secret.items, optional: secret.optional } : undefined;
  if (!source) return undefined;
  try {
    return (await keyFiles(pod, source, read)) ?? {};
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`MountVolume.SetUp failed for volume "${volume.name}" : ${e.message}`);
    throw e;
  }
}
