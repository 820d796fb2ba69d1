// How the scheduler reads the cluster: list once, then follow the change log
// (an informer's list + watch, over D1). Following the log costs one D1 round
// trip per refresh whatever the cluster size, where re-listing every node and pod
// on every wake-up would cost a full scan each time, the first thing to break at
// a thousand nodes.

import type { ObjectStore } from "../store/store";
import type { KubeObject, Node, PersistentVolumeClaim, Pod } from "../model/types";
import type { PodDisruptionBudget } from "../model/policy-types";
import { PDB_RESOURCE } from "../model/disruption-budget";

/** The resources whose changes the scheduler follows (claims for VolumeBinding, budgets for preemption). */
const WATCHED = ["pods", "nodes", "persistentvolumeclaims", PDB_RESOURCE];
/** Rows per read; a refresh loops until a short page. */
const PAGE = 1_000;

interface ListedCluster {
  nodes: Node[];
  pods: Pod[];
  claims: PersistentVolumeClaim[];
  budgets: PodDisruptionBudget[];
  /** Changes after this revision are not in the list. */
  rv: number;
}

interface WatchedChange {
  rv: number;
  resource: "pods" | "nodes" | "persistentvolumeclaims" | typeof PDB_RESOURCE;
  deleted: boolean;
  object: KubeObject;
}

export async function listCluster(store: ObjectStore): Promise<ListedCluster> {
  // Read the revision first: the lists may include later writes, which the change
  // log then repeats; applying a change twice is harmless (changes replace by key).
  const { rv } = await store.revision();
  const [nodes, pods, claims, budgets] = await Promise.all([store.list("nodes"), store.list("pods"), store.list("persistentvolumeclaims"), store.list(PDB_RESOURCE)]);
  return { nodes: nodes.items as Node[], pods: pods.items as Pod[], claims: claims.items as PersistentVolumeClaim[], budgets: budgets.items as PodDisruptionBudget[], rv };
}

/**
 * Pod and node changes after `sinceRv`, oldest first, or "expired" when the log was
 * compacted past it or the database is not the one listed (then only a relist is right).
 */
export async function readChanges(store: ObjectStore, sinceRv: number): Promise<WatchedChange[] | "expired"> {
  const out: WatchedChange[] = [];
  let cursor = sinceRv;
  for (;;) {
    // One round trip, one transaction: the compaction check and the rows agree.
    // The snapshot keeps its own copies: no previous bodies (half the bytes of a page).
    const { revision, changes: rows } = await store.changePage(WATCHED, cursor, PAGE, { prev: false });
    // Compacted past us, or the revision went backwards (a restored or replaced database).
    if (cursor < revision.compactedRv || revision.rv < cursor) return "expired";
    for (const r of rows) out.push({ rv: r.rv, resource: r.resource as WatchedChange["resource"], deleted: r.type === "DELETED", object: r.object });
    if (rows.length < PAGE) return out;
    cursor = rows[rows.length - 1].rv;
  }
}
