// StatefulSets (k8s.io/kubernetes/pkg/apis/apps/validation ValidateStatefulSetSpec and
// ValidateStatefulSetUpdate): the selector against the template's labels, the update
// strategy and pod management policy, the claim templates, and on update a spec that
// may change only in replicas, ordinals, template, updateStrategy,
// persistentVolumeClaimRetentionPolicy and minReadySeconds. The pod template's spec is
// not validated here, as upstream: its volume mounts name claim templates, which only
// become volumes on the pods (each pod is validated when it is created).
import type { StatefulSet, StatefulSetSpec, StatusCause } from "./types";
import { GoRepr, child, forbidden, index, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { goLabelSelector, goStringMap } from "./go-format";
import { matchesLabels, selectorFromLabelSelector } from "./label-selector";
import { nameIsDNS1035Label, nameIsDNSSubdomain } from "./name-rules";
import { validateAnnotations, validateLabels } from "./validate-meta";
import { jsonEqual } from "./validate-pod";
import { validatePositiveIntOrPercent, validateSelector } from "./validate-workloads";

export const STATEFULSET_SPEC_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** ValidatePodTemplateSpecForStatefulSet: labels against the selector, metadata, restartPolicy, no deadline. */
function validateTemplate(spec: StatefulSetSpec, path: string): StatusCause[] {
  const template = spec.template;
  if (!template) return [required(path)];
  let reqs;
  try {
    reqs = selectorFromLabelSelector(spec.selector);
  } catch {
    return [invalidField("spec.selector", new GoRepr(goLabelSelector(spec.selector)), "")];
  }
  const errs: StatusCause[] = [];
  const labels = template.metadata?.labels;
  if (reqs !== null && reqs.length > 0 && !matchesLabels(reqs, labels ?? {})) {
    errs.push(invalidField(child(path, "metadata", "labels"), new GoRepr(goStringMap(labels)), "`selector` does not match template `labels`"));
  }
  errs.push(...validateLabels(labels, child(path, "labels")));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(path, "annotations")));
  const rp = template.spec?.restartPolicy;
  if (rp !== undefined && rp !== "Always") errs.push(notSupported(child(path, "spec", "restartPolicy"), rp, ["Always"]));
  const ads = template.spec?.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) errs.push(forbidden(child(path, "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"));
  return errs;
}

/** The strategy after defaulting (RollingUpdate with partition 0 unless said otherwise). */
function validateUpdateStrategy(strategy: StatefulSetSpec["updateStrategy"], path: string): StatusCause[] {
  const type = strategy?.type ?? "";
  const ruPath = child(path, "rollingUpdate");
  switch (type) {
    case "":
      return [required(path)];
    case "OnDelete":
      return strategy?.rollingUpdate ? [invalidField(ruPath, new GoRepr("&apps.RollingUpdateStatefulSetStrategy{...}"), "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case "RollingUpdate": {
      const ru = strategy?.rollingUpdate;
      if (!ru) return [];
      const errs = nonNegative(ru.partition, child(ruPath, "partition"));
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(ruPath, "maxUnavailable")));
      return errs;
    }
    default:
      return [invalidField(path, new GoRepr(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

const RETENTION = ["Delete", "Retain"];

function validateRetention(policy: StatefulSetSpec["persistentVolumeClaimRetentionPolicy"], path: string): StatusCause[] {
  if (!policy) return [];
  const errs: StatusCause[] = [];
  for (const key of ["whenDeleted", "whenScaled"] as const) {
    const v = policy[key];
    if (v !== undefined && !RETENTION.includes(v)) errs.push(notSupported(child(path, key), v, RETENTION));
  }
  return errs;
}

/** Each claim template needs a name usable in `<template>-<set>-<ordinal>`, and distinct names. */
function validateClaimTemplates(spec: StatefulSetSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const name = t?.metadata?.name;
    const namePath = child(index(path, i), "metadata", "name");
    if (!name) errs.push(required(namePath, "name or generateName is required"));
    else {
      for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalidField(namePath, name, msg));
      if (seen.has(name)) errs.push(invalidField(namePath, name, "must be unique among volumeClaimTemplates"));
      seen.add(name);
    }
  });
  return errs;
}

export function validateStatefulSetSpec(spec: StatefulSetSpec): StatusCause[] {
  const errs: StatusCause[] = [];
  const policy = spec.podManagementPolicy ?? "";
  if (policy === "") errs.push(required("spec.podManagementPolicy"));
  else if (policy !== "OrderedReady" && policy !== "Parallel") errs.push(invalidField("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, "spec.updateStrategy"));
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, "spec.ordinals.start"));
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  errs.push(...validateRetention(spec.persistentVolumeClaimRetentionPolicy, "spec.persistentVolumeClaimRetentionPolicy"));
  if (spec.serviceName) for (const msg of nameIsDNS1035Label(spec.serviceName, false)) errs.push(invalidField("spec.serviceName", spec.serviceName, msg));
  errs.push(...validateSelector(spec.selector, "spec.selector", "statefulset"));
  errs.push(...validateTemplate(spec, "spec.template"));
  errs.push(...validateClaimTemplates(spec, "spec.volumeClaimTemplates"));
  return errs;
}

/** The spec with every field an update may change taken from `from`. */
function withMutableFrom(spec: StatefulSetSpec, from: StatefulSetSpec): StatefulSetSpec {
  const { replicas, template, updateStrategy, minReadySeconds, ordinals, persistentVolumeClaimRetentionPolicy } = from;
  return { ...spec, replicas, template, updateStrategy, minReadySeconds, ordinals, persistentVolumeClaimRetentionPolicy };
}

const dropUndefined = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as unknown;

export function validateStatefulSet(sts: StatefulSet, old?: StatefulSet): StatusCause[] {
  const spec = sts.spec ?? ({} as StatefulSetSpec);
  const errs = validateStatefulSetSpec(spec);
  if (old) {
    const before = old.spec ?? ({} as StatefulSetSpec);
    // The selector, serviceName, claim templates and policy are fixed: one message for all, as upstream.
    if (!jsonEqual(dropUndefined(withMutableFrom(spec, before)), dropUndefined(before))) errs.push(forbidden("spec", STATEFULSET_SPEC_FORBIDDEN));
  }
  return errs;
}
