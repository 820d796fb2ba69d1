// Kubernetes object shapes used across edgekube. These mirror the fields of the
// upstream API types that the model reads or writes (k8s.io/api core/v1, apps/v1,
// coordination/v1, meta/v1); everything else a client sends is kept verbatim in the
// stored JSON, so the types are deliberately open (`[key: string]: unknown` where a
// client may add fields we do not interpret).

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Any stored API object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never> | ListMeta;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

// ---- core/v1 Pod ----

export type ResourceList = Record<string, string>;

interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

/** A port by number or by the name of one of the container's ports (intstr). */
export type IntOrString = number | string;

export interface HTTPHeader {
  name: string;
  value: string;
}

/** core/v1 Probe: one handler and its timing (defaults filled in by the registry). */
export interface Probe {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: IntOrString; host?: string; scheme?: "HTTP" | "HTTPS"; httpHeaders?: HTTPHeader[] };
  tcpSocket?: { port: IntOrString; host?: string };
  grpc?: { port: number; service?: string | null };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number | null;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  stdin?: boolean;
  tty?: boolean;
  restartPolicy?: string;
  [key: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | "";
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  timeAdded?: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
}

interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: unknown;
  secret?: unknown;
  hostPath?: unknown;
  projected?: unknown;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  /** Added by `kubectl debug` through pods/NAME/ephemeralcontainers; never restarted. */
  ephemeralContainers?: (Container & { targetContainerName?: string })[];
  volumes?: Volume[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: NodeAffinity; [key: string]: unknown };
  tolerations?: Toleration[];
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  dnsPolicy?: string;
  schedulerName?: string;
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName, kept equal to it. */
  serviceAccount?: string;
  priority?: number;
  priorityClassName?: string;
  securityContext?: unknown;
  hostNetwork?: boolean;
  enableServiceLinks?: boolean;
  preemptionPolicy?: string;
  /** The pod's hostname (its name when unset). */
  hostname?: string;
  /** With a headless Service of this name: the DNS name <hostname>.<subdomain>.<ns>.svc.<zone>. */
  subdomain?: string;
  [key: string]: unknown;
}

interface ContainerStateWaiting { reason?: string; message?: string }
interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  state?: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
}

export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  conditions?: Condition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  nominatedNodeName?: string;
  qosClass?: "Guaranteed" | "Burstable" | "BestEffort";
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
}

export interface Pod extends KubeObject {
  apiVersion: "v1";
  kind: "Pod";
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

// ---- core/v1 Node ----

interface NodeAddress { type: string; address: string }

interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}

interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  unschedulable?: boolean;
  taints?: Taint[];
  providerID?: string;
}

interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: Condition[];
  addresses?: NodeAddress[];
  nodeInfo?: NodeSystemInfo;
  images?: { names: string[]; sizeBytes: number }[];
  daemonEndpoints?: { kubeletEndpoint: { Port: number } };
  phase?: string;
}

export interface Node extends KubeObject {
  apiVersion: "v1";
  kind: "Node";
  spec: NodeSpec;
  status?: NodeStatus;
}

// ---- apps/v1 ----

interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: {
    type?: "RollingUpdate" | "Recreate";
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

export interface ReplicaSetSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds?: number;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KubeObject {
  apiVersion: "apps/v1";
  kind: "ReplicaSet";
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

/** core/v1 ReplicationController: a ReplicaSet's predecessor, with an equality-based selector. */
export interface ReplicationControllerSpec {
  replicas?: number;
  /** Equality-based (a label map); defaulted from the template's labels when empty. */
  selector?: Record<string, string>;
  template?: PodTemplateSpec;
  minReadySeconds?: number;
}

export interface ReplicationController extends KubeObject {
  apiVersion: "v1";
  kind: "ReplicationController";
  spec: ReplicationControllerSpec;
  /** The same counts as a ReplicaSet's. */
  status?: ReplicaSetStatus;
}

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: {
    type?: "RollingUpdate" | "OnDelete";
    rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
  };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export interface DaemonSet extends KubeObject {
  apiVersion: "apps/v1";
  kind: "DaemonSet";
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}

/** A StatefulSet's volumeClaimTemplates entry: a PersistentVolumeClaim made per pod. */
export interface PersistentVolumeClaimTemplate {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface StatefulSetSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  serviceName?: string;
  podManagementPolicy?: "OrderedReady" | "Parallel";
  updateStrategy?: {
    type?: "RollingUpdate" | "OnDelete";
    rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
  };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: "Retain" | "Delete"; whenScaled?: "Retain" | "Delete" };
  ordinals?: { start?: number };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: Condition[];
  availableReplicas: number;
}

export interface StatefulSet extends KubeObject {
  apiVersion: "apps/v1";
  kind: "StatefulSet";
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

/** apps/v1 ControllerRevision: an immutable snapshot of a controller's template. */
export interface ControllerRevision extends KubeObject {
  apiVersion: "apps/v1";
  kind: "ControllerRevision";
  data?: unknown;
  revision: number;
}

// ---- batch/v1 Job, CronJob ----

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: "NonIndexed" | "Indexed";
  suspend?: boolean;
  podReplacementPolicy?: "TerminatingOrFailed" | "Failed";
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

export interface Job extends KubeObject {
  apiVersion: "batch/v1";
  kind: "Job";
  spec: JobSpec;
  status?: JobStatus;
}

export interface JobTemplateSpec {
  metadata?: ObjectMeta;
  spec: JobSpec;
}

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
  suspend?: boolean;
  jobTemplate: JobTemplateSpec;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export interface CronJob extends KubeObject {
  apiVersion: "batch/v1";
  kind: "CronJob";
  spec: CronJobSpec;
  status?: CronJobStatus;
}

// ---- core/v1 Event, coordination/v1 Lease ----

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface Event extends KubeObject {
  apiVersion: "v1";
  kind: "Event";
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  type?: "Normal" | "Warning";
  reportingComponent?: string;
  reportingInstance?: string;
}

export interface Lease extends KubeObject {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface Namespace extends KubeObject {
  apiVersion: "v1";
  kind: "Namespace";
  spec?: { finalizers?: string[] };
  status?: { phase?: "Active" | "Terminating" };
}

// ---- Services and their endpoints (core/v1 Service, Endpoints; discovery.k8s.io/v1) ----

export interface ServicePort {
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
  port: number;
  /** A number or the name of a container port. */
  targetPort?: number | string;
  nodePort?: number;
}

type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

export interface ServiceSpec {
  type?: ServiceType;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  /** "None" makes a headless service. */
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: "SingleStack" | "PreferDualStack" | "RequireDualStack";
  externalName?: string;
  externalIPs?: string[];
  sessionAffinity?: "None" | "ClientIP";
  externalTrafficPolicy?: "Cluster" | "Local";
  internalTrafficPolicy?: "Cluster" | "Local";
  publishNotReadyAddresses?: boolean;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerIP?: string;
}

export interface Service extends KubeObject {
  apiVersion: "v1";
  kind: "Service";
  spec: ServiceSpec;
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] }; conditions?: Condition[] };
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  apiVersion: "v1";
  kind: "Endpoints";
  subsets?: EndpointSubset[];
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReference;
}

