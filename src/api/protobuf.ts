// Decoder for the Kubernetes protobuf request bodies kubectl sends.
//
// `kubectl create deployment|service|namespace|configmap|secret|serviceaccount|job|cronjob|
// role|rolebinding|clusterrole|clusterrolebinding|token|quota|priorityclass|pdb|ingress`, `kubectl autoscale` and `kubectl auth can-i|whoami` POST their object as
// `application/vnd.kubernetes.protobuf` and do not retry with JSON if the server answers
// 415, so edgekube has to read that format.
// Everything else is stored and served as JSON, so this module only turns the protobuf
// body into the plain object the JSON API would have received.
//
// Wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the 4 bytes
// `k8s\0`, then a runtime.Unknown message {1 typeMeta{1 apiVersion, 2 kind}, 2 raw,
// 3 contentEncoding, 4 contentType}; `raw` is the object as plain proto2, whose field
// numbers come from the upstream `generated.proto` files of k8s.io/api and
// k8s.io/apimachinery. The table below is our own compact transcription of the subset
// of those messages that kubectl's create commands (and Pod/ReplicaSet bodies) use;
// fields we do not list are skipped, never rejected.
//
// We use @bufbuild/protobuf's BinaryReader and a hand-written descriptor table instead
// of generated code or protobufjs: protobufjs compiles decoders with `new Function`,
// which Workers forbid, and generated code for all of k8s.io/api would dwarf the worker.
import { BinaryReader, WireType, base64Encode } from "@bufbuild/protobuf/wire";
import { ApiError, badRequest } from "../model/errors";
import type { KubeObject, ObjectMeta } from "../model/types";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** True for `application/vnd.kubernetes.protobuf` with or without parameters. */
export function isProtobuf(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  return contentType.split(";")[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

// ---- descriptor table ----------------------------------------------------------------

type ValueType = "string" | "int32" | "int64" | "bool" | "bytes" | "message";

interface Field {
  /** JSON field name (the proto names are the JSON names in k8s.io/api). */
  name: string;
  type: ValueType;
  /** Message type name for `type: "message"` (and map values of message type). */
  message?: string;
  repeated?: boolean;
  /** map<string, type>: on the wire a repeated {1 key, 2 value} entry message. */
  map?: boolean;
  /**
   * Go pointer field (`*int32`, `*bool`, `*Struct`). The Go encoder writes every
   * non-pointer field even when zero, so zero values are dropped to get the JSON
   * shape; a pointer field is only written when set, and then zero means something
   * (`replicas: 0`, `emptyDir: {}`), so it is kept.
   */
  ptr?: boolean;
  /** Go embedded struct (`json:""`): its fields merge into the parent JSON object. */
  inline?: boolean;
}

type Opts = Pick<Field, "ptr" | "inline">;
const PTR: Opts = { ptr: true };
const INLINE: Opts = { inline: true };

const str = (name: string, o?: Opts): Field => ({ name, type: "string", ...o });
const i32 = (name: string, o?: Opts): Field => ({ name, type: "int32", ...o });
const i64 = (name: string, o?: Opts): Field => ({ name, type: "int64", ...o });
const bool = (name: string, o?: Opts): Field => ({ name, type: "bool", ...o });
const msg = (name: string, message: string, o?: Opts): Field => ({ name, type: "message", message, ...o });
const strs = (name: string): Field => ({ name, type: "string", repeated: true });
const i64s = (name: string): Field => ({ name, type: "int64", repeated: true });
const msgs = (name: string, message: string): Field => ({ name, type: "message", message, repeated: true });
const strMap = (name: string): Field => ({ name, type: "string", map: true });
/** map<string, bytes>: JSON carries bytes as base64 strings (Secret.data, ConfigMap.binaryData). */
const bytesMap = (name: string): Field => ({ name, type: "bytes", map: true });
/** map<string, resource.Quantity> (ResourceList). */
const qtyMap = (name: string): Field => ({ name, type: "message", message: "Quantity", map: true });

/** Message name -> field number -> field. Numbers transcribed from upstream generated.proto. */
const MESSAGES: Record<string, Record<number, Field>> = {
  // ---- k8s.io/apimachinery/pkg/apis/meta/v1 ----
  ObjectMeta: {
    1: str("name"), 2: str("generateName"), 3: str("namespace"), 4: str("selfLink"), 5: str("uid"),
    6: str("resourceVersion"), 7: i64("generation"), 8: msg("creationTimestamp", "Time"),
    9: msg("deletionTimestamp", "Time", PTR), 10: i64("deletionGracePeriodSeconds", PTR),
    11: strMap("labels"), 12: strMap("annotations"), 13: msgs("ownerReferences", "OwnerReference"),
    14: strs("finalizers"),
    // 17 managedFields: server-owned, skipped.
  },
  OwnerReference: {
    5: str("apiVersion"), 1: str("kind"), 3: str("name"), 4: str("uid"),
    6: bool("controller", PTR), 7: bool("blockOwnerDeletion", PTR),
  },
  LabelSelector: { 1: strMap("matchLabels"), 2: msgs("matchExpressions", "LabelSelectorRequirement") },
  LabelSelectorRequirement: { 1: str("key"), 2: str("operator"), 3: strs("values") },

  // ---- k8s.io/api/apps/v1 (status is not decoded: the server owns and resets it) ----
  Deployment: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "DeploymentSpec") },
  DeploymentSpec: {
    1: i32("replicas", PTR), 2: msg("selector", "LabelSelector", PTR), 3: msg("template", "PodTemplateSpec"),
    4: msg("strategy", "DeploymentStrategy"), 5: i32("minReadySeconds"), 6: i32("revisionHistoryLimit", PTR),
    7: bool("paused"), 9: i32("progressDeadlineSeconds", PTR),
  },
  DeploymentStrategy: { 1: str("type"), 2: msg("rollingUpdate", "RollingUpdateDeployment", PTR) },
  // maxUnavailable/maxSurge are *IntOrString: `maxUnavailable: 0` is a real setting.
  RollingUpdateDeployment: { 1: msg("maxUnavailable", "IntOrString", PTR), 2: msg("maxSurge", "IntOrString", PTR) },
  ReplicaSet: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "ReplicaSetSpec") },
  ReplicaSetSpec: {
    1: i32("replicas", PTR), 4: i32("minReadySeconds"), 2: msg("selector", "LabelSelector", PTR),
    3: msg("template", "PodTemplateSpec"),
  },

  // ---- k8s.io/api/autoscaling/v1 (`kubectl autoscale`; status is the server's) ----
  HorizontalPodAutoscalerV1: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "HorizontalPodAutoscalerSpecV1") },
  HorizontalPodAutoscalerSpecV1: {
    1: msg("scaleTargetRef", "CrossVersionObjectReference"), 2: i32("minReplicas", PTR), 3: i32("maxReplicas"),
    4: i32("targetCPUUtilizationPercentage", PTR),
  },
  CrossVersionObjectReference: { 1: str("kind"), 2: str("name"), 3: str("apiVersion") },

  // ---- k8s.io/api/policy/v1 (`kubectl create pdb`; status is the server's) ----
  PodDisruptionBudget: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodDisruptionBudgetSpec") },
  PodDisruptionBudgetSpec: {
    1: msg("minAvailable", "IntOrString", PTR), 2: msg("selector", "LabelSelector", PTR), 3: msg("maxUnavailable", "IntOrString", PTR),
    4: str("unhealthyPodEvictionPolicy", PTR),
  },

  // ---- k8s.io/api/batch/v1 ----
  Job: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "JobSpec") },
  JobSpec: {
    1: i32("parallelism", PTR), 2: i32("completions", PTR), 3: i64("activeDeadlineSeconds", PTR),
    4: msg("selector", "LabelSelector", PTR), 5: bool("manualSelector", PTR), 6: msg("template", "PodTemplateSpec"),
    7: i32("backoffLimit", PTR), 8: i32("ttlSecondsAfterFinished", PTR), 9: str("completionMode", PTR),
    10: bool("suspend", PTR), 12: i32("backoffLimitPerIndex", PTR), 13: i32("maxFailedIndexes", PTR),
    14: str("podReplacementPolicy", PTR), 15: str("managedBy", PTR),
  },
  JobTemplateSpec: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "JobSpec") },
  CronJob: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "CronJobSpec") },
  CronJobSpec: {
    1: str("schedule"), 8: str("timeZone", PTR), 2: i64("startingDeadlineSeconds", PTR), 3: str("concurrencyPolicy"),
    4: bool("suspend", PTR), 5: msg("jobTemplate", "JobTemplateSpec"), 6: i32("successfulJobsHistoryLimit", PTR),
    7: i32("failedJobsHistoryLimit", PTR),
  },

  // ---- k8s.io/api/core/v1 ----
  Pod: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodSpec") },
  PodTemplateSpec: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "PodSpec") },
  PodSpec: {
    1: msgs("volumes", "Volume"), 20: msgs("initContainers", "Container"), 2: msgs("containers", "Container"),
    3: str("restartPolicy"), 4: i64("terminationGracePeriodSeconds", PTR), 5: i64("activeDeadlineSeconds", PTR),
    6: str("dnsPolicy"), 7: strMap("nodeSelector"), 8: str("serviceAccountName"), 9: str("serviceAccount"),
    21: bool("automountServiceAccountToken", PTR), 10: str("nodeName"), 11: bool("hostNetwork"),
    12: bool("hostPID"), 13: bool("hostIPC"), 27: bool("shareProcessNamespace", PTR),
    14: msg("securityContext", "PodSecurityContext", PTR), 15: msgs("imagePullSecrets", "LocalObjectReference"),
    16: str("hostname"), 17: str("subdomain"), 18: msg("affinity", "Affinity", PTR), 19: str("schedulerName"),
    22: msgs("tolerations", "Toleration"), 23: msgs("hostAliases", "HostAlias"), 24: str("priorityClassName"),
    25: i32("priority", PTR), 26: msg("dnsConfig", "PodDNSConfig", PTR), 28: msgs("readinessGates", "PodReadinessGate"),
    29: str("runtimeClassName", PTR), 30: bool("enableServiceLinks", PTR), 31: str("preemptionPolicy", PTR),
    33: msgs("topologySpreadConstraints", "TopologySpreadConstraint"), 35: bool("setHostnameAsFQDN", PTR),
    36: msg("os", "PodOS", PTR), 37: bool("hostUsers", PTR), 40: msg("resources", "ResourceRequirements", PTR),
  },
  PodSecurityContext: {
    2: i64("runAsUser", PTR), 6: i64("runAsGroup", PTR), 3: bool("runAsNonRoot", PTR),
    4: i64s("supplementalGroups"), 5: i64("fsGroup", PTR), 10: msg("seccompProfile", "SeccompProfile", PTR),
  },
  SecurityContext: {
    1: msg("capabilities", "Capabilities", PTR), 2: bool("privileged", PTR), 4: i64("runAsUser", PTR),
    8: i64("runAsGroup", PTR), 5: bool("runAsNonRoot", PTR), 6: bool("readOnlyRootFilesystem", PTR),
    7: bool("allowPrivilegeEscalation", PTR), 11: msg("seccompProfile", "SeccompProfile", PTR),
  },
  Capabilities: { 1: strs("add"), 2: strs("drop") },
  SeccompProfile: { 1: str("type"), 2: str("localhostProfile", PTR) },
  LocalObjectReference: { 1: str("name") },
  HostAlias: { 1: str("ip"), 2: strs("hostnames") },
  PodDNSConfig: { 1: strs("nameservers"), 2: strs("searches"), 3: msgs("options", "PodDNSConfigOption") },
  PodDNSConfigOption: { 1: str("name"), 2: str("value", PTR) },
  PodReadinessGate: { 1: str("conditionType") },
  PodOS: { 1: str("name") },
  Toleration: { 1: str("key"), 2: str("operator"), 3: str("value"), 4: str("effect"), 5: i64("tolerationSeconds", PTR) },
  TopologySpreadConstraint: {
    1: i32("maxSkew"), 2: str("topologyKey"), 3: str("whenUnsatisfiable"), 4: msg("labelSelector", "LabelSelector", PTR),
    5: i32("minDomains", PTR), 6: str("nodeAffinityPolicy", PTR), 7: str("nodeTaintsPolicy", PTR), 8: strs("matchLabelKeys"),
  },
  Affinity: {
    1: msg("nodeAffinity", "NodeAffinity", PTR), 2: msg("podAffinity", "PodAffinity", PTR),
    3: msg("podAntiAffinity", "PodAffinity", PTR), // PodAntiAffinity has the same fields
  },
  NodeAffinity: {
    1: msg("requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector", PTR),
    2: msgs("preferredDuringSchedulingIgnoredDuringExecution", "PreferredSchedulingTerm"),
  },
  NodeSelector: { 1: msgs("nodeSelectorTerms", "NodeSelectorTerm") },
  NodeSelectorTerm: { 1: msgs("matchExpressions", "NodeSelectorRequirement"), 2: msgs("matchFields", "NodeSelectorRequirement") },
  NodeSelectorRequirement: { 1: str("key"), 2: str("operator"), 3: strs("values") },
  PreferredSchedulingTerm: { 1: i32("weight"), 2: msg("preference", "NodeSelectorTerm") },
  PodAffinity: {
    1: msgs("requiredDuringSchedulingIgnoredDuringExecution", "PodAffinityTerm"),
    2: msgs("preferredDuringSchedulingIgnoredDuringExecution", "WeightedPodAffinityTerm"),
  },
  PodAffinityTerm: {
    1: msg("labelSelector", "LabelSelector", PTR), 2: strs("namespaces"), 3: str("topologyKey"),
    4: msg("namespaceSelector", "LabelSelector", PTR), 5: strs("matchLabelKeys"), 6: strs("mismatchLabelKeys"),
  },
  WeightedPodAffinityTerm: { 1: i32("weight"), 2: msg("podAffinityTerm", "PodAffinityTerm") },

  Volume: { 1: str("name"), 2: msg("volumeSource", "VolumeSource", INLINE) },
  // Every source is a pointer: `emptyDir: {}` must survive as the volume's only source.
  VolumeSource: {
    1: msg("hostPath", "HostPathVolumeSource", PTR), 2: msg("emptyDir", "EmptyDirVolumeSource", PTR),
    6: msg("secret", "SecretVolumeSource", PTR), 10: msg("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource", PTR),
    19: msg("configMap", "ConfigMapVolumeSource", PTR),
  },
  HostPathVolumeSource: { 1: str("path"), 2: str("type", PTR) },
  EmptyDirVolumeSource: { 1: str("medium"), 2: msg("sizeLimit", "Quantity", PTR) },
  SecretVolumeSource: {
    1: str("secretName"), 2: msgs("items", "KeyToPath"), 3: i32("defaultMode", PTR), 4: bool("optional", PTR),
  },
  ConfigMapVolumeSource: {
    1: msg("localObjectReference", "LocalObjectReference", INLINE), 2: msgs("items", "KeyToPath"),
    3: i32("defaultMode", PTR), 4: bool("optional", PTR),
  },
  KeyToPath: { 1: str("key"), 2: str("path"), 3: i32("mode", PTR) },
  PersistentVolumeClaimVolumeSource: { 1: str("claimName"), 2: bool("readOnly") },

  Container: {
    1: str("name"), 2: str("image"), 3: strs("command"), 4: strs("args"), 5: str("workingDir"),
    6: msgs("ports", "ContainerPort"), 19: msgs("envFrom", "EnvFromSource"), 7: msgs("env", "EnvVar"),
    8: msg("resources", "ResourceRequirements"), 24: str("restartPolicy", PTR), 9: msgs("volumeMounts", "VolumeMount"),
    10: msg("livenessProbe", "Probe", PTR), 11: msg("readinessProbe", "Probe", PTR), 22: msg("startupProbe", "Probe", PTR),
    12: msg("lifecycle", "Lifecycle", PTR), 13: str("terminationMessagePath"), 20: str("terminationMessagePolicy"),
    14: str("imagePullPolicy"), 15: msg("securityContext", "SecurityContext", PTR), 16: bool("stdin"),
    17: bool("stdinOnce"), 18: bool("tty"),
  },
  ContainerPort: { 1: str("name"), 2: i32("hostPort"), 3: i32("containerPort"), 4: str("protocol"), 5: str("hostIP") },
  EnvVar: { 1: str("name"), 2: str("value"), 3: msg("valueFrom", "EnvVarSource", PTR) },
  EnvVarSource: {
    1: msg("fieldRef", "ObjectFieldSelector", PTR), 2: msg("resourceFieldRef", "ResourceFieldSelector", PTR),
    3: msg("configMapKeyRef", "ConfigMapKeySelector", PTR), 4: msg("secretKeyRef", "SecretKeySelector", PTR),
  },
  ObjectFieldSelector: { 1: str("apiVersion"), 2: str("fieldPath") },
  ResourceFieldSelector: { 1: str("containerName"), 2: str("resource"), 3: msg("divisor", "Quantity") },
  ConfigMapKeySelector: { 1: msg("localObjectReference", "LocalObjectReference", INLINE), 2: str("key"), 3: bool("optional", PTR) },
  SecretKeySelector: { 1: msg("localObjectReference", "LocalObjectReference", INLINE), 2: str("key"), 3: bool("optional", PTR) },
  EnvFromSource: {
    1: str("prefix"), 2: msg("configMapRef", "ConfigMapEnvSource", PTR), 3: msg("secretRef", "SecretEnvSource", PTR),
  },
  ConfigMapEnvSource: { 1: msg("localObjectReference", "LocalObjectReference", INLINE), 2: bool("optional", PTR) },
  SecretEnvSource: { 1: msg("localObjectReference", "LocalObjectReference", INLINE), 2: bool("optional", PTR) },
  ResourceRequirements: { 1: qtyMap("limits"), 2: qtyMap("requests"), 3: msgs("claims", "ResourceClaim") },
  ResourceClaim: { 1: str("name"), 2: str("request") },
  VolumeMount: {
    1: str("name"), 2: bool("readOnly"), 7: str("recursiveReadOnly", PTR), 3: str("mountPath"), 4: str("subPath"),
    5: str("mountPropagation", PTR), 6: str("subPathExpr"),
  },
  Probe: {
    1: msg("handler", "ProbeHandler", INLINE), 2: i32("initialDelaySeconds"), 3: i32("timeoutSeconds"),
    4: i32("periodSeconds"), 5: i32("successThreshold"), 6: i32("failureThreshold"),
    7: i64("terminationGracePeriodSeconds", PTR),
  },
  ProbeHandler: {
    1: msg("exec", "ExecAction", PTR), 2: msg("httpGet", "HTTPGetAction", PTR),
    3: msg("tcpSocket", "TCPSocketAction", PTR), 4: msg("grpc", "GRPCAction", PTR),
  },
  Lifecycle: { 1: msg("postStart", "LifecycleHandler", PTR), 2: msg("preStop", "LifecycleHandler", PTR) },
  LifecycleHandler: {
    1: msg("exec", "ExecAction", PTR), 2: msg("httpGet", "HTTPGetAction", PTR),
    3: msg("tcpSocket", "TCPSocketAction", PTR), 4: msg("sleep", "SleepAction", PTR),
  },
  ExecAction: { 1: strs("command") },
  HTTPGetAction: {
    1: str("path"), 2: msg("port", "IntOrString"), 3: str("host"), 4: str("scheme"), 5: msgs("httpHeaders", "HTTPHeader"),
  },
  HTTPHeader: { 1: str("name"), 2: str("value") },
  TCPSocketAction: { 1: msg("port", "IntOrString"), 2: str("host") },
  GRPCAction: { 1: i32("port"), 2: str("service", PTR) },
  SleepAction: { 1: i64("seconds") },

  Service: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "ServiceSpec") },
  ServiceSpec: {
    1: msgs("ports", "ServicePort"), 2: strMap("selector"), 3: str("clusterIP"), 18: strs("clusterIPs"), 4: str("type"),
    5: strs("externalIPs"), 7: str("sessionAffinity"), 8: str("loadBalancerIP"), 9: strs("loadBalancerSourceRanges"),
    10: str("externalName"), 11: str("externalTrafficPolicy"), 12: i32("healthCheckNodePort"),
    13: bool("publishNotReadyAddresses"), 14: msg("sessionAffinityConfig", "SessionAffinityConfig", PTR),
    19: strs("ipFamilies"), 17: str("ipFamilyPolicy", PTR), 20: bool("allocateLoadBalancerNodePorts", PTR),
    21: str("loadBalancerClass", PTR), 22: str("internalTrafficPolicy", PTR), 23: str("trafficDistribution", PTR),
  },
  ServicePort: {
    1: str("name"), 2: str("protocol"), 6: str("appProtocol", PTR), 3: i32("port"),
    4: msg("targetPort", "IntOrString"), 5: i32("nodePort"),
  },
  SessionAffinityConfig: { 1: msg("clientIP", "ClientIPConfig", PTR) },
  ClientIPConfig: { 1: i32("timeoutSeconds", PTR) },

  Namespace: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "NamespaceSpec") },
  NamespaceSpec: { 1: strs("finalizers") },

  ConfigMap: { 1: msg("metadata", "ObjectMeta"), 4: bool("immutable", PTR), 2: strMap("data"), 3: bytesMap("binaryData") },
  Secret: {
    1: msg("metadata", "ObjectMeta"), 5: bool("immutable", PTR), 2: bytesMap("data"), 4: strMap("stringData"),
    3: str("type"),
  },
  ServiceAccount: {
    1: msg("metadata", "ObjectMeta"), 2: msgs("secrets", "ObjectReference"), 3: msgs("imagePullSecrets", "LocalObjectReference"),
    4: bool("automountServiceAccountToken", PTR),
  },
  // Status is the server's (the quota's usage): not decoded.
  ResourceQuota: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "ResourceQuotaSpec") },
  ResourceQuotaSpec: { 1: qtyMap("hard"), 2: strs("scopes"), 3: msg("scopeSelector", "ScopeSelector", PTR) },
  ScopeSelector: { 1: msgs("matchExpressions", "ScopedResourceSelectorRequirement") },
  ScopedResourceSelectorRequirement: { 1: str("scopeName"), 2: str("operator"), 3: strs("values") },
  LimitRange: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "LimitRangeSpec") },
  LimitRangeSpec: { 1: msgs("limits", "LimitRangeItem") },
  LimitRangeItem: {
    1: str("type"), 2: qtyMap("max"), 3: qtyMap("min"), 4: qtyMap("default"), 5: qtyMap("defaultRequest"), 6: qtyMap("maxLimitRequestRatio"),
  },
  ObjectReference: {
    1: str("kind"), 2: str("namespace"), 3: str("name"), 4: str("uid"), 5: str("apiVersion"), 6: str("resourceVersion"),
    7: str("fieldPath"),
  },

  // ---- k8s.io/api/rbac/v1 ----
  Role: { 1: msg("metadata", "ObjectMeta"), 2: msgs("rules", "PolicyRule") },
  ClusterRole: { 1: msg("metadata", "ObjectMeta"), 2: msgs("rules", "PolicyRule"), 3: msg("aggregationRule", "AggregationRule", PTR) },
  PolicyRule: { 1: strs("verbs"), 2: strs("apiGroups"), 3: strs("resources"), 4: strs("resourceNames"), 5: strs("nonResourceURLs") },
  AggregationRule: { 1: msgs("clusterRoleSelectors", "LabelSelector") },
  RoleBinding: { 1: msg("metadata", "ObjectMeta"), 2: msgs("subjects", "Subject"), 3: msg("roleRef", "RoleRef") },
  Subject: { 1: str("kind"), 2: str("apiGroup"), 3: str("name"), 4: str("namespace") },
  RoleRef: { 1: str("apiGroup"), 2: str("kind"), 3: str("name") },

  // ---- k8s.io/api/scheduling/v1 ----
  PriorityClass: { 1: msg("metadata", "ObjectMeta"), 2: i32("value"), 3: bool("globalDefault"), 4: str("description"), 5: str("preemptionPolicy", PTR) },
  // ---- k8s.io/api/networking/v1 (`kubectl create ingress`; status is the controller's) ----
  Ingress: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "IngressSpec") },
  IngressSpec: {
    4: str("ingressClassName", PTR), 1: msg("defaultBackend", "IngressBackend", PTR), 2: msgs("tls", "IngressTLS"),
    3: msgs("rules", "IngressRule"),
  },
  IngressBackend: { 4: msg("service", "IngressServiceBackend", PTR), 3: msg("resource", "TypedLocalObjectReference", PTR) },
  IngressServiceBackend: { 1: str("name"), 2: msg("port", "ServiceBackendPort") },
  ServiceBackendPort: { 1: str("name"), 2: i32("number") },
  TypedLocalObjectReference: { 1: str("apiGroup", PTR), 2: str("kind"), 3: str("name") },
  IngressTLS: { 1: strs("hosts"), 2: str("secretName") },
  IngressRule: { 1: str("host"), 2: msg("ingressRuleValue", "IngressRuleValue", INLINE) },
  IngressRuleValue: { 1: msg("http", "HTTPIngressRuleValue", PTR) },
  HTTPIngressRuleValue: { 1: msgs("paths", "HTTPIngressPath") },
  // pathType is a *PathType: kubectl always sets it.
  HTTPIngressPath: { 1: str("path"), 3: str("pathType", PTR), 2: msg("backend", "IngressBackend") },
  IngressClass: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "IngressClassSpec") },
  IngressClassSpec: { 1: str("controller"), 2: msg("parameters", "IngressClassParametersReference", PTR) },
  IngressClassParametersReference: { 1: str("apiGroup", PTR), 2: str("kind"), 3: str("name"), 4: str("scope", PTR), 5: str("namespace", PTR) },

  // ---- k8s.io/api/authentication/v1 (status is the server's answer: not decoded) ----
  TokenRequest: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "TokenRequestSpec") },
  TokenRequestSpec: { 1: strs("audiences"), 4: i64("expirationSeconds", PTR), 3: msg("boundObjectRef", "BoundObjectReference", PTR) },
  BoundObjectReference: { 1: str("kind"), 2: str("apiVersion"), 3: str("name"), 4: str("uid") },
  TokenReview: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "TokenReviewSpec") },
  TokenReviewSpec: { 1: str("token"), 2: strs("audiences") },
  SelfSubjectReview: { 1: msg("metadata", "ObjectMeta") },

  // ---- k8s.io/api/authorization/v1 ----
  SelfSubjectAccessReview: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SelfSubjectAccessReviewSpec") },
  SelfSubjectAccessReviewSpec: { 1: msg("resourceAttributes", "ResourceAttributes", PTR), 2: msg("nonResourceAttributes", "NonResourceAttributes", PTR) },
  ResourceAttributes: {
    1: str("namespace"), 2: str("verb"), 3: str("group"), 4: str("version"), 5: str("resource"), 6: str("subresource"), 7: str("name"),
  },
  NonResourceAttributes: { 1: str("path"), 2: str("verb") },
  SelfSubjectRulesReview: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SelfSubjectRulesReviewSpec") },
  SelfSubjectRulesReviewSpec: { 1: str("namespace") },
  SubjectAccessReview: { 1: msg("metadata", "ObjectMeta"), 2: msg("spec", "SubjectAccessReviewSpec") },
  SubjectAccessReviewSpec: {
    1: msg("resourceAttributes", "ResourceAttributes", PTR), 2: msg("nonResourceAttributes", "NonResourceAttributes", PTR),
    3: str("user"), 4: strs("groups"), 6: str("uid"),
  },
};

