// A DaemonSet's revision history (upstream daemon/update.go constructHistory and
// cleanupHistory) as a pure function: the ControllerRevision for the current template
// (found and moved to the newest revision number, or made), duplicates and revisions
// beyond spec.revisionHistoryLimit to delete, and the hash that names the current
// revision on pods. `kubectl rollout history|undo ds` read and apply these revisions.
import type { ControllerRevision, DaemonSet, Pod } from "../model/types";
import { jsonEqual } from "../model/validate-pod";
import { canonicalJson, hashRevisionData } from "./hash";
import { newControllerRef } from "./pod-state";
import { REVISION_HASH_LABEL } from "./daemon-pods";

export interface HistoryPlan {
  /** The hash of the current revision (pods carry it in controller-revision-hash). */
  hash: string;
  /** The current revision to create, when no existing one holds this template. */
  create?: ControllerRevision;
  /** Existing revisions to write (the current one moved to the newest number). */
  update: ControllerRevision[];
  /** Duplicates and history beyond the limit. */
  remove: ControllerRevision[];
  /** The name the new revision needs is taken by another template: count a collision and retry. */
  collision: boolean;
}

/** getPatch: a strategic-merge patch that replaces spec.template (what `rollout undo` sends back). */
export function revisionData(ds: DaemonSet): unknown {
  // Sorted keys at every level, as Go's encoding/json writes a map.
  return JSON.parse(canonicalJson({ spec: { template: { ...ds.spec.template, $patch: "replace" } } }));
}

const byRevision = (a: ControllerRevision, b: ControllerRevision) => (a.revision ?? 0) - (b.revision ?? 0);

export function planHistory(ds: DaemonSet, revisions: ControllerRevision[], pods: Pod[]): HistoryPlan {
  const data = revisionData(ds);
  const sorted = [...revisions].sort(byRevision);
  const max = sorted.length ? (sorted[sorted.length - 1].revision ?? 0) : 0;
  const matching = sorted.filter((r) => jsonEqual(r.data ?? null, data));
  const remove: ControllerRevision[] = [];
  const update: ControllerRevision[] = [];
  let current: ControllerRevision | undefined;
  let create: ControllerRevision | undefined;
  let hash: string;

  if (matching.length) {
    // dedupCurHistories: the newest of the equal ones stays.
    current = matching[matching.length - 1];
    remove.push(...matching.slice(0, -1));
    hash = current.metadata.labels?.[REVISION_HASH_LABEL] ?? hashRevisionData(data, ds.status?.collisionCount);
    if ((current.revision ?? 0) < max) {
      const moved = structuredClone(current);
      moved.revision = max + 1;
      update.push(moved);
    }
  } else {
    hash = hashRevisionData(data, ds.status?.collisionCount);
    const name = `${ds.metadata.name}-${hash}`;
    if (revisions.some((r) => r.metadata.name === name)) return { hash, update: [], remove: [], collision: true };
    create = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        // The DaemonSet's annotations, kubernetes.io/change-cause among them (rollout history's CHANGE-CAUSE).
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds)],
      },
      data,
      revision: max + 1,
    };
  }

  // cleanupHistory: the oldest old revisions beyond the limit go, unless a live pod still runs them.
  const gone = new Set(remove.map((r) => r.metadata.name));
  const old = sorted.filter((r) => r !== current && !gone.has(r.metadata.name));
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  const live = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.labels?.[REVISION_HASH_LABEL]));
  for (const r of old) {
    if (toKill <= 0) break;
    if (live.has(r.metadata.labels?.[REVISION_HASH_LABEL])) continue;
    remove.push(r);
    toKill--;
  }
  return { hash, create, update, remove, collision: false };
}
