// From a pod spec to what the runtime is asked to run: the sandbox config (pod IP,
// hostname, volumes) and each container's config (command, environment, mounts,
// labels). The environment is built as the kubelet builds it: what envFrom brings
// (resolved beforehand, config-sources.ts), then the container's `env` with `$(VAR)`
// references, downward-API fieldRefs and ConfigMap/Secret keys resolved, then the
// variables of the `kubernetes` service that every pod sees.
import type { Container, EnvVar, Pod } from "../../model/types";
import type { ContainerConfig, KeyValue, PodSandboxConfig, VolumeEntry } from "../runtime";
import { KUBERNETES_SERVICE_IP } from "../../model/cluster-addresses";
import type { ConfigEnv } from "./config-sources";

interface PodNetwork {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

function serviceEnv(): [string, string][] {
  const ip = KUBERNETES_SERVICE_IP;
  return [
    ["KUBERNETES_SERVICE_PORT_HTTPS", "443"],
    ["KUBERNETES_SERVICE_PORT", "443"],
    ["KUBERNETES_PORT_443_TCP", `tcp://${ip}:443`],
    ["KUBERNETES_PORT_443_TCP_PROTO", "tcp"],
    ["KUBERNETES_PORT_443_TCP_ADDR", ip],
    ["KUBERNETES_SERVICE_HOST", ip],
    ["KUBERNETES_PORT", `tcp://${ip}:443`],
    ["KUBERNETES_PORT_443_TCP_PORT", "443"],
  ];
}

/** A downward-API field path, e.g. "status.podIP" or "metadata.labels['app']". */
function fieldValue(pod: Pod, net: PodNetwork, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "spec.nodeName":
      return net.nodeName;
    case "spec.serviceAccountName":
      return (pod.spec.serviceAccountName as string | undefined) ?? "default";
    case "status.hostIP":
    case "status.hostIPs":
      return net.hostIP;
    case "status.podIP":
    case "status.podIPs":
      return net.podIP;
    default:
      return "";
  }
}

/** `$(VAR)` expands to an earlier variable; `$$(VAR)` is a literal `$(VAR)`. */
function expand(value: string, known: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (all === "$$") return "$";
    return name !== undefined && known.has(name) ? known.get(name)! : all;
  });
}

function containerEnvs(pod: Pod, c: Container, net: PodNetwork, config: ConfigEnv): KeyValue[] {
  const services = serviceEnv();
  const known = new Map<string, string>(services);
  const out = new Map<string, string>();
  for (const [k, v] of config.fromSources) {
    out.set(k, v);
    known.set(k, v);
  }
  for (const [i, e] of ((c.env ?? []) as EnvVar[]).entries()) {
    const from = e.valueFrom as { fieldRef?: { fieldPath?: string }; configMapKeyRef?: unknown; secretKeyRef?: unknown } | undefined;
    // An optional key that is missing sets nothing.
    if ((from?.configMapKeyRef || from?.secretKeyRef) && !config.fromKeys.has(i)) continue;
    let value = e.value !== undefined ? expand(e.value, known) : "";
    if (e.value === undefined && from?.fieldRef?.fieldPath) value = fieldValue(pod, net, from.fieldRef.fieldPath);
    if (config.fromKeys.has(i)) value = config.fromKeys.get(i)!;
    out.set(e.name, value);
    known.set(e.name, value);
  }
  for (const [k, v] of services) if (!out.has(k)) out.set(k, v);
  return [...out].map(([key, value]) => ({ key, value }));
}

/**
 * `files`: the contents of configMap and secret volumes by volume name (config-sources.ts);
 * `persistent`: the files of the attached persistentVolumeClaim volumes (claims.ts).
 */
export function sandboxConfig(
  pod: Pod,
  podIP: string,
  files: Map<string, Record<string, string>> = new Map(),
  persistent: Map<string, Record<string, VolumeEntry>> = new Map(),
): PodSandboxConfig {
  const meta = pod.metadata;
  return {
    metadata: { name: meta.name ?? "", namespace: meta.namespace ?? "default", uid: meta.uid ?? "", attempt: 0 },
    hostname: ((pod.spec.hostname as string | undefined) || meta.name || "").slice(0, 63),
    podIP,
    labels: {
      ...(meta.labels ?? {}),
      "io.kubernetes.pod.name": meta.name ?? "",
      "io.kubernetes.pod.namespace": meta.namespace ?? "",
      "io.kubernetes.pod.uid": meta.uid ?? "",
    },
    annotations: { ...(meta.annotations ?? {}) },
    // Every volume is owned by the sandbox: emptyDir starts empty, configMap and secret
    // volumes with their keys as files; projected contents are not modelled.
    volumes: (pod.spec.volumes ?? []).map((v) => {
      if (persistent.has(v.name)) return { name: v.name, persistent: { entries: persistent.get(v.name)! } };
      return files.has(v.name) ? { name: v.name, files: files.get(v.name) } : { name: v.name };
    }),
  };
}

export function containerConfig(pod: Pod, c: Container, attempt: number, net: PodNetwork, config: ConfigEnv = { fromSources: [], fromKeys: new Map() }): ContainerConfig {
  const meta = pod.metadata;
  return {
    metadata: { name: c.name, attempt },
    image: c.image ?? "",
    ...(c.command?.length ? { command: [...c.command] } : {}),
    ...(c.args?.length ? { args: [...c.args] } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    envs: containerEnvs(pod, c, net, config),
    mounts: (c.volumeMounts ?? []).map((m) => ({
      containerPath: m.mountPath,
      volume: m.name,
      // A claim the pod mounts readOnly is read-only in every container, whatever the mount says.
      ...(m.readOnly || pod.spec.volumes?.find((v) => v.name === m.name)?.persistentVolumeClaim?.readOnly ? { readOnly: true } : {}),
      ...(m.subPath ? { subPath: m.subPath } : {}),
    })),
    labels: {
      "io.kubernetes.container.name": c.name,
      "io.kubernetes.pod.name": meta.name ?? "",
      "io.kubernetes.pod.namespace": meta.namespace ?? "",
      "io.kubernetes.pod.uid": meta.uid ?? "",
    },
    annotations: { "io.kubernetes.container.restartCount": String(attempt) },
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.tty ? { tty: true } : {}),
    logPath: `/var/log/pods/${meta.namespace}_${meta.name}_${meta.uid}/${c.name}/${attempt}.log`,
  };
}