/**
 * Messages whose JSON form is a scalar, not an object (custom Marshal/MarshalJSON
 * upstream). `undefined` means "unset": the field is dropped even if it is a pointer.
 */
const SPECIAL: Record<string, (bytes: Uint8Array) => unknown> = {
  // metav1.Time {1 seconds, 2 nanos}. The Go encoder writes the zero time as an empty
  // message (JSON null); JSON has second precision, and upstream ignores nanos too.
  Time(bytes) {
    if (bytes.length === 0) return undefined;
    let seconds = 0;
    readFields(bytes, (no, wt, r) => {
      if (no === 1 && wt === WireType.Varint) seconds = Number(r.int64());
      else r.skip(wt, no);
    });
    const ms = seconds * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw badRequest(`invalid protobuf body: timestamp out of range (${seconds}s)`);
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  },
  // intstr.IntOrString {1 type (0 Int, 1 String), 2 intVal, 3 strVal} -> number | string.
  IntOrString(bytes) {
    let type = 0;
    let intVal = 0;
    let strVal = "";
    readFields(bytes, (no, wt, r) => {
      if (no === 1 && wt === WireType.Varint) type = Number(r.int64());
      else if (no === 2 && wt === WireType.Varint) intVal = r.int32();
      else if (no === 3 && wt === WireType.LengthDelimited) strVal = r.string();
      else r.skip(wt, no);
    });
    return type === 1 ? strVal : intVal;
  },
  // resource.Quantity {1 string} -> its canonical string ("500m", "1Gi").
  Quantity(bytes) {
    let s = "";
    readFields(bytes, (no, wt, r) => {
      if (no === 1 && wt === WireType.LengthDelimited) s = r.string();
      else r.skip(wt, no);
    });
    return s;
  },
};

