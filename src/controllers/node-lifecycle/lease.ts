// The node's heartbeat Lease (coordination.k8s.io/v1, namespace kube-node-lease,
// name = node name), as a kubelet renews it.
import type { Lease } from "../../model/types";
import { isoMicros } from "./time";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";

export function newLease(nodeName: string, nodeUid: string | undefined, durationSeconds: number, now: number): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: isoMicros(now) },
  };
}

/** The time a Lease was last renewed, in ms (0 when never). */
export function renewedAt(lease: Lease | null | undefined): number {
  const t = lease?.spec?.renewTime;
  return t ? Date.parse(t) : 0;
}
