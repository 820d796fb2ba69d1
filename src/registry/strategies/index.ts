// The table of strategies by storage key: a new resource is one row here (and one
// strategy file when it needs more than validation).
import type { ResourceStrategy } from "./types";
import { deploymentStrategy, podStrategy, replicaSetStrategy, replicationControllerStrategy } from "./workloads";
import { namespaceStrategy, nodeStrategy } from "./cluster";
import { serviceStrategy } from "./services";
import { configMapStrategy, secretStrategy } from "./config";
import { daemonSetStrategy } from "./daemonsets";
import { statefulSetStrategy } from "./statefulsets";
import { cronJobStrategy, jobStrategy } from "./batch";
import { roleBindingStrategy } from "./rbac";
import { persistentVolumeClaimStrategy, persistentVolumeStrategy, storageClassStrategy } from "./storage";
import { hpaStrategy } from "./autoscaling";
import { priorityClassStrategy } from "./scheduling";
import { podDisruptionBudgetStrategy } from "./policy";
import { crdStrategy } from "./crd";
import { customResourceStrategy } from "./custom-resource";
import { ingressClassStrategy, ingressStrategy } from "./ingress";
import { resourceQuotaStrategy } from "./quota";
import { storageKey, type ResourceInfo } from "../../model/resources";
import type { CustomResourceType } from "../../model/crd-types";

/** Objects without rules of their own: metadata and validation only. */
const PLAIN: ResourceStrategy = {};

const STRATEGIES: Record<string, ResourceStrategy> = {
  namespaces: namespaceStrategy,
  nodes: nodeStrategy,
  pods: podStrategy,
  "deployments.apps": deploymentStrategy,
  "replicasets.apps": replicaSetStrategy,
  replicationcontrollers: replicationControllerStrategy,
  "daemonsets.apps": daemonSetStrategy,
  "statefulsets.apps": statefulSetStrategy,
  "controllerrevisions.apps": PLAIN,
  "jobs.batch": jobStrategy,
  "cronjobs.batch": cronJobStrategy,
  "horizontalpodautoscalers.autoscaling": hpaStrategy,
  "poddisruptionbudgets.policy": podDisruptionBudgetStrategy,
  services: serviceStrategy,
  persistentvolumes: persistentVolumeStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  "storageclasses.storage.k8s.io": storageClassStrategy,
  "priorityclasses.scheduling.k8s.io": priorityClassStrategy,
  events: PLAIN,
  endpoints: PLAIN,
  "endpointslices.discovery.k8s.io": PLAIN,
  "leases.coordination.k8s.io": PLAIN,
  configmaps: configMapStrategy,
  secrets: secretStrategy,
  serviceaccounts: PLAIN,
  resourcequotas: resourceQuotaStrategy,
  limitranges: PLAIN,
  "roles.rbac.authorization.k8s.io": PLAIN,
  "clusterroles.rbac.authorization.k8s.io": PLAIN,
  "rolebindings.rbac.authorization.k8s.io": roleBindingStrategy,
  "clusterrolebindings.rbac.authorization.k8s.io": roleBindingStrategy,
  "customresourcedefinitions.apiextensions.k8s.io": crdStrategy,
  "ingresses.networking.k8s.io": ingressStrategy,
  "ingressclasses.networking.k8s.io": ingressClassStrategy,
};

/** One strategy per custom resource type (a CRD's schema, subresources), built once. */
const CUSTOM = new WeakMap<CustomResourceType, ResourceStrategy>();

export function strategyFor(resource: string): ResourceStrategy {
  return STRATEGIES[resource] ?? PLAIN;
}

export type { StrategyContext } from "./types";

/** The strategy of a resource, a custom resource's built from its CRD. */
export function strategyForInfo(info: ResourceInfo): ResourceStrategy {
  const custom = info.custom;
  if (!custom) return strategyFor(storageKey(info));
  let strategy = CUSTOM.get(custom.type);
  if (!strategy) {
    strategy = customResourceStrategy(custom.type);
    CUSTOM.set(custom.type, strategy);
  }
  return strategy;
}