/** apiVersion/kind -> top-level message. Anything else is refused (415). */
const KINDS: Record<string, string> = {
  "apps/v1/Deployment": "Deployment",
  "apps/v1/ReplicaSet": "ReplicaSet",
  "v1/Pod": "Pod",
  "v1/Service": "Service",
  "v1/Namespace": "Namespace",
  "v1/ConfigMap": "ConfigMap",
  "v1/Secret": "Secret",
  "v1/ServiceAccount": "ServiceAccount",
  "v1/ResourceQuota": "ResourceQuota",
  "v1/LimitRange": "LimitRange",
  "batch/v1/Job": "Job",
  "batch/v1/CronJob": "CronJob",
  "autoscaling/v1/HorizontalPodAutoscaler": "HorizontalPodAutoscalerV1",
  "policy/v1/PodDisruptionBudget": "PodDisruptionBudget",
  "rbac.authorization.k8s.io/v1/Role": "Role",
  "rbac.authorization.k8s.io/v1/ClusterRole": "ClusterRole",
  "rbac.authorization.k8s.io/v1/RoleBinding": "RoleBinding",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "RoleBinding",
  "scheduling.k8s.io/v1/PriorityClass": "PriorityClass",
  "networking.k8s.io/v1/Ingress": "Ingress",
  "networking.k8s.io/v1/IngressClass": "IngressClass",
  "authentication.k8s.io/v1/TokenRequest": "TokenRequest",
  "authentication.k8s.io/v1/TokenReview": "TokenReview",
  "authentication.k8s.io/v1/SelfSubjectReview": "SelfSubjectReview",
  "authorization.k8s.io/v1/SelfSubjectAccessReview": "SelfSubjectAccessReview",
  "authorization.k8s.io/v1/SelfSubjectRulesReview": "SelfSubjectRulesReview",
  "authorization.k8s.io/v1/SubjectAccessReview": "SubjectAccessReview",
  "authorization.k8s.io/v1/LocalSubjectAccessReview": "SubjectAccessReview",
};

