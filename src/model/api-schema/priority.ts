// Pod priority: the classes that give pods their priority and say whether they may
// preempt others.
import { def, typeMeta, str, bool, int32, type Definition } from "./dsl";

export const PRIORITY_DEFINITIONS: Definition[] = [
  def(
    "io.k8s.api.scheduling.v1.PriorityClass",
    "A PriorityClass maps a name to a priority value. A pod names its class in spec.priorityClassName and gets the class's value as spec.priority when it is created. The scheduler places higher-priority pods first and, when no node has room, may preempt (evict) lower-priority pods to make room.",
    {
      ...typeMeta(),
      value: int32("The priority of pods of this class; higher is more important. At most 1000000000 for a user's class; values above are reserved for the system classes. Cannot be changed."),
      globalDefault: bool("Whether pods that name no class get this one. Only one class may be the default."),
      description: str("What the class is for, for people."),
      preemptionPolicy: str("Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority (the default) or Never (they wait in the queue, ahead of lower-priority pods, until room appears). Cannot be changed.", ["Never", "PreemptLowerPriority"]),
    },
    { gvk: { group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass" }, required: ["value"] },
  ),
];
