// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding), for the model's
// storage: every persistentVolumeClaim the pod mounts must exist, not be going away,
// and be bound before the pod is placed. The model's volumes are network storage that
// attaches on any node, so once the claims are bound every node passes the filter.
// The scheduler keeps the claims in its view (informer.ts) and hands this pod's
// lookups over in the cycle state.
import type { PersistentVolumeClaim, Pod } from "../../model/types";
import { type CycleState, type FilterPlugin, type NodeInfo, type Status, success, unresolvable } from "../framework";
import { VolumeBindingName } from "./names";

/** CycleState key: the scheduler's claims, "namespace/name" -> claim. */
export const CLAIMS_STATE_KEY = "VolumeBinding/claims";

export const ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";

export class VolumeBinding implements FilterPlugin {
  readonly name = VolumeBindingName;

  preFilter(state: CycleState, pod: Pod): Status {
    const names = (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
    if (!names.length) return success();
    const claims = state.read<ReadonlyMap<string, PersistentVolumeClaim>>(CLAIMS_STATE_KEY) ?? new Map<string, PersistentVolumeClaim>();
    const ns = pod.metadata.namespace ?? "default";
    let unbound = false;
    for (const name of names) {
      const pvc = claims.get(`${ns}/${name}`);
      if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (!pvc.spec?.volumeName) unbound = true;
    }
    return unbound ? unresolvable(ErrReasonUnboundImmediate) : success();
  }

  filter(_state: CycleState, _pod: Pod, _ni: NodeInfo): Status {
    return success();
  }
}