// ---- decoding ------------------------------------------------------------------------

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/**
 * Decode a `application/vnd.kubernetes.protobuf` request body into the JSON shape of
 * the object. Throws ApiError 400 (BadRequest) for a malformed body and 415
 * (UnsupportedMediaType) for a kind, encoding or inner content type we do not decode.
 */
export function decodeKubernetesProtobuf(bytes: Uint8Array): KubeObject {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw badRequest("invalid protobuf body: missing the k8s\\0 prefix");
  }
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = "";
  let contentType = "";
  let obj: Record<string, unknown>;
  try {
    // runtime.Unknown {1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType}
    readFields(bytes.subarray(MAGIC.length), (no, wt, r) => {
      if (no === 1 && wt === WireType.LengthDelimited) {
        readFields(r.bytes(), (tno, twt, tr) => {
          if (tno === 1 && twt === WireType.LengthDelimited) apiVersion = tr.string();
          else if (tno === 2 && twt === WireType.LengthDelimited) kind = tr.string();
          else tr.skip(twt, tno);
        });
      } else if (no === 2 && wt === WireType.LengthDelimited) raw = r.bytes();
      else if (no === 3 && wt === WireType.LengthDelimited) contentEncoding = r.string();
      else if (no === 4 && wt === WireType.LengthDelimited) contentType = r.string();
      else r.skip(wt, no);
    });
    if (!kind) throw badRequest("invalid protobuf body: the envelope names no kind");
    // The protobuf serializer leaves both empty; anything else (gzip, a JSON payload)
    // is not what kubectl sends and is refused rather than guessed at.
    if (contentEncoding) throw unsupported(`protobuf bodies with contentEncoding "${contentEncoding}" are not supported`);
    if (contentType && !isProtobuf(contentType)) throw unsupported(`protobuf envelopes carrying "${contentType}" are not supported`);
    const type = KINDS[`${apiVersion}/${kind}`];
    if (!type) {
      throw unsupported(`protobuf bodies of kind ${kind} (apiVersion "${apiVersion}") are not supported; send application/json`);
    }
    obj = decodeMessage(raw, type);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    // BinaryReader errors: truncated input ("premature EOF"), illegal tags, bad varints.
    throw badRequest(`invalid protobuf body: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { metadata, ...rest } = obj;
  return { apiVersion, kind, metadata: (metadata ?? {}) as ObjectMeta, ...rest };
}

function unsupported(message: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", message);
}

/** Run `each` for every field of a message; it must consume (or skip) the value. */
function readFields(bytes: Uint8Array, each: (no: number, wt: WireType, r: BinaryReader) => void): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    each(no, wt, r);
  }
}

function decodeNamed(bytes: Uint8Array, type: string): unknown {
  const special = SPECIAL[type];
  return special ? special(bytes) : decodeMessage(bytes, type);
}

function decodeMessage(bytes: Uint8Array, type: string): Record<string, unknown> {
  const desc = MESSAGES[type];
  if (!desc) throw new Error(`no descriptor for message ${type}`); // a bug in the table above
  const out: Record<string, unknown> = {};
  readFields(bytes, (no, wt, r) => {
    const f = desc[no];
    if (!f) {
      r.skip(wt, no); // a field we do not model (or a newer one): ignore it, as JSON decoding would
      return;
    }
    if (f.map) {
      expectWire(wt, WireType.LengthDelimited, type, f);
      const [key, value] = decodeMapEntry(r.bytes(), f, type);
      // Map values are kept even when empty: `labels: {tier: ""}` is meaningful.
      ((out[f.name] ??= {}) as Record<string, unknown>)[key] = value;
      return;
    }
    if (f.repeated) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wt === WireType.LengthDelimited && (f.type === "int32" || f.type === "int64" || f.type === "bool")) {
        // Packed encoding; gogo's proto2 output does not use it, but decoders must accept it.
        const packed = new BinaryReader(r.bytes());
        while (packed.pos < packed.len) list.push(readScalar(packed, f));
      } else {
        // List elements are kept even when empty/zero: position and count matter.
        list.push(readValue(r, wt, f, type));
      }
      return;
    }
    const value = readValue(r, wt, f, type);
    if (f.inline) Object.assign(out, value as Record<string, unknown>);
    else if (value !== undefined && (f.ptr || !isZero(value))) out[f.name] = value;
    else delete out[f.name]; // proto: the last occurrence wins
  });
  return out;
}

function decodeMapEntry(bytes: Uint8Array, f: Field, where: string): [string, unknown] {
  let key = "";
  let value: unknown;
  readFields(bytes, (no, wt, r) => {
    if (no === 1) {
      expectWire(wt, WireType.LengthDelimited, where, f);
      key = r.string();
    } else if (no === 2) value = readValue(r, wt, f, where);
    else r.skip(wt, no);
  });
  // An absent value is the proto default ("" for strings, bytes and Quantity).
  if (value === undefined) value = f.type === "message" ? decodeNamed(new Uint8Array(0), f.message!) ?? "" : "";
  return [key, value];
}

function readValue(r: BinaryReader, wt: WireType, f: Field, where: string): unknown {
  if (f.type === "message") {
    expectWire(wt, WireType.LengthDelimited, where, f);
    return decodeNamed(r.bytes(), f.message!);
  }
  const expected = f.type === "string" || f.type === "bytes" ? WireType.LengthDelimited : WireType.Varint;
  expectWire(wt, expected, where, f);
  return readScalar(r, f);
}

function readScalar(r: BinaryReader, f: Field): unknown {
  switch (f.type) {
    case "string":
      return r.string();
    case "bytes":
      return base64Encode(r.bytes()); // JSON carries []byte as standard base64
    case "int32":
      return r.int32();
    case "int64":
      return Number(r.int64()); // k8s int64s (seconds, generations) fit in a double
    case "bool":
      return r.bool();
    default:
      throw new Error(`field ${f.name} of type ${f.type} is not a scalar`);
  }
}

function expectWire(got: WireType, want: WireType, where: string, f: Field): void {
  if (got !== want) {
    throw badRequest(`invalid protobuf body: ${where}.${f.name} has wire type ${got}, expected ${want}`);
  }
}

/** The values the Go encoder writes for unset non-pointer fields. */
function isZero(v: unknown): boolean {
  if (v === 0 || v === "" || v === false) return true;
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
