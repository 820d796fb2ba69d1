// The table of resources this API server serves. Discovery, routing, OpenAPI and
// storage keys are all derived from it, so a resource exists everywhere or nowhere
// (kubectl prints an error on every command for a group that is advertised but not
// served).
import type { CustomResourceRef } from "./crd-types";

export interface ResourceInfo {
  /** API group, "" for the core group. */
  group: string;
  version: string;
  /** Plural resource name as it appears in URLs, e.g. "pods". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served under the item path, e.g. "status", "scale". */
  subresources: string[];
  /** A review (TokenReview, SubjectAccessReview): a create answered at once and never stored. */
  review?: boolean;
  /**
   * Another version of a resource stored in this version (autoscaling/v1 HPAs are
   * stored as autoscaling/v2): the API converts on the way in and out
   * (src/model/conversion.ts); storage, watch caches and controllers see one version.
   */
  storedAs?: string;
  /** A custom resource: the CRD's type and the version addressed (custom-resources.ts). */
  custom?: CustomResourceRef;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: readonly ResourceInfo[] = [
  { group: "", version: "v1", resource: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], subresources: ["status"] },
  { group: "", version: "v1", resource: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "", version: "v1", resource: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "binding", "eviction", "log", "exec", "attach", "ephemeralcontainers", "portforward", "proxy"] },
  { group: "", version: "v1", resource: "events", singular: "event", kind: "Event", namespaced: true, shortNames: ["ev"], verbs: ALL_VERBS, subresources: [] },
  { group: "", version: "v1", resource: "replicationcontrollers", singular: "replicationcontroller", kind: "ReplicationController", namespaced: true, shortNames: ["rc"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "scale"] },
  { group: "apps", version: "v1", resource: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "scale"] },
  { group: "apps", version: "v1", resource: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "scale"] },
  { group: "apps", version: "v1", resource: "daemonsets", singular: "daemonset", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "apps", version: "v1", resource: "statefulsets", singular: "statefulset", kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "scale"] },
  { group: "apps", version: "v1", resource: "controllerrevisions", singular: "controllerrevision", kind: "ControllerRevision", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "batch", version: "v1", resource: "jobs", singular: "job", kind: "Job", namespaced: true, categories: ["all"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "batch", version: "v1", resource: "cronjobs", singular: "cronjob", kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "", version: "v1", resource: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status", "proxy"] },
  { group: "", version: "v1", resource: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"], verbs: ALL_VERBS, subresources: [] },
  { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "", version: "v1", resource: "configmaps", singular: "configmap", kind: "ConfigMap", namespaced: true, shortNames: ["cm"], verbs: ALL_VERBS, subresources: [] },
  { group: "", version: "v1", resource: "secrets", singular: "secret", kind: "Secret", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "", version: "v1", resource: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota", namespaced: true, shortNames: ["quota"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "", version: "v1", resource: "limitranges", singular: "limitrange", kind: "LimitRange", namespaced: true, shortNames: ["limits"], verbs: ALL_VERBS, subresources: [] },
  { group: "", version: "v1", resource: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], verbs: ALL_VERBS, subresources: ["token"] },
  { group: "", version: "v1", resource: "persistentvolumes", singular: "persistentvolume", kind: "PersistentVolume", namespaced: false, shortNames: ["pv"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "", version: "v1", resource: "persistentvolumeclaims", singular: "persistentvolumeclaim", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "storage.k8s.io", version: "v1", resource: "storageclasses", singular: "storageclass", kind: "StorageClass", namespaced: false, shortNames: ["sc"], verbs: ALL_VERBS, subresources: [] },
  { group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", singular: "priorityclass", kind: "PriorityClass", namespaced: false, shortNames: ["pc"], verbs: ALL_VERBS, subresources: [] },
  { group: "networking.k8s.io", version: "v1", resource: "ingresses", singular: "ingress", kind: "Ingress", namespaced: true, shortNames: ["ing"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "networking.k8s.io", version: "v1", resource: "ingressclasses", singular: "ingressclass", kind: "IngressClass", namespaced: false, verbs: ALL_VERBS, subresources: [] },
  { group: "coordination.k8s.io", version: "v1", resource: "leases", singular: "lease", kind: "Lease", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", singular: "role", kind: "Role", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", singular: "rolebinding", kind: "RoleBinding", namespaced: true, verbs: ALL_VERBS, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", singular: "clusterrole", kind: "ClusterRole", namespaced: false, verbs: ALL_VERBS, subresources: [] },
  { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false, verbs: ALL_VERBS, subresources: [] },
  // The group's preferred (and storage) version first: discovery lists versions in table order.
  { group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status"] },
  { group: "autoscaling", version: "v1", resource: "horizontalpodautoscalers", singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], verbs: ALL_VERBS, subresources: ["status"], storedAs: "v2" },
  { group: "policy", version: "v1", resource: "poddisruptionbudgets", singular: "poddisruptionbudget", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], verbs: ALL_VERBS, subresources: ["status"] },
  review("authentication.k8s.io", "tokenreviews", "TokenReview"),
  review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
  review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
  review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"),
  review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
];

function review(group: string, resource: string, kind: string, namespaced = false): ResourceInfo {
  return { group, version: "v1", resource, singular: resource.slice(0, -1), kind, namespaced, verbs: ["create"], subresources: [], review: true };
}

/** Resources whose objects are stored (every one but the reviews), each once: in its storage version. */
export const STORED_RESOURCES: readonly ResourceInfo[] = RESOURCES.filter((r) => !r.review && !r.storedAs);

export function apiVersionOf(r: Pick<ResourceInfo, "group" | "version">): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** Storage key of a resource: "pods", "deployments.apps". */
export function storageKey(r: Pick<ResourceInfo, "group" | "resource">): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** Every named group with its preferred version (the first of its rows). */
const BUILT_IN_KEYS = new Set(RESOURCES.map(storageKey));

/** A storage key of the table above (otherwise a custom resource's, "<plural>.<group>"). */
export function isBuiltInStorageKey(key: string): boolean {
  return BUILT_IN_KEYS.has(key);
}

export function groupsServed(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) if (r.group && !seen.has(r.group)) seen.set(r.group, { group: r.group, version: r.version });
  return [...seen.values()];
}

/** The versions a group is served in, preferred first. */
export function versionsServed(group: string): string[] {
  return [...new Set(RESOURCES.filter((r) => r.group === group).map((r) => r.version))];
}
