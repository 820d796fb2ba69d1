// Which ConfigMaps and Secrets a pod refers to (env[].valueFrom, envFrom, volumes), and
// which PersistentVolumeClaims it mounts, as "configmaps/NS/NAME" strings: the
// dispatcher finds the nodes to tell when one changes, the kubelet the containers and
// volumes to set up again.
import type { ConfigMapVolumeSource, Container, EnvFromSource, KeySelector, Pod, SecretVolumeSource } from "./types";
import { projectionsOf } from "./volume-sources";

export type ConfigResource = "configmaps" | "secrets";

export const configRef = (resource: ConfigResource, namespace: string, name: string) => `${resource}/${namespace}/${name}`;

/** The ConfigMaps and Secrets a container's environment names. */
export function envRefs(pod: Pod, c: Container): string[] {
  const ns = pod.metadata.namespace ?? "default";
  const out: string[] = [];
  for (const ef of (c.envFrom ?? []) as EnvFromSource[]) {
    if (ef.configMapRef?.name) out.push(configRef("configmaps", ns, ef.configMapRef.name));
    if (ef.secretRef?.name) out.push(configRef("secrets", ns, ef.secretRef.name));
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom as { configMapKeyRef?: KeySelector; secretKeyRef?: KeySelector } | undefined;
    if (from?.configMapKeyRef?.name) out.push(configRef("configmaps", ns, from.configMapKeyRef.name));
    if (from?.secretKeyRef?.name) out.push(configRef("secrets", ns, from.secretKeyRef.name));
  }
  return out;
}

/** The ConfigMaps and Secrets a pod's volumes name. */
export function volumeRefs(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? "default";
  return (pod.spec.volumes ?? []).flatMap((v) => {
    const cm = v.configMap as ConfigMapVolumeSource | undefined;
    const s = v.secret as SecretVolumeSource | undefined;
    if (cm?.name) return [configRef("configmaps", ns, cm.name)];
    if (s?.secretName) return [configRef("secrets", ns, s.secretName)];
    // A projected volume's ConfigMap and Secret sources.
    return projectionsOf(v).flatMap((p) => [
      ...(p.configMap?.name ? [configRef("configmaps", ns, p.configMap.name)] : []),
      ...(p.secret?.name ? [configRef("secrets", ns, p.secret.name)] : []),
    ]);
  });
}

export const claimRef = (namespace: string, name: string) => `persistentvolumeclaims/${namespace}/${name}`;

/** The PersistentVolumeClaims a pod's volumes name ("persistentvolumeclaims/NS/NAME"). */
export function claimRefs(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? "default";
  return (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [claimRef(ns, v.persistentVolumeClaim.claimName)] : []));
}

export function podRefs(pod: Pod): string[] {
  const all = [...volumeRefs(pod), ...claimRefs(pod), ...[...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) => envRefs(pod, c))];
  return [...new Set(all)];
}

