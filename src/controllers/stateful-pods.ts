// What makes a pod a StatefulSet's pod (upstream statefulset/stateful_set_utils.go): its
// ordinal and the name made from it, its hostname and subdomain, the labels that name
// it and its revision, one volume per claim template pointing at its own claim, and the
// claims themselves (`<template>-<set>-<ordinal>`). Pure functions of the set.
import type { KubeObject, LabelSelector, OwnerReference, Pod, PodSpec, PodTemplateSpec, StatefulSet } from "../model/types";
import { isPodReady, isPodAvailable } from "./pod-state";

/** apps.StatefulSetPodNameLabel: lets a Service select one pod of the set. */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** apps.PodIndexLabel: the pod's ordinal. */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
/** apps.StatefulSetRevisionLabel: for StatefulSets the revision's name (`web-5d8bc6d7b6`). */
export const REVISION_LABEL = "controller-revision-hash";

const STATEFUL_POD = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: `web-2` is ordinal 2 of `web`; -1 when the name has no ordinal. */
export function parentAndOrdinal(name: string | undefined): { parent: string; ordinal: number } {
  const m = STATEFUL_POD.exec(name ?? "");
  if (!m) return { parent: "", ordinal: -1 };
  const ordinal = Number(m[2]);
  // ParseInt(…, 10, 32): an ordinal that does not fit an int32 is no ordinal.
  return { parent: m[1], ordinal: ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata.name).ordinal;
}

export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata.name}-${ordinal}`;

export const claimName = (template: string, set: StatefulSet, ordinal: number) => `${template}-${set.metadata.name}-${ordinal}`;

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** getEndOrdinal: the last ordinal in range (start - 1 with no replicas). */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + (set.spec.replicas ?? 1) - 1;
}

export function revisionOf(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? "";
}

/** isCreated: the API server gave it a phase. */
export const isCreated = (pod: Pod) => !!pod.status?.phase;
export const isTerminating = (pod: Pod) => !!pod.metadata.deletionTimestamp;
export const isRunningAndReady = (pod: Pod) => pod.status?.phase === "Running" && isPodReady(pod);
export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, now: number) => isRunningAndReady(pod) && isPodAvailable(pod, minReadySeconds, now);
export const isHealthy = (pod: Pod) => isRunningAndReady(pod) && !isTerminating(pod);

/** isUnavailable: not healthy, or not yet ready for minReadySeconds. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isHealthy(pod) || !isRunningAndAvailable(pod, minReadySeconds, now);
}

/**
 * The pod's spec: the template's, with its hostname and subdomain (initIdentity) and,
 * for each claim template, a volume of that name on the pod's own claim, replacing a
 * template volume of the same name (updateStorage).
 */
export function statefulPodSpec(set: StatefulSet, template: PodTemplateSpec, ordinal: number): PodSpec {
  // The template's spec is not validated with the set (see validate-statefulset): the pod's create refuses a bad one.
  const spec = structuredClone(template.spec ?? { containers: [] });
  spec.hostname = podName(set, ordinal);
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = (set.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name ?? "");
  if (claims.length) {
    const own = claims.map((name) => ({ name, persistentVolumeClaim: { claimName: claimName(name, set, ordinal) } }));
    spec.volumes = [...own, ...(spec.volumes ?? []).filter((v) => !claims.includes(v.name))];
  }
  return spec;
}

/** The labels a pod of the set carries on top of its template's. */
export function statefulPodLabels(set: StatefulSet, ordinal: number, revision: string): Record<string, string> {
  return { [POD_NAME_LABEL]: podName(set, ordinal), [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision };
}

function ownerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/**
 * getPersistentVolumeClaims: the claims of ordinal `ordinal`, from the templates, labelled
 * with the set's matchLabels. With whenDeleted: Delete the set owns them, so the garbage
 * collector removes them with it; Retain (the default) leaves them unowned.
 */
export function statefulClaims(set: StatefulSet, ordinal: number): KubeObject[] {
  const selector: LabelSelector | undefined = set.spec.selector;
  const ownedBySet = set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete";
  return (set.spec.volumeClaimTemplates ?? []).map((t) => {
    const meta = t.metadata;
    const claim: KubeObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName(meta.name ?? "", set, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(meta.labels ?? {}), ...(selector?.matchLabels ?? {}) },
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
        ...(ownedBySet ? { ownerReferences: [ownerRef(set)] } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    };
    return claim;
  });
}
