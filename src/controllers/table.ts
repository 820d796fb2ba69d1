// The controllers the manager runs, one row each. A new controller is its own file
// (a Controller: keysFor, reconcile, maybe resyncKeys) plus one row here. The order
// is the order in which a change's keys are queued.
import type { ControllerContext } from "./context";
import type { Controller } from "./controller";
import type { ServiceAllocator } from "./service-allocator";
import { REPLICATION_CONTROLLERS, ReplicaSetController } from "./replicaset-controller";
import { DeploymentController } from "./deployment-controller";
import { DaemonSetController, daemonSetNodeWatch } from "./daemonset-controller";
import { podOwnerLookup, replicaSetOwnerLookup } from "./owner-lookup";
import { ServiceController } from "./service-controller";
import { podFanOut } from "./pod-fan-out";
import { StatefulSetController } from "./statefulset-controller";
import { PodGC } from "./pod-gc";
import { garbageCollector } from "./garbage-collector";
import { namespaceController } from "./namespace-controller";
import { EventTTLController } from "./event-ttl";
import { ServiceAccountsController } from "./serviceaccounts-controller";
import { RootCAPublisher } from "./root-ca-publisher";
import { JobController } from "./job-controller";
import { JobTTLController } from "./job-ttl";
import { CronJobController } from "./cronjob-controller";
import { ClusterRoleAggregationController } from "./clusterrole-aggregation-controller";
import { ClaimController, VolumeController } from "./persistentvolume-controller";
import { HorizontalPodAutoscalerController } from "./hpa-controller";
import { CustomResourceDefinitionController } from "./crd-controller";
import { DisruptionController } from "./disruption-controller";
import { IngressController, ingressClassWatch } from "./ingress-controller";
import { ResourceQuotaController } from "./resourcequota-controller";

/**
 * Each row runs as its own API client, named as upstream's kube-controller-manager names
 * it (ClientBuilder.ClientOrDie): every client has its own token bucket, so a namespace
 * being emptied does not hold back the ServiceAccount or ReplicaSet controllers. Rows
 * that only map changes to keys share their controller's client.
 */
export function controllerTable(client: (name: string) => ControllerContext, allocator: () => ServiceAllocator): Controller[] {
  const rs = client("replicaset-controller");
  const rc = client("replication-controller");
  const endpoints = client("endpoint-controller");
  const disruption = client("disruption-controller");
  const daemonSets = client("daemon-set-controller");
  const ingresses = client("ingress-controller");
  const replicaSets = new ReplicaSetController(rs);
  const replicationControllers = new ReplicaSetController(rc, REPLICATION_CONTROLLERS);
  const services = new ServiceController(endpoints, allocator);
  const budgets = new DisruptionController(disruption);
  const deployments = client("deployment-controller");
  return [
    replicaSets,
    replicationControllers,
    // An orphan pod was seen: the controllers that may adopt it look for orphans now.
    podOwnerLookup(rs, { rs: replicaSets.index, rc: replicationControllers.index }, (namespace, a) => (a.workKind === "rc" ? replicationControllers : replicaSets).wantOrphanScan(namespace, a.name)),
    new DeploymentController(deployments),
    replicaSetOwnerLookup(deployments),
    new DaemonSetController(daemonSets),
    daemonSetNodeWatch(daemonSets),
    new StatefulSetController(client("statefulset-controller")),
    new JobController(client("job-controller")),
    new JobTTLController(client("ttl-after-finished-controller")),
    new CronJobController(client("cronjob-controller")),
    new HorizontalPodAutoscalerController(client("horizontal-pod-autoscaler")),
    services,
    // svcs: a pod changed, so every Service of its namespace looks again.
    podFanOut(endpoints, "svcs", "svc", services.index),
    new PodGC(client("pod-garbage-collector")),
    garbageCollector(client("generic-garbage-collector")),
    namespaceController(client("namespace-controller")),
    // Upstream, events expire by their etcd lease; here a controller deletes them.
    new EventTTLController(client("event-ttl-controller")),
    new ServiceAccountsController(client("service-account-controller")),
    new RootCAPublisher(client("root-ca-cert-publisher")),
    new ClusterRoleAggregationController(client("clusterrole-aggregation-controller")),
    new ClaimController(client("persistent-volume-binder")),
    new VolumeController(client("persistent-volume-binder")),
    // Upstream, the API server's apiextensions controllers (its loopback client).
    new CustomResourceDefinitionController(client("apiextensions-controller")),
    budgets,
    // pdbs: a pod changed, so every budget of its namespace counts again (upstream looks a pod's budget up the same way).
    podFanOut(disruption, "pdbs", "pdb", budgets.index),
    new IngressController(ingresses),
    ingressClassWatch(ingresses),
    new ResourceQuotaController(client("resourcequota-controller")),
  ];
}
