// ReplicationControllers (k8s.io/kubernetes/pkg/apis/core/validation,
// ValidateReplicationControllerSpec and ValidatePodTemplateSpecForRC): an
// equality-based selector that must not be empty and must match the template's
// labels. Unlike a ReplicaSet's, the selector may change after creation.
import type { ReplicationController, ReplicationControllerSpec, StatusCause } from "./types";
import { GoRepr, child, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { goStringMap } from "./go-format";
import { validateAnnotations, validateLabels } from "./validate-meta";
import { validatePodSpec } from "./validate-pod";

/** The selector's pairs all present in `labels` (labels.SelectorFromSet(...).Matches). */
function mapMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function validateTemplateForRC(spec: ReplicationControllerSpec, path: string): StatusCause[] {
  const template = spec.template;
  if (!template) return [required(path)];
  const errs: StatusCause[] = [];
  const selector = spec.selector ?? {};
  const labels = template.metadata?.labels;
  if (Object.keys(selector).length > 0 && !mapMatches(selector, labels)) {
    errs.push(invalidField(child(path, "metadata", "labels"), new GoRepr(goStringMap(labels)), "`selector` does not match template `labels`"));
  }
  errs.push(...validateLabels(labels, child(path, "labels")));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(path, "annotations")));
  errs.push(...validatePodSpec(template.spec, child(path, "spec")));
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== "Always") errs.push(notSupported(child(path, "spec", "restartPolicy"), rp, ["Always"]));
  const ads = template.spec?.activeDeadlineSeconds as number | undefined | null;
  if (ads !== undefined && ads !== null) errs.push(invalidField(child(path, "spec", "activeDeadlineSeconds"), ads, "must not be specified"));
  return errs;
}

export function validateReplicationController(rc: ReplicationController): StatusCause[] {
  const spec = rc.spec ?? ({} as ReplicationControllerSpec);
  const errs: StatusCause[] = [];
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  if (Object.keys(spec.selector ?? {}).length === 0) errs.push(required("spec.selector"));
  else errs.push(...validateLabels(spec.selector, "spec.selector"));
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...validateTemplateForRC(spec, "spec.template"));
  return errs;
}
