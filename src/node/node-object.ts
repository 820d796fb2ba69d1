// The Node object a kubelet registers and keeps up to date: capacity and allocatable,
// conditions, addresses, nodeInfo (with the runtime it runs), podCIDR and labels.
import type { Condition, Node } from "../model/types";
import type { NodeConfig } from "../controlplane/node-api";
import { isoSeconds } from "../config";
import { podCIDRForIndex } from "../model/cluster-addresses";

const KUBELET_VERSION = "v1.32.0";

const RUNTIME_VERSIONS: Record<NodeConfig["runtime"], string> = {
  containerd: "containerd://2.1.4",
  "cri-o": "cri-o://1.33.2",
};

/** Stable pseudo-random hex from a string, for machine IDs and boot IDs. */
export function hexOf(seed: string, length: number): string {
  let out = "";
  let h = 0x811c9dc5;
  while (out.length < length) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ out.length, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

function uuidOf(seed: string): string {
  const h = hexOf(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The node's InternalIP: 192.168.49.(index+1), like a kind/minikube network. */
export function internalIP(cidrIndex: number): string {
  return `192.168.${49 + Math.floor((cidrIndex + 1) / 254)}.${((cidrIndex + 1) % 254) + 1}`;
}

export function podCIDRFor(cidrIndex: number): string {
  return podCIDRForIndex(cidrIndex);
}

/** Allocatable is capacity minus the kubelet's reservations (kept zero here except pods). */
export function buildNode(cfg: NodeConfig, cidrIndex: number, now: number, bootSeed: string): Node {
  const ts = isoSeconds(now);
  const capacity = {
    cpu: cfg.cpu,
    memory: cfg.memory,
    pods: String(cfg.pods),
    "ephemeral-storage": cfg.ephemeralStorage,
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: cfg.name,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": cfg.name,
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/worker": "",
        ...(cfg.labels ?? {}),
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: { podCIDR: podCIDRFor(cidrIndex), podCIDRs: [podCIDRFor(cidrIndex)], providerID: `edgekube://${cfg.name}` },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: readyConditions(ts),
      addresses: [
        { type: "InternalIP", address: internalIP(cidrIndex) },
        { type: "Hostname", address: cfg.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hexOf(cfg.name, 32),
        systemUUID: uuidOf(cfg.name),
        bootID: uuidOf(bootSeed),
        kernelVersion: "6.8.0-edgekube",
        osImage: cfg.runtime === "cri-o" ? "Fedora CoreOS 41" : "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: RUNTIME_VERSIONS[cfg.runtime],
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: "linux",
        architecture: "amd64",
      },
      images: [],
    },
  };
}

/** The four conditions a healthy kubelet reports. */
function readyConditions(ts: string): Condition[] {
  const c = (type: string, status: "True" | "False", reason: string, message: string): Condition => ({
    type,
    status,
    lastHeartbeatTime: ts,
    lastTransitionTime: ts,
    reason,
    message,
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    c("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}
