// Node Leases reach D1 in batches. A renewal is a row in the controller's own storage
// (renewals.ts); every NODE_LEASE_WRITE_INTERVAL the stale Leases of all the nodes this
// controller watches are rewritten in one D1 batch, each conditional on the version
// this controller last wrote. So `kubectl get leases -n kube-node-lease` shows
// renewTime moving (at most that interval behind the last renewal) without one D1
// write per heartbeat. A Lease someone else wrote in between (an external agent, a
// label) makes its write conflict: it is then read afresh and written on its own,
// keeping the later renewTime.
import type { Registry } from "../../registry/registry";
import type { Lease } from "../../model/types";
import { ApiError } from "../../model/errors";
import { isStaleOrGone } from "../../store/retry";
import { commitGroups, type Group } from "../../store/commit-groups";
import type { WriteOp } from "../../registry/ops";
import { newLease, renewedAt, NODE_LEASE_NAMESPACE } from "./lease";
import { isoMicros } from "./time";
import type { RenewalTable, Renewal } from "./renewals";

export const LEASES = "leases.coordination.k8s.io";
/** Leases per D1 batch. */
const LEASE_BATCH = 200;

interface LeaseWriterDeps {
  registry: Registry;
  renewals: RenewalTable;
  leaseDurationSeconds: number;
}


export class LeaseWriter {
  constructor(private readonly d: LeaseWriterDeps) {}

  /** Write every stale Lease: one batch per LEASE_BATCH nodes; a Lease whose batch conflicts goes alone, read afresh. */
  async flush(): Promise<number> {
    const stale = this.d.renewals.stale();
    for (const r of stale) if (!r.lease) await this.writeOne(r.node);
    const groups: (Group<WriteOp> & { node: string })[] = stale
      .filter((r) => r.lease)
      .map((r) => ({ node: r.node, ops: [{ op: "update", resource: LEASES, object: this.renewed(r.lease!, r), expectedRv: Number(r.lease!.metadata.resourceVersion), old: r.lease! }] }));
    await commitGroups<WriteOp, (typeof groups)[number]>((ops) => this.d.registry.commit(ops), groups, { maxOps: LEASE_BATCH, fallback: "per-group", retriable: isStaleOrGone });
    this.d.renewals.writtenAll(groups.flatMap((g) => (g.stored ? [{ node: g.node, lease: g.stored[0] as Lease, renewTime: renewedAt(g.stored[0] as Lease) }] : [])));
    for (const g of groups) {
      if (g.stored) continue;
      if (isStaleOrGone(g.error)) await this.writeOne(g.node);
      else throw g.error;
    }
    return stale.length;
  }

  /**
   * Write one node's Lease now from what is in D1: renewed when it exists (never back
   * in time, if an external agent renewed it later), created when it does not (the
   * kubelet creates its Lease when it registers).
   */
  async writeOne(node: string): Promise<void> {
    const { registry, renewals } = this.d;
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = renewals.get(node);
      if (!row) return;
      const current = (await registry.store.get(LEASES, NODE_LEASE_NAMESPACE, node)) as Lease | null;
      try {
        const stored = current ? await registry.update(LEASES, this.renewed(current, row), { old: current }) : await registry.create(LEASES, await this.fresh(row));
        renewals.written(node, stored as Lease, renewedAt(stored as Lease));
        return;
      } catch (e) {
        // Someone wrote (or deleted) it in between: read it again. Anything else, such as
        // a missing kube-node-lease namespace, reaches the caller.
        const raced = current ? isStaleOrGone(e) : e instanceof ApiError && e.reason === "AlreadyExists";
        if (!raced) throw e;
        renewals.forgetLease(node);
      }
    }
  }

  private renewed(base: Lease, row: Renewal): Lease {
    const at = Math.max(row.renewed, renewedAt(base));
    return { ...base, spec: { ...base.spec, holderIdentity: row.node, leaseDurationSeconds: this.d.leaseDurationSeconds, renewTime: isoMicros(at) } };
  }

  private async fresh(row: Renewal): Promise<Lease> {
    const node = await this.d.registry.store.get("nodes", "", row.node);
    return newLease(row.node, node?.metadata.uid, this.d.leaseDurationSeconds, row.renewed);
  }
}
