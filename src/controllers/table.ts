// The controllers the manager runs, one row each. A new controller is its own file
// (a Controller: keysFor, reconcile, maybe resyncKeys) plus one row here. The order
// is the order in which a change's keys are queued.
import type { ControllerContext } from "./context";
import type { Controller } from "./controller";
import type { ServiceAllocator } from "./service-allocator";
import { ReplicaSetController } from "./replicaset-controller";
import { DeploymentController } from "./deployment-controller";
import { DaemonSetController, daemonSetNodeWatch } from "./daemonset-controller";
import { podOwnerLookup, replicaSetOwnerLookup } from "./owner-lookup";
import { namespaceServices, ServiceController } from "./service-controller";
import { PodGC } from "./pod-gc";
import { garbageCollector } from "./garbage-collector";
import { namespaceController } from "./namespace-controller";
import { EventTTLController } from "./event-ttl";
import { ServiceAccountsController } from "./serviceaccounts-controller";
import { JobController } from "./job-controller";
import { JobTTLController } from "./job-ttl";
import { CronJobController } from "./cronjob-controller";
import { ClusterRoleAggregationController } from "./clusterrole-aggregation-controller";
import { CustomResourceDefinitionController } from "./crd-controller";

export function controllerTable(ctx: ControllerContext, allocator: () => ServiceAllocator): Controller[] {
  const replicaSets = new ReplicaSetController(ctx);
  const services = new ServiceController(ctx, allocator);
  return [
    replicaSets,
    // An orphan pod was seen: the ReplicaSets that may adopt it look for orphans now.
    podOwnerLookup(ctx, (namespace, rs) => replicaSets.wantOrphanScan(namespace, rs)),
    new DeploymentController(ctx),
    replicaSetOwnerLookup(ctx),
    new DaemonSetController(ctx),
    daemonSetNodeWatch(ctx),
    new JobController(ctx),
    new JobTTLController(ctx),
    new CronJobController(ctx),
    services,
    namespaceServices(ctx, services),
    new PodGC(ctx),
    garbageCollector(ctx),
    namespaceController(ctx),
    new EventTTLController(ctx),
    new ServiceAccountsController(ctx),
    new ClusterRoleAggregationController(ctx),
    new CustomResourceDefinitionController(ctx),
  ];
}
