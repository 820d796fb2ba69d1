// Known fields per kind, for fieldValidation=Strict (what `kubectl apply/create -f`
// asks for): a field the API does not define is reported as
// `strict decoding error: unknown field "spec.foo"`. The tables list the fields of
// the k8s.io/api types for the kinds served here; parts whose schema is large and
// not interpreted by this model (probes, volume sources, affinity, security
// contexts, status) are accepted as opaque ("any").

type Shape = "any" | "map" | { fields: Record<string, Shape> } | { list: Shape };

const ANY: Shape = "any";
const MAP: Shape = "map"; // map[string]X: keys are data, not fields
const struct = (fields: Record<string, Shape>): Shape => ({ fields });
const list = (of: Shape): Shape => ({ list: of });
const anyFields = (...names: string[]): Record<string, Shape> => Object.fromEntries(names.map((n) => [n, ANY]));

const OWNER_REFERENCE = struct(anyFields("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"));

const OBJECT_META = struct({
  ...anyFields("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp"),
  ...anyFields("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"),
  labels: MAP,
  annotations: MAP,
  ownerReferences: list(OWNER_REFERENCE),
  finalizers: ANY,
});

const CONTAINER_PORT = struct(anyFields("name", "hostPort", "containerPort", "protocol", "hostIP"));
const ENV_VAR = struct(anyFields("name", "value", "valueFrom"));
const VOLUME_MOUNT = struct(anyFields("name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr"));
const RESOURCES = struct({ limits: MAP, requests: MAP, claims: ANY });

const CONTAINER = struct({
  ...anyFields("name", "image", "command", "args", "workingDir", "envFrom", "resizePolicy", "restartPolicy", "restartPolicyRules"),
  ...anyFields("volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath"),
  ...anyFields("terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty", "targetContainerName"),
  ports: list(CONTAINER_PORT),
  env: list(ENV_VAR),
  resources: RESOURCES,
  volumeMounts: list(VOLUME_MOUNT),
});

const VOLUME_SOURCES = [
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
  "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
  "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
  "ephemeral", "image",
];
const VOLUME = struct(anyFields("name", ...VOLUME_SOURCES));

const TOLERATION = struct(anyFields("key", "operator", "value", "effect", "tolerationSeconds"));

