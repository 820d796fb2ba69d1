// Object validation on create and update, returning field causes in the API server's
// words (the caller wraps them with invalid() into a 422 Status). Order of checks:
// JSON types first (a body that would not decode gets nothing else), then metadata,
// then the kind's own rules, then the update rules when the old object is given.
import type { PersistentVolume, PersistentVolumeClaim, StorageClass, ClusterRole, RoleBinding, ConfigMap, ControllerRevision, CronJob, DaemonSet, Deployment, EndpointSlice, Endpoints, Event, Job, KubeObject, Lease, Namespace, Node, Pod, ReplicaSet, ReplicationController, Secret, Service, StatefulSet, StatusCause } from "./types";
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from "./name-rules";
import { structuralErrors } from "./validate-structure";
import { validateObjectMeta, validateObjectMetaUpdate, type NameFn } from "./validate-meta";
import { validatePodSpec, validatePodSpecUpdate } from "./validate-pod";
import { validateEphemeralContainersUpdate, validateNoEphemeralOnCreate } from "./validate-ephemeral";
import { validateDeployment, validateReplicaSet } from "./validate-workloads";
import { validateReplicationController } from "./validate-replicationcontroller";
import { validateControllerRevision, validateDaemonSet } from "./validate-daemonset";
import { validateStatefulSet } from "./validate-statefulset";
import { validateEvent, validateLease, validateNamespace, validateNode } from "./validate-cluster";
import { validateService, validateServiceUpdate } from "./validate-service";
import { validateEndpointSlice, validateEndpoints } from "./validate-endpoints";
import { validateCronJob, validateJob } from "./validate-batch";
import { validateRole, validateRoleBinding, nameIsPathSegment } from "./validate-rbac";
import { validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass } from "./validate-storage";
import { validateHPA } from "./validate-hpa";
import { validatePriorityClass } from "./validate-scheduling";
import type { PriorityClass } from "./types";
import { validatePodDisruptionBudget } from "./validate-pdb";
import type { PodDisruptionBudget } from "./policy-types";
import type { HorizontalPodAutoscaler } from "./autoscaling-types";
import { validateCustomResourceDefinition } from "./validate-crd";
import type { CustomResourceDefinition } from "./crd-types";
import { validateIngress, validateIngressClass } from "./validate-ingress";
import type { Ingress, IngressClass } from "./ingress-types";
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from "./validate-config";
import { validateLimitRange, validateResourceQuota } from "./validate-quota";
import type { LimitRange, ResourceQuota } from "./quota-types";

export { strictUnknownFields } from "./strict-fields";

/** Only the JSON types (the check a decoder makes before defaulting can run). */
export { structuralErrors as typeErrors } from "./validate-structure";

interface KindRules {
  namespaced: boolean;
  /** null: no name syntax rule (core/v1 Events keep only the legacy checks). */
  nameFn: NameFn | null;
  validate: (obj: KubeObject, old?: KubeObject) => StatusCause[];
}

