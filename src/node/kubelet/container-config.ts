// From a pod spec to what the runtime is asked to run: the sandbox config (pod IP,
// hostname, volumes) and each container's config (command, environment, mounts,
// labels). The environment is built as the kubelet builds it: the container's `env`
// with `$(VAR)` references and downward-API fieldRefs resolved, then the variables of
// the `kubernetes` service that every pod sees.
import type { Container, EnvVar, Pod } from "../../model/types";
import type { ContainerConfig, KeyValue, PodSandboxConfig } from "../runtime";
import { KUBERNETES_SERVICE_IP } from "../../model/cluster-addresses";

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

function containerEnvs(pod: Pod, c: Container, net: PodNetwork): KeyValue[] {
  const services = serviceEnv();
  const known = new Map<string, string>(services);
  const out = new Map<string, string>();
  for (const e of (c.env ?? []) as EnvVar[]) {
    let value = e.value !== undefined ? expand(e.value, known) : "";
    const from = e.valueFrom as { fieldRef?: { fieldPath?: string } } | undefined;
    if (e.value === undefined && from?.fieldRef?.fieldPath) value = fieldValue(pod, net, from.fieldRef.fieldPath);
    out.set(e.name, value);
    known.set(e.name, value);
  }
  for (const [k, v] of services) if (!out.has(k)) out.set(k, v);
  return [...out].map(([key, value]) => ({ key, value }));
}

export function sandboxConfig(pod: Pod, podIP: string): PodSandboxConfig {
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
    // Every volume is owned by the sandbox: emptyDir starts empty; configMap, secret and
    // projected contents are not modelled yet, so they start empty too.
    volumes: (pod.spec.volumes ?? []).map((v) => ({ name: v.name })),
  };
}

export function containerConfig(pod: Pod, c: Container, attempt: number, net: PodNetwork): ContainerConfig {
  const meta = pod.metadata;
  return {
    metadata: { name: c.name, attempt },
    image: c.image ?? "",
    ...(c.command?.length ? { command: [...c.command] } : {}),
    ...(c.args?.length ? { args: [...c.args] } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    envs: containerEnvs(pod, c, net),
    mounts: (c.volumeMounts ?? []).map((m) => ({
      containerPath: m.mountPath,
      volume: m.name,
      ...(m.readOnly ? { readOnly: true } : {}),
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
