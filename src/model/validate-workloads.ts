// Deployments and ReplicaSets (k8s.io/kubernetes/pkg/apis/apps/validation): replicas,
// selector against template labels, the pod template, rollout strategy, and the
// apps/v1 rule that a selector never changes after creation.
import type { Deployment, DeploymentSpec, LabelSelector, ReplicaSet, ReplicaSetSpec, StatusCause } from "./types";
import { GoRepr, child, forbidden, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { goLabelSelector, goStringMap } from "./go-format";
import { matchesLabels, selectorFromLabelSelector } from "./label-selector";
import { regexError } from "./name-rules";
import { validateAnnotations, validateLabelSelector, validateLabels } from "./validate-meta";
import { jsonEqual, validatePodSpec } from "./validate-pod";

type Template = DeploymentSpec["template"] | undefined;

/** Selector rules shared by the kinds (the message says "deployment" for ReplicaSets too, as upstream). */
export function validateSelector(selector: LabelSelector | undefined, path: string, kind = "deployment"): StatusCause[] {
  if (!selector) return [required(path)];
  const errs = validateLabelSelector(selector, path);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(invalidField(path, new GoRepr(goLabelSelector(selector)), `empty selector is invalid for ${kind}`));
  }
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (and the same rules for DaemonSets, named in one message). */
export function validateTemplate(selector: LabelSelector | undefined, template: Template, path: string, selectorPath: string, kind = "ReplicaSet"): StatusCause[] {
  const errs: StatusCause[] = [];
  let reqs;
  try {
    reqs = selectorFromLabelSelector(selector);
  } catch {
    return [invalidField(selectorPath, new GoRepr(goLabelSelector(selector)), "invalid label selector")];
  }
  if (!template) return [required(path)];
  const labels = template.metadata?.labels;
  // A nil selector matches nothing; an empty one is reported above and skipped here.
  if ((reqs === null || reqs.length > 0) && !matchesLabels(reqs, labels ?? {})) {
    errs.push(invalidField(child(path, "metadata", "labels"), new GoRepr(goStringMap(labels)), "`selector` does not match template `labels`"));
  }
  errs.push(...validateLabels(labels, child(path, "metadata", "labels")));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(path, "metadata", "annotations")));
  errs.push(...validatePodSpec(template.spec, child(path, "spec")));
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== "Always") errs.push(notSupported(child(path, "spec", "restartPolicy"), rp, ["Always"]));
  const ads = template.spec?.activeDeadlineSeconds as number | undefined | null;
  if (ads !== undefined && ads !== null) {
    errs.push(invalidField(child(path, "spec", "activeDeadlineSeconds"), ads, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

type IntOrString = number | string | undefined;

export const PERCENT = /^[0-9]+%$/;

export function intOrPercentValue(v: IntOrString): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && PERCENT.test(v)) return Number(v.slice(0, -1));
  return 0;
}

export function validatePositiveIntOrPercent(v: IntOrString, path: string): StatusCause[] {
  if (v === undefined || v === null) return [];
  // IntOrString prints through its String method: 25% or 5, unquoted.
  if (typeof v === "string") {
    return PERCENT.test(v) ? [] : [invalidField(path, new GoRepr(v), regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"))];
  }
  return nonNegative(v, path);
}

function validateStrategy(strategy: DeploymentSpec["strategy"], path: string): StatusCause[] {
  const type = strategy?.type;
  const ru = strategy?.rollingUpdate;
  // An absent type is defaulted to RollingUpdate (and its maxSurge/maxUnavailable to 25%).
  if (type === "Recreate") {
    return ru ? [forbidden(child(path, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === undefined || type === "RollingUpdate" || (type as string) === "") {
    if (!ru) return [];
    const p = child(path, "rollingUpdate");
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, child(p, "maxUnavailable")),
      ...validatePositiveIntOrPercent(ru.maxSurge, child(p, "maxSurge")),
    ];
    const unavailable = ru.maxUnavailable ?? "25%";
    const surge = ru.maxSurge ?? "25%";
    if (intOrPercentValue(unavailable) === 0 && intOrPercentValue(surge) === 0) {
      errs.push(invalidField(child(p, "maxUnavailable"), new GoRepr(String(unavailable)), "may not be 0 when `maxSurge` is 0"));
    }
    if (typeof unavailable === "string" && PERCENT.test(unavailable) && intOrPercentValue(unavailable) > 100) {
      errs.push(invalidField(child(p, "maxUnavailable"), new GoRepr(unavailable), "must not be greater than 100%"));
    }
    return errs;
  }
  // Upstream reports the whole strategy struct, printed with %#v.
  const ruText = ru ? "&apps.RollingUpdateDeployment{...}" : "(*apps.RollingUpdateDeployment)(nil)";
  return [notSupported(path, new GoRepr(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${ruText}}`), ["Recreate", "RollingUpdate"])];
}

export function selectorImmutable(next: LabelSelector | undefined, old: LabelSelector | undefined): StatusCause[] {
  if (jsonEqual(next ?? null, old ?? null)) return [];
  // A nil pointer prints as null; a set selector through %#v of its value.
  return [invalidField("spec.selector", next ? new GoRepr(goLabelSelector(next)) : null, "field is immutable")];
}

export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  const spec = d.spec ?? ({} as DeploymentSpec);
  const errs: StatusCause[] = [];
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...validateSelector(spec.selector, "spec.selector"));
  errs.push(...validateTemplate(spec.selector, spec.template, "spec.template", "spec.selector"));
  errs.push(...validateStrategy(spec.strategy, "spec.strategy"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (typeof spec.progressDeadlineSeconds === "number") {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalidField("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
    }
  }
  if (old) errs.push(...selectorImmutable(spec.selector, old.spec?.selector));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): StatusCause[] {
  const spec = rs.spec ?? ({} as ReplicaSetSpec);
  const errs: StatusCause[] = [];
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...validateSelector(spec.selector, "spec.selector"));
  errs.push(...validateTemplate(spec.selector, spec.template, "spec.template", "spec.selector"));
  if (old) errs.push(...selectorImmutable(spec.selector, old.spec?.selector));
  return errs;
}
