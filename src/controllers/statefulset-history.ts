// A StatefulSet's revisions (upstream stateful_set_control.go getStatefulSetRevisions and
// truncateHistory) as a pure function: the update revision (the current template's: the
// newest revision when it already holds it, an older equal one moved to the newest
// number when the template went back to it, as `kubectl rollout undo` does, or a new
// one), the current revision (status.currentRevision, or the update revision at first),
// and the old revisions beyond revisionHistoryLimit that no pod runs any more.
import type { ControllerRevision, PodTemplateSpec, Pod, StatefulSet } from "../model/types";
import { jsonEqual } from "../model/validate-pod";
import { canonicalJson, hashRevisionData } from "./hash";
import { newControllerRef } from "./pod-state";
import { REVISION_LABEL, revisionOf } from "./stateful-pods";

export interface StatefulHistory {
  update: ControllerRevision;
  current: ControllerRevision;
  /** The update revision, when it is new. */
  create?: ControllerRevision;
  /** An older revision equal to the template, moved to the newest number (a rollback). */
  bump?: ControllerRevision;
  remove: ControllerRevision[];
  /** The new revision's name is another template's: count a collision, which changes the hash. */
  collision: boolean;
}

/** getPatch: a strategic-merge patch that puts the template back (what `rollout undo` applies). */
export function revisionData(set: StatefulSet): unknown {
  // Sorted keys at every level, as Go's encoding/json writes a map.
  return JSON.parse(canonicalJson({ spec: { template: { ...set.spec.template, $patch: "replace" } } }));
}

/** The pod template a revision records (ApplyRevision restricted to what it holds). */
export function revisionTemplate(revision: ControllerRevision): PodTemplateSpec {
  const t = structuredClone((revision.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined)?.spec?.template ?? { spec: { containers: [] } });
  delete t.$patch;
  return t;
}

const byRevision = (a: ControllerRevision, b: ControllerRevision) => (a.revision ?? 0) - (b.revision ?? 0);

/** history.NewControllerRevision: named `<set>-<hash>`, labelled with the template's labels and the hash. */
function newRevision(set: StatefulSet, data: unknown, revision: number): ControllerRevision {
  const hash = hashRevisionData(data, set.status?.collisionCount ?? 0);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `${(set.metadata.name ?? "").slice(0, 223)}-${hash}`,
      namespace: set.metadata.namespace,
      labels: { ...(set.spec.template.metadata?.labels ?? {}), [REVISION_LABEL]: hash },
      // kubernetes.io/change-cause among them: rollout history's CHANGE-CAUSE.
      ...(set.metadata.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set)],
    },
    data,
    revision,
  };
}

export function planStatefulHistory(set: StatefulSet, revisions: ControllerRevision[], pods: Pod[]): StatefulHistory {
  const sorted = [...revisions].sort(byRevision);
  const next = sorted.length ? (sorted[sorted.length - 1].revision ?? 0) + 1 : 1;
  const data = revisionData(set);
  const equal = sorted.filter((r) => jsonEqual(r.data ?? null, data));
  let update: ControllerRevision;
  let create: ControllerRevision | undefined;
  let bump: ControllerRevision | undefined;
  if (equal.length && equal[equal.length - 1] === sorted[sorted.length - 1]) {
    update = sorted[sorted.length - 1];
  } else if (equal.length) {
    bump = { ...structuredClone(equal[equal.length - 1]), revision: next };
    update = bump;
  } else {
    create = newRevision(set, data, next);
    const taken = sorted.find((r) => r.metadata.name === create!.metadata.name);
    if (taken) return { update: taken, current: taken, remove: [], collision: true };
    update = create;
  }
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;

  // truncateHistory: revisions no pod runs, beyond the limit, oldest first.
  const live = new Set([current.metadata.name, update.metadata.name, ...pods.map(revisionOf)]);
  const old = sorted.filter((r) => !live.has(r.metadata.name));
  const limit = set.spec.revisionHistoryLimit ?? 10;
  const remove = limit >= 0 && old.length > limit ? old.slice(0, old.length - limit) : [];
  return { update, current, create, bump, remove, collision: false };
}
