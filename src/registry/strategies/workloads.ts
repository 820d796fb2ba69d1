// Pods, Deployments, ReplicaSets and ReplicationControllers: defaulted on create (including the pod template);
// a template left partly out by a PUT or patch is defaulted again, as the API server
// decodes every write with defaulting.
import type { Deployment, Pod, PodSpec, ReplicaSet, ReplicationController } from "../../model/types";
import { defaultDeployment, defaultPod, defaultPodSpec, defaultReplicaSet, defaultReplicationController } from "../defaults";
import type { ResourceStrategy } from "./types";
import { admitPodPriority } from "./scheduling";
import { admitPodLimits } from "./quota";
import { admitServiceAccount } from "../service-account-admission";

function defaultTemplate(next: { spec?: unknown }): void {
  const template = (next.spec as { template?: { spec?: PodSpec } } | undefined)?.template;
  if (template?.spec) defaultPodSpec(template.spec);
}

export const podStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj, ctx) => defaultPod(obj as Pod, ctx.defaults),
  // Ephemeral containers change only through their subresource (upstream's PrepareForUpdate).
  prepareForUpdate: (next, old) => {
    const spec = (next as Pod).spec;
    const kept = (old as Pod).spec?.ephemeralContainers;
    if (!spec) return;
    // Priority admission set these on create; an update that leaves them out keeps them.
    spec.priority ??= (old as Pod).spec?.priority;
    spec.preemptionPolicy ??= (old as Pod).spec?.preemptionPolicy;
    if (kept) spec.ephemeralContainers = kept;
    else delete spec.ephemeralContainers;
  },
  // LimitRanger, ServiceAccount, then Priority, in the API server's plugin order; all act
  // on creates only (updates keep what they set). ResourceQuota charges at commit (quota-admission.ts).
  admit: async (obj, old, store, _now, memo) => {
    if (old) return;
    await admitPodLimits(obj as Pod, store, memo);
    await admitServiceAccount(obj as Pod, store, memo);
    await admitPodPriority(obj as Pod, store, memo);
  },
};

export const deploymentStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultDeployment(obj as Deployment),
  prepareForUpdate: (next) => defaultTemplate(next),
};

export const replicationControllerStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => {
    defaultReplicationController(obj as ReplicationController);
    (obj as ReplicationController).status = { replicas: 0 };
  },
  prepareForUpdate: (next) => defaultReplicationController(next as ReplicationController),
};

export const replicaSetStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate: (obj) => defaultReplicaSet(obj as ReplicaSet),
  prepareForUpdate: (next) => defaultTemplate(next),
};
