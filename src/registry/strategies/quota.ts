// ResourceQuotas (pkg/registry/core/resourcequota: status through its subresource) and
// the LimitRanger admission in front of pods and claims. A new quota, or one whose
// spec.hard changed, gets its status at once from a recount, so the quota admission
// never meets a quota whose usage is unknown (upstream refuses with "status unknown
// for quota" until the controller has counted).
import type { PersistentVolumeClaim, Pod } from "../../model/types";
import type { LimitRange, ResourceQuota } from "../../model/quota-types";
import { limitClaim, limitPod } from "../../model/limit-ranger";
import { forbidden } from "../../model/errors";
import type { ObjectStore } from "../../store/store";
import { qosClass } from "../defaults";
import { forgetQuotaFree, recountQuota } from "../quota-admission";
import { validateResourceQuota } from "../../model/validate-quota";
import type { AdmissionMemo, ResourceStrategy } from "./types";
import { snapshotList } from "../admission-snapshot";

function sameHard(a: ResourceQuota, b: ResourceQuota): boolean {
  return JSON.stringify(a.spec?.hard ?? {}) === JSON.stringify(b.spec?.hard ?? {});
}

export const resourceQuotaStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => {
    delete obj.status;
  },
  admit: async (obj, old, store, now) => {
    const quota = obj as ResourceQuota;
    forgetQuotaFree(quota.metadata.namespace ?? "");
    if (old && sameHard(quota, old as ResourceQuota) && JSON.stringify(quota.spec?.scopes) === JSON.stringify((old as ResourceQuota).spec?.scopes)) return;
    // An invalid spec is refused by validation next: nothing to count.
    if (validateResourceQuota(quota).length) return;
    quota.status = await recountQuota(store, quota, now);
  },
};

/** The namespace's LimitRanges by name; from the isolate's snapshot when `memo` allows one (admission-snapshot.ts). */
async function limitRanges(store: ObjectStore, namespace: string | undefined, memo?: AdmissionMemo): Promise<LimitRange[]> {
  if (!namespace) return [];
  const items = (await snapshotList(store, "limitranges", namespace, memo)) as LimitRange[];
  return [...items].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
}

/** LimitRanger on a new pod: defaults from the namespace's LimitRanges, then their constraints (pod updates cannot change resources). */
export async function admitPodLimits(obj: Pod, store: ObjectStore, memo?: AdmissionMemo): Promise<void> {
  const ranges = await limitRanges(store, obj.metadata.namespace, memo);
  if (!ranges.length) return;
  const refused = limitPod(obj, ranges);
  if (refused) throw forbidden(`pods "${obj.metadata.name}" is forbidden: ${refused}`, { name: obj.metadata.name, kind: "pods" });
  // Defaults may have moved the pod out of BestEffort.
  if (obj.status && typeof obj.status === "object") (obj.status as { qosClass?: string }).qosClass = qosClass(obj.spec);
}

/** LimitRanger on a claim's create and update: its storage request within min and max. */
export async function admitClaimLimits(obj: PersistentVolumeClaim, store: ObjectStore): Promise<void> {
  const ranges = await limitRanges(store, obj.metadata.namespace);
  const refused = ranges.length ? limitClaim(obj, ranges) : undefined;
  if (refused) throw forbidden(`persistentvolumeclaims "${obj.metadata.name}" is forbidden: ${refused}`, { name: obj.metadata.name, kind: "persistentvolumeclaims" });
}
