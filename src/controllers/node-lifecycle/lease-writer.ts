// Node Leases reach D1 in batches. A renewal is a row in the controller's own storage
// (renewals.ts); every NODE_LEASE_WRITE_INTERVAL the stale Leases of all the nodes this
// controller watches are rewritten in one D1 batch, each conditional on the version
// this controller last wrote. So `kubectl get leases -n kube-node-lease` shows
// renewTime moving (at most that interval behind the last renewal) without one D1
// write per heartbeat. A Lease someone else wrote in between (an external agent, a
// label) makes its write conflict: it is then read afresh and written on its own,
// keeping the later renewTime.
import type { ObjectStore, WriteOp } from "../../store/store";
import type { Lease } from "../../model/types";
import { ApiError } from "../../model/errors";
import { isoSeconds } from "../../config";
import { newLease, renewedAt, NODE_LEASE_NAMESPACE } from "./lease";
import { isoMicros } from "./time";
import type { RenewalTable, Renewal } from "./renewals";

export const LEASES = "leases.coordination.k8s.io";
/** Leases per D1 batch. */
const LEASE_BATCH = 200;

export interface LeaseWriterDeps {
  store: ObjectStore;
  renewals: RenewalTable;
  leaseDurationSeconds: number;
}

const isConflict = (e: unknown) => e instanceof ApiError && (e.reason === "Conflict" || e.reason === "NotFound");

export class LeaseWriter {
  constructor(private readonly d: LeaseWriterDeps) {}

  /** Write every stale Lease: one batch per LEASE_BATCH nodes, each Lease alone when its batch conflicts. */
  async flush(): Promise<number> {
    const stale = this.d.renewals.stale();
    const batched = stale.filter((r) => r.lease);
    for (const r of stale) if (!r.lease) await this.writeOne(r.node);
    for (let i = 0; i < batched.length; i += LEASE_BATCH) {
      const chunk = batched.slice(i, i + LEASE_BATCH);
      const ops: WriteOp[] = chunk.map((r) => ({ op: "update", resource: LEASES, object: this.renewed(r.lease!, r), expectedRv: Number(r.lease!.metadata.resourceVersion) }));
      try {
        const stored = (await this.d.store.commit(ops)) as Lease[];
        chunk.forEach((r, j) => this.d.renewals.written(r.node, stored[j], renewedAt(stored[j])));
      } catch (e) {
        if (!isConflict(e)) throw e;
        // The batch wrote nothing: each Lease on its own, read afresh.
        for (const r of chunk) await this.writeOne(r.node);
      }
    }
    return stale.length;
  }

  /**
   * Write one node's Lease now from what is in D1: renewed when it exists (never back
   * in time, if an external agent renewed it later), created when it does not (the
   * kubelet creates its Lease when it registers).
   */
  async writeOne(node: string): Promise<void> {
    const { store, renewals } = this.d;
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = renewals.get(node);
      if (!row) return;
      const current = (await store.get(LEASES, NODE_LEASE_NAMESPACE, node)) as Lease | null;
      try {
        const stored = current ? await store.update(LEASES, this.renewed(current, row), Number(current.metadata.resourceVersion)) : await store.create(LEASES, await this.fresh(row));
        renewals.written(node, stored as Lease, renewedAt(stored as Lease));
        return;
      } catch (e) {
        if (!(isConflict(e) || (e instanceof ApiError && e.reason === "AlreadyExists"))) throw e;
        renewals.forgetLease(node);
      }
    }
  }

  private renewed(base: Lease, row: Renewal): Lease {
    const at = Math.max(row.renewed, renewedAt(base));
    return { ...base, spec: { ...base.spec, holderIdentity: row.node, leaseDurationSeconds: this.d.leaseDurationSeconds, renewTime: isoMicros(at) } };
  }

  private async fresh(row: Renewal): Promise<Lease> {
    const node = await this.d.store.get("nodes", "", row.node);
    const lease = newLease(row.node, node?.metadata.uid, this.d.leaseDurationSeconds, row.renewed);
    lease.metadata.uid = crypto.randomUUID();
    lease.metadata.creationTimestamp = isoSeconds(row.renewed);
    return lease;
  }
}
