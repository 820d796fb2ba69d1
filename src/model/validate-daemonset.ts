// DaemonSets and ControllerRevisions (k8s.io/kubernetes/pkg/apis/apps/validation):
// the selector against the template's labels, the pod template (restartPolicy Always
// only), the update strategy with exactly one of maxUnavailable and maxSurge non-zero,
// a selector that never changes, and a revision's data that never changes.
import type { ControllerRevision, DaemonSet, DaemonSetSpec, StatusCause } from "./types";
import { GoRepr, child, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { jsonEqual } from "./validate-pod";
import { PERCENT, intOrPercentValue, selectorImmutable, validatePositiveIntOrPercent, validateSelector, validateTemplate } from "./validate-workloads";

type IntOrString = number | string | undefined;

/** IsNotMoreThan100Percent. */
function notMoreThan100Percent(v: IntOrString, path: string): StatusCause[] {
  if (typeof v !== "string" || !PERCENT.test(v) || intOrPercentValue(v) <= 100) return [];
  return [invalidField(path, new GoRepr(v), "must not be greater than 100%")];
}

/** An IntOrString prints unquoted (its String method); nil as null. */
const intOrStringRepr = (v: IntOrString) => (v === undefined || v === null ? null : new GoRepr(String(v)));

/** ValidateRollingUpdateDaemonSet: both non-negative, neither above 100%, exactly one non-zero. */
function validateRollingUpdate(ru: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, path: string): StatusCause[] {
  const unavailablePath = child(path, "maxUnavailable");
  const surgePath = child(path, "maxSurge");
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, unavailablePath),
    ...validatePositiveIntOrPercent(ru.maxSurge, surgePath),
    ...notMoreThan100Percent(ru.maxUnavailable, unavailablePath),
    ...notMoreThan100Percent(ru.maxSurge, surgePath),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalidField(surgePath, intOrStringRepr(ru.maxSurge), "may not be set when maxUnavailable is non-zero"));
  if (!hasUnavailable && !hasSurge) errs.push(required(unavailablePath, "cannot be 0 when maxSurge is 0"));
  return errs;
}

/** ValidateDaemonSetUpdateStrategy (after defaulting: type RollingUpdate, maxUnavailable 1). */
function validateUpdateStrategy(strategy: DaemonSetSpec["updateStrategy"], path: string): StatusCause[] {
  const type = strategy?.type;
  if (type === "OnDelete") return [];
  if (type === "RollingUpdate") {
    const ru = strategy?.rollingUpdate;
    return ru ? validateRollingUpdate(ru, child(path, "rollingUpdate")) : [required(child(path, "rollingUpdate"), "")];
  }
  return [notSupported(child(path, "type"), type ?? "", ["OnDelete", "RollingUpdate"])];
}

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): StatusCause[] {
  const spec = ds.spec ?? ({} as DaemonSetSpec);
  const errs: StatusCause[] = [];
  errs.push(...validateSelector(spec.selector, "spec.selector", "daemonset"));
  errs.push(...validateTemplate(spec.selector, spec.template, "spec.template", "spec.selector", "DaemonSet"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, "spec.updateStrategy"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (old) errs.push(...selectorImmutable(spec.selector, old.spec?.selector));
  return errs;
}

/** ValidateControllerRevision(Update): data is mandatory, the revision non-negative, data immutable. */
export function validateControllerRevision(cr: ControllerRevision, old?: ControllerRevision): StatusCause[] {
  const errs: StatusCause[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(required("data", "data is mandatory"));
  errs.push(...nonNegative(cr.revision, "revision"));
  if (old && !jsonEqual(cr.data ?? null, old.data ?? null)) errs.push(invalidField("data", new GoRepr("runtime.RawExtension{...}"), "field is immutable"));
  return errs;
}