const RULES: Record<string, KindRules> = {
  pods: {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => [
      ...validatePodSpec((obj as Pod).spec, "spec"),
      ...(old ? validatePodSpecUpdate((obj as Pod).spec, (old as Pod).spec) : []),
      ...(old ? validateEphemeralContainersUpdate((obj as Pod).spec, (old as Pod).spec) : validateNoEphemeralOnCreate((obj as Pod).spec)),
    ],
  },
  "deployments.apps": {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateDeployment(obj as Deployment, old as Deployment | undefined),
  },
  "replicasets.apps": {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateReplicaSet(obj as ReplicaSet, old as ReplicaSet | undefined),
  },
  replicationcontrollers: {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj) => validateReplicationController(obj as ReplicationController),
  },
  "daemonsets.apps": {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateDaemonSet(obj as DaemonSet, old as DaemonSet | undefined),
  },
  "statefulsets.apps": {
    namespaced: true,
    // ValidateStatefulSetName: a DNS label, as its pods' hostnames are made from it.
    nameFn: nameIsDNSLabel,
    validate: (obj, old) => validateStatefulSet(obj as StatefulSet, old as StatefulSet | undefined),
  },
  "controllerrevisions.apps": {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateControllerRevision(obj as ControllerRevision, old as ControllerRevision | undefined),
  },
  "jobs.batch": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj, old) => validateJob(obj as Job, old as Job | undefined) },
  "cronjobs.batch": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj, old) => validateCronJob(obj as CronJob, old as CronJob | undefined) },
  "horizontalpodautoscalers.autoscaling": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validateHPA(obj as HorizontalPodAutoscaler) },
  "poddisruptionbudgets.policy": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validatePodDisruptionBudget(obj as PodDisruptionBudget) },
  nodes: { namespaced: false, nameFn: nameIsDNSSubdomain, validate: (obj) => validateNode(obj as Node) },
  namespaces: { namespaced: false, nameFn: nameIsDNSLabel, validate: (obj) => validateNamespace(obj as Namespace) },
  "leases.coordination.k8s.io": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validateLease(obj as Lease) },
  events: { namespaced: true, nameFn: null, validate: (obj) => validateEvent(obj as Event) },
  services: {
    namespaced: true,
    nameFn: nameIsDNS1035Label,
    validate: (obj, old) => (old ? validateServiceUpdate(obj as Service, old as Service) : validateService(obj as Service)),
  },
  endpoints: { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validateEndpoints(obj as Endpoints) },
  configmaps: {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => (old ? validateConfigMapUpdate(obj as ConfigMap, old as ConfigMap) : validateConfigMap(obj as ConfigMap)),
  },
  secrets: {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => (old ? validateSecretUpdate(obj as Secret, old as Secret) : validateSecret(obj as Secret)),
  },
  serviceaccounts: { namespaced: true, nameFn: nameIsDNSSubdomain, validate: () => [] },
  "roles.rbac.authorization.k8s.io": { namespaced: true, nameFn: nameIsPathSegment, validate: (obj) => validateRole(obj as ClusterRole, true) },
  "clusterroles.rbac.authorization.k8s.io": { namespaced: false, nameFn: nameIsPathSegment, validate: (obj) => validateRole(obj as ClusterRole, false) },
  "rolebindings.rbac.authorization.k8s.io": {
    namespaced: true,
    nameFn: nameIsPathSegment,
    validate: (obj, old) => validateRoleBinding(obj as RoleBinding, true, old as RoleBinding | undefined),
  },
  "clusterrolebindings.rbac.authorization.k8s.io": {
    namespaced: false,
    nameFn: nameIsPathSegment,
    validate: (obj, old) => validateRoleBinding(obj as RoleBinding, false, old as RoleBinding | undefined),
  },
  persistentvolumes: {
    namespaced: false,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validatePersistentVolume(obj as PersistentVolume, old as PersistentVolume | undefined),
  },
  persistentvolumeclaims: {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validatePersistentVolumeClaim(obj as PersistentVolumeClaim, old as PersistentVolumeClaim | undefined),
  },
  "storageclasses.storage.k8s.io": {
    namespaced: false,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateStorageClass(obj as StorageClass, old as StorageClass | undefined),
  },
  "priorityclasses.scheduling.k8s.io": {
    namespaced: false,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validatePriorityClass(obj as PriorityClass, old as PriorityClass | undefined),
  },
  "ingresses.networking.k8s.io": { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj, old) => validateIngress(obj as Ingress, old as Ingress | undefined) },
  "ingressclasses.networking.k8s.io": { namespaced: false, nameFn: nameIsDNSSubdomain, validate: (obj, old) => validateIngressClass(obj as IngressClass, old as IngressClass | undefined) },
  "customresourcedefinitions.apiextensions.k8s.io": {
    namespaced: false,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateCustomResourceDefinition(obj as CustomResourceDefinition, old as CustomResourceDefinition | undefined),
  },
  resourcequotas: { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validateResourceQuota(obj as ResourceQuota) },
  limitranges: { namespaced: true, nameFn: nameIsDNSSubdomain, validate: (obj) => validateLimitRange(obj as LimitRange) },
  "endpointslices.discovery.k8s.io": {
    namespaced: true,
    nameFn: nameIsDNSSubdomain,
    validate: (obj, old) => validateEndpointSlice(obj as EndpointSlice, old as EndpointSlice | undefined),
  },
};

/** Resources are named by storage key ("pods", "deployments.apps"); a bare plural also works. */
function storageKeyOf(resource: string): string | undefined {
  return RULES[resource] ? resource : Object.keys(RULES).find((k) => k.split(".")[0] === resource);
}

/**
 * Validate an object about to be stored. `old` is the stored object for an update
 * (immutability rules apply), absent on create. Returns [] when valid.
 */
export function validateObject(resource: string, obj: KubeObject, old?: KubeObject): StatusCause[] {
  const key = storageKeyOf(resource);
  if (!key) return [];
  const rules = RULES[key];
  const typeErrors = structuralErrors(key, obj);
  if (typeErrors.length) return typeErrors;
  const errs: StatusCause[] = [];
  if (rules.nameFn) errs.push(...validateObjectMeta(obj.metadata, rules.namespaced, rules.nameFn));
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  errs.push(...rules.validate(obj, old));
  return errs;
}
