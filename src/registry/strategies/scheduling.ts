// PriorityClasses (pkg/registry/scheduling/priorityclass) and the Priority admission
// plugin in front of pods and classes (plugin/pkg/admission/priority): a pod's
// priorityClassName becomes its spec.priority and spec.preemptionPolicy at creation
// (the globalDefault class, or 0, when it names none), and at most one class may be
// the cluster's default.
import type { KubeObject, Pod, PriorityClass } from "../../model/types";
import { forbidden } from "../../model/errors";
import { DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, defaultPriorityClassOf, isSystemPriorityClassName } from "../../model/priority";
import type { ObjectStore } from "../../store/store";
import type { AdmissionMemo, ResourceStrategy } from "./types";
import { snapshotList } from "../admission-snapshot";

const CLASSES = "priorityclasses.scheduling.k8s.io";

/**
 * Every class, read once per batch: a controller creating hundreds of pods in one
 * commit costs one read, not one per pod; between writes from the isolate's snapshot,
 * which the write's batch checks (admission-snapshot.ts). Classes are few (two system
 * ones and a handful of a user's).
 */
async function listClasses(store: ObjectStore, memo?: AdmissionMemo): Promise<PriorityClass[]> {
  const held = memo?.get(CLASSES) as PriorityClass[] | undefined;
  if (held) return held;
  const classes = (await snapshotList(store, CLASSES, "", memo)) as PriorityClass[];
  memo?.set(CLASSES, classes);
  return classes;
}

function podForbidden(pod: Pod, message: string) {
  const name = pod.metadata.name ?? "";
  return forbidden(`pods "${name}" is forbidden: ${message}`, { name, kind: "pods" });
}

/** The Priority admission plugin on a pod's create. */
export async function admitPodPriority(pod: Pod, store: ObjectStore, memo?: AdmissionMemo): Promise<void> {
  const spec = pod.spec;
  const classes = await listClasses(store, memo);
  let priority: number;
  let policy: string;
  if (!spec.priorityClassName) {
    const def = defaultPriorityClassOf(classes);
    if (def) spec.priorityClassName = def.metadata.name;
    priority = def?.value ?? DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
    policy = def?.preemptionPolicy ?? "PreemptLowerPriority";
  } else {
    const pc = classes.find((c) => c.metadata.name === spec.priorityClassName);
    if (!pc) throw podForbidden(pod, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy ?? "PreemptLowerPriority";
  }
  if (typeof spec.priority === "number" && spec.priority !== priority) {
    throw podForbidden(pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (spec.preemptionPolicy != null && spec.preemptionPolicy !== policy) {
    throw podForbidden(pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = policy;
}

/** A second globalDefault class is refused, on create and when an update marks another class. */
async function admitPriorityClass(pc: PriorityClass, old: PriorityClass | undefined, store: ObjectStore, memo?: AdmissionMemo): Promise<void> {
  if (!pc.globalDefault) return;
  const def = defaultPriorityClassOf(await listClasses(store, memo));
  if (!def || (old && def.metadata.name === pc.metadata.name)) return;
  const name = pc.metadata.name ?? "";
  throw forbidden(`priorityclasses.scheduling.k8s.io "${name}" is forbidden: PriorityClass ${def.metadata.name} is already marked as default. Only one default can exist`, {
    name,
    group: "scheduling.k8s.io",
    kind: "priorityclasses",
  });
}

export const priorityClassStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => {
    // SetDefaults_PriorityClass.
    (obj as PriorityClass).preemptionPolicy ??= "PreemptLowerPriority";
    // value is an int32 the protobuf encoder leaves out when 0.
    (obj as PriorityClass).value ??= 0;
  },
  prepareForUpdate: (next, old) => {
    (next as PriorityClass).preemptionPolicy ??= (old as PriorityClass).preemptionPolicy;
  },
  // The system classes are kept: pods of the cluster's own components name them.
  checkDelete: (_namespace, name) => {
    if (isSystemPriorityClassName(name)) {
      throw forbidden(`priorityclasses.scheduling.k8s.io "${name}" is forbidden: this is a system priority class and cannot be deleted`, {
        name,
        group: "scheduling.k8s.io",
        kind: "priorityclasses",
      });
    }
  },
  admit: (obj: KubeObject, old: KubeObject | undefined, store: ObjectStore, _now: number, memo?: AdmissionMemo) =>
    admitPriorityClass(obj as PriorityClass, old as PriorityClass | undefined, store, memo),
};
