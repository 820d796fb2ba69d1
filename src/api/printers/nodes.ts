// Node columns as printNode prints them: STATUS from the Ready condition only,
// ROLES from node-role labels.
import type { KubeObject, Node } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const ADDRESSES = "List of addresses reachable to the node.";
const COLUMNS = [
  NAME_COLUMN,
  col("Status", "string", "The status of the node"),
  col("Roles", "string", "The roles of the node"),
  AGE_COLUMN,
  col("Version", "string", "Kubelet Version reported by the node."),
  col("Internal-IP", "string", ADDRESSES, { priority: 1 }),
  col("External-IP", "string", ADDRESSES, { priority: 1 }),
  col("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", { priority: 1 }),
  col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
  col("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", { priority: 1 }),
] as const;

const ROLE_PREFIX = "node-role.kubernetes.io/";
const LEGACY_ROLE_LABEL = "kubernetes.io/role";

function nodeStatus(node: Node): string {
  // Only Ready is consulted; a Ready condition with status Unknown (kubelet
  // stopped posting) reads "NotReady", a node without one reads "Unknown".
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const parts = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

/** Sorted, de-duplicated roles from node-role.kubernetes.io/<role> and kubernetes.io/role=<role>. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === LEGACY_ROLE_LABEL && v) {
      roles.add(v);
    }
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
}

export const nodePrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const node = obj as Node;
    const info = node.status?.nodeInfo;
    return [
      node.metadata.name ?? "",
      nodeStatus(node),
      nodeRoles(node),
      formatAge(node.metadata.creationTimestamp, now),
      info?.kubeletVersion ?? "",
      address(node, "InternalIP"),
      address(node, "ExternalIP"),
      info?.osImage || "<unknown>",
      info?.kernelVersion || "<unknown>",
      info?.containerRuntimeVersion || "<unknown>",
    ];
  },
};
