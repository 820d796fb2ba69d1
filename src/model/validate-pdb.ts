// PodDisruptionBudgets (k8s.io/kubernetes/pkg/apis/policy/validation): minAvailable or
// maxUnavailable, never both, each a non-negative count or a percentage up to 100%; a
// valid selector; a known unhealthyPodEvictionPolicy; a status with no negative counts
// and well-formed conditions.
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus, StatusCause } from "./types";
import { GoRepr, child, index, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { goLabelSelector } from "./go-format";
import { validateLabelSelector } from "./validate-meta";
import { PERCENT, intOrPercentValue, validatePositiveIntOrPercent } from "./validate-workloads";

const POLICIES = ["AlwaysAllow", "IfHealthyBudget"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];

/** %#v of an *intstr.IntOrString as the both-set message prints the spec. */
const goIntOrString = (v: number | string | undefined) =>
  v === undefined || v === null ? "(*intstr.IntOrString)(nil)" : typeof v === "number" ? `&intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}` : `&intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;

function goSpec(spec: PodDisruptionBudgetSpec): string {
  const sel = spec.selector ? `&${goLabelSelector(spec.selector)}` : "(*v1.LabelSelector)(nil)";
  const policy = spec.unhealthyPodEvictionPolicy ? `&${JSON.stringify(spec.unhealthyPodEvictionPolicy)}` : "(*policy.UnhealthyPodEvictionPolicyType)(nil)";
  return `policy.PodDisruptionBudgetSpec{MinAvailable:${goIntOrString(spec.minAvailable)}, Selector:${sel}, MaxUnavailable:${goIntOrString(spec.maxUnavailable)}, UnhealthyPodEvictionPolicy:${policy}}`;
}

/** IsNotMoreThan100Percent. */
function notMoreThan100Percent(v: number | string | undefined, path: string): StatusCause[] {
  if (typeof v !== "string" || !PERCENT.test(v) || intOrPercentValue(v) <= 100) return [];
  return [invalidField(path, new GoRepr(v), "must not be greater than 100%")];
}

const isSet = (v: unknown) => v !== undefined && v !== null;

export function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec, path = "spec"): StatusCause[] {
  const errs: StatusCause[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(invalidField(path, new GoRepr(goSpec(spec)), "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const field of ["minAvailable", "maxUnavailable"] as const) {
    const v = spec[field];
    if (!isSet(v)) continue;
    errs.push(...validatePositiveIntOrPercent(v, child(path, field)), ...notMoreThan100Percent(v, child(path, field)));
  }
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, child(path, "selector")));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !POLICIES.includes(policy as string)) errs.push(notSupported(child(path, "unhealthyPodEvictionPolicy"), policy, POLICIES));
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1): conditions, then no negative counts. */
export function validatePodDisruptionBudgetStatus(status: PodDisruptionBudgetStatus | undefined, path = "status"): StatusCause[] {
  if (!status) return [];
  const errs: StatusCause[] = [];
  (status.conditions ?? []).forEach((c, i) => {
    const p = index(child(path, "conditions"), i);
    if (!c.type) errs.push(required(child(p, "type")));
    if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(child(p, "status"), c.status, CONDITION_STATUSES));
    if (typeof c.observedGeneration === "number") errs.push(...nonNegative(c.observedGeneration, child(p, "observedGeneration")));
    if (!c.lastTransitionTime) errs.push(required(child(p, "lastTransitionTime"), "must be set"));
    if (!c.reason) errs.push(required(child(p, "reason")));
  });
  for (const field of ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] as const) {
    if (typeof status[field] === "number") errs.push(...nonNegative(status[field], child(path, field)));
  }
  return errs;
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): StatusCause[] {
  const spec = pdb.spec ?? {};
  return [...validatePodDisruptionBudgetSpec(spec), ...validatePodDisruptionBudgetStatus(pdb.status)];
}