const POD_SPEC = struct({
  ...anyFields("ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy"),
  ...anyFields("serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID"),
  ...anyFields("hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain", "affinity"),
  ...anyFields("schedulerName", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates", "runtimeClassName"),
  ...anyFields("enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints", "setHostnameAsFQDN", "os"),
  ...anyFields("hostUsers", "schedulingGates", "resourceClaims", "resources", "hostnameOverride", "workloadRef"),
  volumes: list(VOLUME),
  initContainers: list(CONTAINER),
  containers: list(CONTAINER),
  nodeSelector: MAP,
  tolerations: list(TOLERATION),
});

const POD_TEMPLATE = struct({ metadata: OBJECT_META, spec: POD_SPEC });

const LABEL_SELECTOR = struct({
  matchLabels: MAP,
  matchExpressions: list(struct(anyFields("key", "operator", "values"))),
});

const OBJECT_REFERENCE = struct(anyFields("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"));

const SERVICE_SPEC = struct({
  ...anyFields("clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity", "loadBalancerIP", "loadBalancerSourceRanges"),
  ...anyFields("externalName", "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses", "ipFamilies"),
  ...anyFields("ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution"),
  ports: list(struct(anyFields("name", "protocol", "appProtocol", "port", "targetPort", "nodePort"))),
  selector: MAP,
  sessionAffinityConfig: struct({ clientIP: struct(anyFields("timeoutSeconds")) }),
});

const ENDPOINT_ADDRESS = struct({ ...anyFields("ip", "hostname", "nodeName"), targetRef: OBJECT_REFERENCE });
const ENDPOINT_PORT = struct(anyFields("name", "port", "protocol", "appProtocol"));

const SLICE_ENDPOINT = struct({
  ...anyFields("addresses", "hostname", "nodeName", "zone"),
  conditions: struct(anyFields("ready", "serving", "terminating")),
  targetRef: OBJECT_REFERENCE,
  deprecatedTopology: MAP,
  hints: struct({ forZones: list(struct(anyFields("name"))), forNodes: list(struct(anyFields("name"))) }),
});

const top = (spec: Shape, extra: Record<string, Shape> = {}): Shape =>
  struct({ apiVersion: ANY, kind: ANY, metadata: OBJECT_META, spec, status: ANY, ...extra });

const JOB_SPEC = struct({
  ...anyFields("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes"),
  ...anyFields("manualSelector", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "podFailurePolicy"),
  ...anyFields("successPolicy", "managedBy"),
  selector: LABEL_SELECTOR,
  template: POD_TEMPLATE,
});

const POLICY_RULE = struct(anyFields("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"));
const ROLE = struct({ ...anyFields("apiVersion", "kind"), metadata: OBJECT_META, rules: list(POLICY_RULE) });
const BINDING = struct({
  ...anyFields("apiVersion", "kind"),
  metadata: OBJECT_META,
  subjects: list(struct(anyFields("kind", "apiGroup", "name", "namespace"))),
  roleRef: struct(anyFields("apiGroup", "kind", "name")),
});

const PVC_SPEC = struct({
  ...anyFields("accessModes", "volumeName", "storageClassName", "volumeMode", "dataSource", "dataSourceRef", "volumeAttributesClassName"),
  selector: LABEL_SELECTOR,
  resources: struct({ limits: MAP, requests: MAP }),
});

const PV_SPEC = struct({
  ...anyFields("accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName", "mountOptions", "volumeMode", "nodeAffinity"),
  ...anyFields("volumeAttributesClassName", "csi", "hostPath", "local", "nfs", "iscsi", "fc", "rbd", "cephfs", "glusterfs", "awsElasticBlockStore"),
  ...anyFields("gcePersistentDisk", "azureDisk", "azureFile", "cinder", "flexVolume", "vsphereVolume", "portworxVolume", "flocker", "quobyte"),
  ...anyFields("photonPersistentDisk", "scaleIO", "storageos"),
  capacity: MAP,
});

const CROSS_VERSION_REF = struct(anyFields("kind", "name", "apiVersion"));
const METRIC_ID = struct({ name: ANY, selector: LABEL_SELECTOR });
const METRIC_TARGET = struct(anyFields("type", "value", "averageValue", "averageUtilization"));
const SCALING_RULES = struct({ ...anyFields("stabilizationWindowSeconds", "selectPolicy", "tolerance"), policies: list(struct(anyFields("type", "value", "periodSeconds"))) });
const HPA_V2_SPEC = struct({
  ...anyFields("minReplicas", "maxReplicas"),
  scaleTargetRef: CROSS_VERSION_REF,
  metrics: list(
    struct({
      type: ANY,
      resource: struct({ name: ANY, target: METRIC_TARGET }),
      containerResource: struct({ name: ANY, container: ANY, target: METRIC_TARGET }),
      pods: struct({ metric: METRIC_ID, target: METRIC_TARGET }),
      object: struct({ describedObject: CROSS_VERSION_REF, metric: METRIC_ID, target: METRIC_TARGET }),
      external: struct({ metric: METRIC_ID, target: METRIC_TARGET }),
    }),
  ),
  behavior: struct({ scaleUp: SCALING_RULES, scaleDown: SCALING_RULES }),
});

const KINDS: Record<string, Shape> = {
  "horizontalpodautoscalers.autoscaling": top(HPA_V2_SPEC),
  // Resources served in more than one version are keyed by storage key and version too.
  "horizontalpodautoscalers.autoscaling/v1": top(struct({ ...anyFields("minReplicas", "maxReplicas", "targetCPUUtilizationPercentage"), scaleTargetRef: CROSS_VERSION_REF })),
  persistentvolumes: top(PV_SPEC),
  persistentvolumeclaims: top(PVC_SPEC),
  "storageclasses.storage.k8s.io": struct({
    ...anyFields("apiVersion", "kind", "provisioner", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"),
    metadata: OBJECT_META,
    parameters: MAP,
  }),
  "roles.rbac.authorization.k8s.io": ROLE,
  "clusterroles.rbac.authorization.k8s.io": struct({ ...(ROLE as { fields: Record<string, Shape> }).fields, aggregationRule: struct({ clusterRoleSelectors: list(LABEL_SELECTOR) }) }),
  "rolebindings.rbac.authorization.k8s.io": BINDING,
  "clusterrolebindings.rbac.authorization.k8s.io": BINDING,
  pods: top(POD_SPEC),
  "deployments.apps": top(
    struct({
      ...anyFields("replicas", "minReadySeconds", "revisionHistoryLimit", "paused", "progressDeadlineSeconds"),
      selector: LABEL_SELECTOR,
      template: POD_TEMPLATE,
      strategy: struct({ type: ANY, rollingUpdate: struct(anyFields("maxUnavailable", "maxSurge")) }),
    }),
  ),
  "daemonsets.apps": top(
    struct({
      ...anyFields("minReadySeconds", "revisionHistoryLimit"),
      selector: LABEL_SELECTOR,
      template: POD_TEMPLATE,
      updateStrategy: struct({ type: ANY, rollingUpdate: struct(anyFields("maxUnavailable", "maxSurge")) }),
    }),
  ),
  "statefulsets.apps": top(
    struct({
      ...anyFields("replicas", "serviceName", "podManagementPolicy", "revisionHistoryLimit", "minReadySeconds"),
      selector: LABEL_SELECTOR,
      template: POD_TEMPLATE,
      // Claim templates: their spec (access modes, resources, storage class) is checked where claims are.
      volumeClaimTemplates: list(struct({ ...anyFields("apiVersion", "kind", "spec", "status"), metadata: OBJECT_META })),
      updateStrategy: struct({ type: ANY, rollingUpdate: struct(anyFields("partition", "maxUnavailable")) }),
      persistentVolumeClaimRetentionPolicy: struct(anyFields("whenDeleted", "whenScaled")),
      ordinals: struct(anyFields("start")),
    }),
  ),
  // data is a RawExtension: any JSON.
  "controllerrevisions.apps": struct({ ...anyFields("apiVersion", "kind", "data", "revision"), metadata: OBJECT_META }),
  replicationcontrollers: top(struct({ ...anyFields("replicas", "minReadySeconds"), selector: MAP, template: POD_TEMPLATE })),
  "replicasets.apps": top(struct({ ...anyFields("replicas", "minReadySeconds"), selector: LABEL_SELECTOR, template: POD_TEMPLATE })),
  "jobs.batch": top(JOB_SPEC),
  "cronjobs.batch": top(
    struct({
      ...anyFields("schedule", "timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend"),
      ...anyFields("successfulJobsHistoryLimit", "failedJobsHistoryLimit"),
      jobTemplate: struct({ metadata: OBJECT_META, spec: JOB_SPEC }),
    }),
  ),
  nodes: top(
    struct({
      ...anyFields("podCIDR", "podCIDRs", "providerID", "unschedulable", "configSource", "externalID"),
      taints: list(struct(anyFields("key", "value", "effect", "timeAdded"))),
    }),
  ),
  namespaces: top(struct(anyFields("finalizers"))),
  "leases.coordination.k8s.io": top(
    struct(anyFields("holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions", "strategy", "preferredHolder")),
  ),
  services: top(SERVICE_SPEC),
  endpoints: struct({
    ...anyFields("apiVersion", "kind"),
    metadata: OBJECT_META,
    subsets: list(struct({ addresses: list(ENDPOINT_ADDRESS), notReadyAddresses: list(ENDPOINT_ADDRESS), ports: list(ENDPOINT_PORT) })),
  }),
  "endpointslices.discovery.k8s.io": struct({
    ...anyFields("apiVersion", "kind", "addressType"),
    metadata: OBJECT_META,
    endpoints: list(SLICE_ENDPOINT),
    ports: list(ENDPOINT_PORT),
  }),
  configmaps: struct({ ...anyFields("apiVersion", "kind", "immutable"), metadata: OBJECT_META, data: MAP, binaryData: MAP }),
  secrets: struct({ ...anyFields("apiVersion", "kind", "immutable", "type"), metadata: OBJECT_META, data: MAP, stringData: MAP }),
  resourcequotas: top(
    struct({
      hard: MAP,
      scopes: ANY,
      scopeSelector: struct({ matchExpressions: list(struct(anyFields("scopeName", "operator", "values"))) }),
    }),
  ),
  limitranges: top(struct({ limits: list(struct({ type: ANY, max: MAP, min: MAP, default: MAP, defaultRequest: MAP, maxLimitRequestRatio: MAP })) })),
  serviceaccounts: struct({
    ...anyFields("apiVersion", "kind", "automountServiceAccountToken"),
    metadata: OBJECT_META,
    secrets: list(OBJECT_REFERENCE),
    imagePullSecrets: list(struct(anyFields("name"))),
  }),
  events: struct({
    ...anyFields("apiVersion", "kind", "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count"),
    ...anyFields("type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"),
    metadata: OBJECT_META,
  }),
};

function walk(shape: Shape, value: unknown, path: string, out: string[]): void {
  if (shape === "any" || shape === "map" || value === null || typeof value !== "object") return;
  if ("list" in shape) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(shape.list, v, `${path}[${i}]`, out));
    return;
  }
  if (Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const sub = shape.fields[k];
    if (sub === undefined) out.push(p);
    else walk(sub, v, p, out);
  }
}

/**
 * Unknown field paths in a request body, in document order ("spec.foo",
 * "spec.template.spec.containers[0].imagee"). Resources without a table report nothing.
 */
export function strictUnknownFields(resource: string, obj: unknown): string[] {
  const shape = KINDS[resource];
  if (!shape) return [];
  const out: string[] = [];
  walk(shape, obj, "", out);
  return out;
}
