// PriorityClass validation (pkg/apis/scheduling/validation), in the API server's
// words: the system- prefix is reserved for the two system classes as they are, a
// user's class stays at or below one billion, and value and preemptionPolicy never
// change after creation.
import type { PriorityClass, StatusCause } from "./types";
import { forbidden, invalidField, notSupported, required } from "./field-errors";
import { HIGHEST_USER_DEFINABLE_PRIORITY, PREEMPTION_POLICIES, SYSTEM_PRIORITY_CLASS_PREFIX, systemPriorityClassError } from "./priority";

/** ValidatePreemptionPolicy, shared with the pod's spec.preemptionPolicy. */
export function validatePreemptionPolicy(policy: string | null | undefined, path: string): StatusCause[] {
  if (policy === undefined || policy === null) return [];
  if (policy === "") return [required(path, "")];
  return (PREEMPTION_POLICIES as readonly string[]).includes(policy) ? [] : [notSupported(path, policy, ["PreemptLowerPriority", "Never"])];
}

export function validatePriorityClass(pc: PriorityClass, old?: PriorityClass): StatusCause[] {
  const errs: StatusCause[] = [];
  const name = pc.metadata.name ?? "";
  const value = pc.value ?? 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = systemPriorityClassError({ metadata: pc.metadata, value, globalDefault: pc.globalDefault });
    if (err) errs.push(forbidden("metadata.name", `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, "preemptionPolicy"));
  if (old) {
    if (value !== (old.value ?? 0)) errs.push(forbidden("value", "may not be changed in an update."));
    if ((pc.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) errs.push(invalidField("preemptionPolicy", pc.preemptionPolicy ?? null, "field is immutable"));
  }
  return errs;
}
