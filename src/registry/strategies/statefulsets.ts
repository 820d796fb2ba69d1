// StatefulSets (pkg/registry/apps/statefulset/strategy.go): defaulted on every write
// (the API server decodes each body with defaulting), an empty status on create, and a
// generation that moves with the spec.
import type { StatefulSet } from "../../model/types";
import { defaultStatefulSetSpec } from "../defaults";
import type { ResourceStrategy } from "./types";

export const statefulSetStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    const sts = obj as StatefulSet;
    defaultStatefulSetSpec(sts);
    // replicas and availableReplicas are written even when 0 (no omitempty in apps/v1).
    sts.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate: (next) => defaultStatefulSetSpec(next as StatefulSet),
};
