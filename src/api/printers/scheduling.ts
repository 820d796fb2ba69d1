// PriorityClass columns as printPriorityClass prints them: the PreemptionPolicy
// column comes after Age, and a class without one shows PreemptLowerPriority.
import type { KubeObject, PriorityClass } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const PC_COLUMNS = [
  NAME_COLUMN,
  col("Value", "integer", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
  col("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
  AGE_COLUMN,
  col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
] as const;

export const priorityClassPrinter: Printer = {
  columns: PC_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const pc = obj as PriorityClass;
    return [pc.metadata.name ?? "", pc.value ?? 0, pc.globalDefault ?? false, formatAge(pc.metadata.creationTimestamp, now), pc.preemptionPolicy ?? "PreemptLowerPriority"];
  },
};