export interface EndpointSlice extends KubeObject {
  apiVersion: "discovery.k8s.io/v1";
  kind: "EndpointSlice";
  addressType: "IPv4" | "IPv6" | "FQDN";
  endpoints: SliceEndpoint[] | null;
  ports?: EndpointPort[] | null;
}

// ---- core/v1 ConfigMap, Secret, ServiceAccount ----

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  /** Values are base64, as JSON carries []byte. */
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret extends KubeObject {
  /** Values are base64, as JSON carries []byte. */
  data?: Record<string, string>;
  /** Write-only: folded into `data` by the strategy, never stored. */
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

export interface ServiceAccount extends KubeObject {
  secrets?: ObjectReference[];
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

/** A key of a ConfigMap or Secret, for env[].valueFrom. */
export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

// ---- rbac.authorization.k8s.io/v1 ----

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Role extends KubeObject {
  rules?: PolicyRule[] | null;
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}

export interface ClusterRole extends Role {
  aggregationRule?: AggregationRule | null;
}

/** kind User, Group or ServiceAccount; apiGroup rbac.authorization.k8s.io for the first two, "" for ServiceAccount. */
export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

export interface RoleBinding extends KubeObject {
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

// ---- core/v1 PersistentVolume, PersistentVolumeClaim; storage.k8s.io/v1 StorageClass ----

export type PersistentVolumeAccessMode = "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";
export type PersistentVolumeReclaimPolicy = "Retain" | "Delete" | "Recycle";

/** A CSI volume: the driver that serves it and its handle there (what our provisioner fills in). */
export interface CSIPersistentVolumeSource {
  driver: string;
  volumeHandle: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  [key: string]: unknown;
}

export interface PersistentVolumeSpec {
  capacity?: ResourceList;
  accessModes?: PersistentVolumeAccessMode[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: PersistentVolumeReclaimPolicy;
  storageClassName?: string;
  volumeMode?: "Filesystem" | "Block";
  mountOptions?: string[];
  volumeAttributesClassName?: string;
  csi?: CSIPersistentVolumeSource;
  hostPath?: unknown;
  local?: unknown;
  nfs?: unknown;
  nodeAffinity?: unknown;
  [key: string]: unknown;
}

export interface PersistentVolumeStatus {
  phase?: "Pending" | "Available" | "Bound" | "Released" | "Failed";
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

export interface PersistentVolume extends KubeObject {
  apiVersion: "v1";
  kind: "PersistentVolume";
  spec: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}

export interface PersistentVolumeClaimSpec {
  accessModes?: PersistentVolumeAccessMode[];
  selector?: LabelSelector;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  volumeName?: string;
  /** null/absent: the default class (DefaultStorageClass admission); "": no class (static binding only). */
  storageClassName?: string | null;
  volumeMode?: "Filesystem" | "Block";
  dataSource?: unknown;
  dataSourceRef?: unknown;
  volumeAttributesClassName?: string;
  [key: string]: unknown;
}

export interface PersistentVolumeClaimStatus {
  phase?: "Pending" | "Bound" | "Lost";
  accessModes?: PersistentVolumeAccessMode[];
  capacity?: ResourceList;
  conditions?: Condition[];
  [key: string]: unknown;
}

export interface PersistentVolumeClaim extends KubeObject {
  apiVersion: "v1";
  kind: "PersistentVolumeClaim";
  spec: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}

export interface StorageClass extends KubeObject {
  apiVersion: "storage.k8s.io/v1";
  kind: "StorageClass";
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: "Retain" | "Delete";
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
  allowedTopologies?: unknown[];
}
// ---- scheduling.k8s.io/v1 PriorityClass ----

/** What a pod's priorityClassName resolves to: a priority value and whether it may preempt. */
export interface PriorityClass extends KubeObject {
  apiVersion: "scheduling.k8s.io/v1";
  kind: "PriorityClass";
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
}

export type * from "./autoscaling-types";
export type * from "./policy-types";
