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

export function controllerTable(ctx: ControllerContext, allocator: () => ServiceAllocator): Controller[] {
  const replicaSets = new ReplicaSetController(ctx);
  const replicationControllers = new ReplicaSetController(ctx, REPLICATION_CONTROLLERS);
  const services = new ServiceController(ctx, allocator);
  const budgets = new DisruptionController(ctx);
  return [
    replicaSets,
    replicationControllers,
    // An orphan pod was seen: the controllers that may adopt it look for orphans now.
    podOwnerLookup(ctx, { rs: replicaSets.index, rc: replicationControllers.index }, (namespace, a) => (a.workKind === "rc" ? replicationControllers : replicaSets).wantOrphanScan(namespace, a.name)),
    new DeploymentController(ctx),
    replicaSetOwnerLookup(ctx),
    new DaemonSetController(ctx),
    daemonSetNodeWatch(ctx),
    new StatefulSetController(ctx),
    new JobController(ctx),
    new JobTTLController(ctx),
    new CronJobController(ctx),
    new HorizontalPodAutoscalerController(ctx),
    services,
    // svcs: a pod changed, so every Service of its namespace looks again.
    podFanOut(ctx, "svcs", "svc", services.index),
    new PodGC(ctx),
    garbageCollector(ctx),
    namespaceController(ctx),
    new EventTTLController(ctx),
    new ServiceAccountsController(ctx),
    new RootCAPublisher(ctx),
    new ClusterRoleAggregationController(ctx),
    new ClaimController(ctx),
    new VolumeController(ctx),
    new CustomResourceDefinitionController(ctx),
    budgets,
    // pdbs: a pod changed, so every budget of its namespace counts again (upstream looks a pod's budget up the same way).
    podFanOut(ctx, "pdbs", "pdb", budgets.index),
    new IngressController(ctx),
    ingressClassWatch(ctx),
    new ResourceQuotaController(ctx),
  ];
}
