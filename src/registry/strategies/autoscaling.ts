// HorizontalPodAutoscalers (pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go):
// defaulted on every write, an empty status on create (the controller owns it), and a
// generation that moves when the spec does.
import type { HorizontalPodAutoscaler } from "../../model/types";
import { defaultHPA } from "../../model/hpa-defaults";
import type { ResourceStrategy } from "./types";

export const hpaStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    const hpa = obj as HorizontalPodAutoscaler;
    defaultHPA(hpa);
    hpa.status = { desiredReplicas: 0 };
  },
  prepareForUpdate: (next) => defaultHPA(next as HorizontalPodAutoscaler),
};
