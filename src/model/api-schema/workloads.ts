// Deployments, ReplicaSets, ReplicationControllers and DaemonSets: controllers that keep
// identical pods running; StatefulSets, whose pods keep an identity; and the
// ControllerRevisions that record the past templates of DaemonSets and StatefulSets.
import { APPS, CORE, META, def, kind, str, strMap, bool, int32, int64, ref, list, object, time, intOrString, type Definition } from "./dsl";

const A = (n: string) => `${APPS}.${n}`;
const C = (n: string) => `${CORE}.${n}`;
const SELECTOR = `${META}.LabelSelector`;
const TEMPLATE = `${CORE}.PodTemplateSpec`;

const condition = (name: string, what: string) =>
  def(A(name), `One condition of a ${what}.`, {
    type: str(what === "Deployment" ? "The condition: Available, Progressing or ReplicaFailure." : "The condition, e.g. ReplicaFailure."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change, e.g. NewReplicaSetAvailable or ProgressDeadlineExceeded."),
    message: str("A human-readable explanation."),
    // Only a Deployment's conditions record their last update besides their last transition.
    ...(what === "Deployment" ? { lastUpdateTime: time("When it was last updated.") } : {}),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] });

export const WORKLOAD_DEFINITIONS: Definition[] = [
  kind("apps", "v1", "Deployment", A("Deployment"), "A Deployment runs a number of identical pods from a template and changes them declaratively: edit the template and it rolls out new pods (through a new ReplicaSet) while scaling the old ones down, and can roll back to an earlier revision.", {
    spec: ref(A("DeploymentSpec"), "The desired state: how many pods, from which template, and how to replace them."),
    status: ref(A("DeploymentStatus"), "The most recently observed state, written by the deployment controller. Read-only."),
  }),
  def(A("DeploymentSpec"), "What a Deployment should run.", {
    replicas: int32("How many pods to run. Defaults to 1. `kubectl scale` changes it."),
    selector: ref(SELECTOR, "Which pods belong to the Deployment; must match the template's labels. Cannot be changed after creation."),
    template: ref(TEMPLATE, "The pods to create. Any change to it starts a rollout."),
    strategy: ref(A("DeploymentStrategy"), "How old pods are replaced by new ones."),
    minReadySeconds: int32("Seconds a new pod must be ready, without any container crashing, before it counts as available. Defaults to 0."),
    revisionHistoryLimit: int32("How many old ReplicaSets to keep for rollbacks. Defaults to 10."),
    progressDeadlineSeconds: int32("Seconds a rollout may go without progress before the Progressing condition turns False with ProgressDeadlineExceeded. Defaults to 600."),
    paused: bool("While true, template changes do not start a rollout."),
  }, { required: ["selector", "template"] }),
  def(A("DeploymentStrategy"), "How a Deployment replaces its pods.", {
    type: str("RollingUpdate (replace pods gradually; the default) or Recreate (stop all old pods, then start new ones).", ["Recreate", "RollingUpdate"]),
    rollingUpdate: ref(A("RollingUpdateDeployment"), "Limits of a rolling update; only with type RollingUpdate."),
  }),
  def(A("RollingUpdateDeployment"), "How fast a rolling update goes.", {
    maxUnavailable: intOrString("How many pods (a number, or a percentage of replicas rounded down) may be unavailable during the update. Defaults to 25%."),
    maxSurge: intOrString("How many pods (a number, or a percentage of replicas rounded up) may be created above the desired count during the update. Defaults to 25%."),
  }),
  def(A("DeploymentStatus"), "What the deployment controller last observed.", {
    observedGeneration: int64("The metadata.generation the controller last acted on: when it equals the Deployment's generation, the status describes the current spec."),
    replicas: int32("Pods of the Deployment, old and new."),
    updatedReplicas: int32("Pods made from the current template."),
    readyReplicas: int32("Pods that are ready."),
    availableReplicas: int32("Pods that have been ready for at least minReadySeconds."),
    unavailableReplicas: int32("Pods still needed before all replicas are available."),
    collisionCount: int32("Used to make ReplicaSet names unique when their hashes collide."),
    conditions: list(A("DeploymentCondition"), "Conditions of the Deployment: Available, Progressing, ReplicaFailure."),
  }),
  condition("DeploymentCondition", "Deployment"),
  kind("apps", "v1", "ReplicaSet", A("ReplicaSet"), "A ReplicaSet keeps a number of pods matching its selector running, creating pods from its template or deleting extra ones. Deployments manage ReplicaSets; you rarely create one yourself.", {
    spec: ref(A("ReplicaSetSpec"), "The desired state: how many pods, and from which template."),
    status: ref(A("ReplicaSetStatus"), "The most recently observed state, written by the replicaset controller. Read-only."),
  }),
  def(A("ReplicaSetSpec"), "What a ReplicaSet should run.", {
    replicas: int32("How many pods to run. Defaults to 1."),
    selector: ref(SELECTOR, "Which pods count towards the replicas; must match the template's labels."),
    template: ref(TEMPLATE, "The pods to create when there are too few."),
    minReadySeconds: int32("Seconds a new pod must be ready before it counts as available."),
  }, { required: ["selector"] }),
  def(A("ReplicaSetStatus"), "What the replicaset controller last observed.", {
    replicas: int32("Pods the ReplicaSet has."),
    fullyLabeledReplicas: int32("Pods whose labels match the template's."),
    readyReplicas: int32("Pods that are ready."),
    availableReplicas: int32("Pods that have been ready for at least minReadySeconds."),
    observedGeneration: int64("The metadata.generation the controller last acted on."),
    conditions: list(A("ReplicaSetCondition"), "Conditions of the ReplicaSet."),
  }, { required: ["replicas"] }),
  condition("ReplicaSetCondition", "ReplicaSet"),
  kind("", "v1", "ReplicationController", C("ReplicationController"), "A ReplicationController keeps a number of pods matching its selector running, like a ReplicaSet but with an equality-based selector only. ReplicaSets (through Deployments) replace it.", {
    spec: ref(C("ReplicationControllerSpec"), "The desired state: how many pods, and from which template."),
    status: ref(C("ReplicationControllerStatus"), "The most recently observed state, written by the replication controller. Read-only."),
  }),
  def(C("ReplicationControllerSpec"), "What a ReplicationController should run.", {
    replicas: int32("How many pods to run. Defaults to 1. `kubectl scale rc` changes it."),
    selector: strMap("Labels a pod must carry, all of them, to count towards the replicas. Defaulted to the template's labels when empty; may change after creation."),
    template: ref(TEMPLATE, "The pods to create when there are too few."),
    minReadySeconds: int32("Seconds a new pod must be ready before it counts as available."),
  }),
  def(C("ReplicationControllerStatus"), "What the replication controller last observed.", {
    replicas: int32("Pods the ReplicationController has."),
    fullyLabeledReplicas: int32("Pods whose labels match the template's."),
    readyReplicas: int32("Pods that are ready."),
    availableReplicas: int32("Pods that have been ready for at least minReadySeconds."),
    observedGeneration: int64("The metadata.generation the controller last acted on."),
    conditions: list(C("ReplicationControllerCondition"), "Conditions of the ReplicationController."),
  }, { required: ["replicas"] }),
  def(C("ReplicationControllerCondition"), "One condition of a ReplicationController.", {
    type: str("The condition, e.g. ReplicaFailure."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change."),
    message: str("A human-readable explanation."),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] }),
  kind("apps", "v1", "DaemonSet", A("DaemonSet"), "A DaemonSet runs one copy of a pod on every node (or every node its template's node selector and tolerations allow), adding a pod when a node joins and removing it when the node goes. Used for node agents: log collectors, network plugins, monitoring.", {
    spec: ref(A("DaemonSetSpec"), "The desired state: which pods to run on each node and how to replace them."),
    status: ref(A("DaemonSetStatus"), "The most recently observed state, written by the daemonset controller. Read-only."),
  }),
  def(A("DaemonSetSpec"), "What a DaemonSet should run on each node.", {
    selector: ref(SELECTOR, "Which pods belong to the DaemonSet; must match the template's labels. Cannot be changed after creation."),
    template: ref(TEMPLATE, "The pod to run on each eligible node. Changing it replaces the pods as updateStrategy says."),
    updateStrategy: ref(A("DaemonSetUpdateStrategy"), "How pods are replaced when the template changes."),
    minReadySeconds: int32("Seconds a new pod must be ready, without any container crashing, before it counts as available. Defaults to 0."),
    revisionHistoryLimit: int32("How many old ControllerRevisions to keep for rollbacks. Defaults to 10."),
  }, { required: ["selector", "template"] }),
  def(A("DaemonSetUpdateStrategy"), "How a DaemonSet replaces its pods after a template change.", {
    type: str("RollingUpdate (replace pods node by node; the default) or OnDelete (a new pod only once the old one is deleted by hand).", ["OnDelete", "RollingUpdate"]),
    rollingUpdate: ref(A("RollingUpdateDaemonSet"), "Limits of a rolling update; only with type RollingUpdate."),
  }),
  def(A("RollingUpdateDaemonSet"), "How fast a DaemonSet's rolling update goes.", {
    maxUnavailable: intOrString("How many nodes' pods (a number, or a percentage of the desired count) may be unavailable during the update. Defaults to 1."),
    maxSurge: intOrString("How many nodes (a number or a percentage) may run a new pod next to the old one during the update. Defaults to 0; only one of maxSurge and maxUnavailable may be non-zero."),
  }),
  def(A("DaemonSetStatus"), "What the daemonset controller last observed.", {
    currentNumberScheduled: int32("Nodes running at least one pod of the DaemonSet that should run it."),
    numberMisscheduled: int32("Nodes running a pod of the DaemonSet that should not run it."),
    desiredNumberScheduled: int32("Nodes that should run the pod."),
    numberReady: int32("Nodes whose pod of the DaemonSet is ready."),
    observedGeneration: int64("The metadata.generation the controller last acted on."),
    updatedNumberScheduled: int32("Nodes running a pod made from the current template."),
    numberAvailable: int32("Nodes whose pod has been ready for at least minReadySeconds."),
    numberUnavailable: int32("Nodes that should run the pod but have none available yet."),
    collisionCount: int32("Used to make ControllerRevision names unique when their hashes collide."),
    conditions: list(A("DaemonSetCondition"), "Conditions of the DaemonSet."),
  }, { required: ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"] }),
  def(A("DaemonSetCondition"), "One condition of a DaemonSet.", {
    type: str("The condition's type."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change."),
    message: str("A human-readable explanation."),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] }),
  kind("apps", "v1", "StatefulSet", A("StatefulSet"), "A StatefulSet runs pods that each keep an identity: a stable name with an ordinal (web-0, web-1...), a stable hostname under a headless Service, and their own PersistentVolumeClaims, which follow the pod when it is replaced. Pods are created, scaled and updated in order, one at a time by default.", {
    spec: ref(A("StatefulSetSpec"), "The desired state: how many pods, from which template, with which claims, and how to replace them."),
    status: ref(A("StatefulSetStatus"), "The most recently observed state, written by the statefulset controller. Read-only."),
  }),
  def(A("StatefulSetSpec"), "What a StatefulSet should run.", {
    replicas: int32("How many pods to run, named <set>-0 to <set>-(replicas-1). Defaults to 1. `kubectl scale` changes it."),
    selector: ref(SELECTOR, "Which pods belong to the StatefulSet; must match the template's labels. Cannot be changed after creation."),
    template: ref(TEMPLATE, "The pods to create. Each pod gets its name, hostname and one volume per claim template on top of it. Changing it rolls out as updateStrategy says."),
    volumeClaimTemplates: list(`${CORE}.PersistentVolumeClaim`, "PersistentVolumeClaims made for every pod, named <template>-<set>-<ordinal>, created before the pod and kept when the pod is deleted or replaced, so a new pod of the same ordinal finds the same data. The pod template mounts each by the template's name. Cannot be changed after creation."),
    serviceName: str("The headless Service that gives the pods their DNS names: <pod>.<serviceName>.<namespace>.svc. The pods' subdomain."),
    podManagementPolicy: str("OrderedReady (the default: pods are created in order, each once the previous is Running and Ready, and removed in reverse order) or Parallel (all at once). Cannot be changed after creation.", ["OrderedReady", "Parallel"]),
    updateStrategy: ref(A("StatefulSetUpdateStrategy"), "How pods are replaced after a template change."),
    revisionHistoryLimit: int32("How many old ControllerRevisions to keep for rollbacks. Defaults to 10."),
    minReadySeconds: int32("Seconds a new pod must be ready, without any container crashing, before it counts as available. Defaults to 0."),
    persistentVolumeClaimRetentionPolicy: ref(A("StatefulSetPersistentVolumeClaimRetentionPolicy"), "Whether the claims made from volumeClaimTemplates are deleted with the StatefulSet or when it scales down. Both default to Retain."),
    ordinals: ref(A("StatefulSetOrdinals"), "The number the first pod's ordinal starts at."),
  }, { required: ["selector", "template"] }),
  def(A("StatefulSetUpdateStrategy"), "How a StatefulSet replaces its pods after a template change.", {
    type: str("RollingUpdate (the default: pods are replaced one at a time from the highest ordinal down, each once the one before is Ready again) or OnDelete (a pod gets the new template only when it is deleted by hand).", ["OnDelete", "RollingUpdate"]),
    rollingUpdate: ref(A("RollingUpdateStatefulSetStrategy"), "Limits of a rolling update; only with type RollingUpdate."),
  }),
  def(A("RollingUpdateStatefulSetStrategy"), "How far a StatefulSet's rolling update goes.", {
    partition: int32("Only pods with an ordinal at or above the partition are updated; the others keep the old template (and get it again when recreated). Defaults to 0: every pod is updated. Used for staged and canary roll outs."),
    maxUnavailable: intOrString("How many pods may be unavailable during the update (a number or a percentage). Defaults to 1."),
  }),
  def(A("StatefulSetPersistentVolumeClaimRetentionPolicy"), "What happens to the claims made from volumeClaimTemplates.", {
    whenDeleted: str("When the StatefulSet is deleted: Retain (the default) keeps the claims, Delete removes them.", ["Delete", "Retain"]),
    whenScaled: str("When the StatefulSet scales down: Retain (the default) keeps the claims of the removed pods, Delete removes them.", ["Delete", "Retain"]),
  }),
  def(A("StatefulSetOrdinals"), "The numbering of a StatefulSet's pods.", {
    start: int32("The ordinal of the first pod. Defaults to 0: pods are named <set>-0 up to <set>-(replicas-1)."),
  }),
  def(A("StatefulSetStatus"), "What the statefulset controller last observed.", {
    observedGeneration: int64("The metadata.generation the controller last acted on."),
    replicas: int32("Pods the StatefulSet has created (and that exist)."),
    readyReplicas: int32("Pods that are Running and Ready."),
    currentReplicas: int32("Pods made from the currentRevision."),
    updatedReplicas: int32("Pods made from the updateRevision."),
    currentRevision: str("The ControllerRevision of the pods before the current update (equal to updateRevision once an update is complete)."),
    updateRevision: str("The ControllerRevision the pods are being updated to: the current template's."),
    collisionCount: int32("Used to make ControllerRevision names unique when their hashes collide."),
    conditions: list(A("StatefulSetCondition"), "Conditions of the StatefulSet."),
    availableReplicas: int32("Pods that have been ready for at least minReadySeconds."),
  }, { required: ["replicas"] }),
  def(A("StatefulSetCondition"), "One condition of a StatefulSet.", {
    type: str("The condition's type."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change."),
    message: str("A human-readable explanation."),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] }),
  kind("apps", "v1", "ControllerRevision", A("ControllerRevision"), "A ControllerRevision is an immutable snapshot of a controller's template at one point in time. DaemonSets (and StatefulSets) keep them to roll out changes and to roll back to an earlier revision.", {
    data: object("The recorded state, in whatever shape the owning controller chose (for a DaemonSet, a patch holding its pod template)."),
    revision: int64("The revision number: higher is newer. Required."),
  }),
];
