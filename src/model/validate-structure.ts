// JSON types of the fields the model reads, as zod schemas. The API server would fail
// to decode a body whose `replicas` is a string or whose `containers` is an object;
// checking types first lets the semantic checks that follow assume them. Schemas are
// loose (unknown fields pass: fieldValidation=Strict handles those) and JSON null is
// accepted wherever a field is optional, as Go's decoder accepts it.
import { z } from "zod";
import type { StatusCause } from "./types";
import { typeInvalid, type BadValue } from "./field-errors";

const str = z.string().nullish();
const int = z.int().nullish();
const bool = z.boolean().nullish();
const strList = z.array(z.string()).nullish();
const strMap = z.record(z.string(), z.string()).nullish();
// Quantities decode from strings or JSON numbers.
const resourceList = z.record(z.string(), z.union([z.string(), z.number()])).nullish();
const intOrString = z.union([z.int(), z.string()]).nullish();

const objectMeta = z.looseObject({
  name: str,
  generateName: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  labels: strMap,
  annotations: strMap,
  finalizers: strList,
  ownerReferences: z
    .array(z.looseObject({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }))
    .nullish(),
});

const probe = z
  .looseObject({
    exec: z.looseObject({ command: strList }).nullish(),
    httpGet: z.looseObject({ path: str, port: intOrString, host: str, scheme: str, httpHeaders: z.array(z.looseObject({ name: str, value: str })).nullish() }).nullish(),
    tcpSocket: z.looseObject({ port: intOrString, host: str }).nullish(),
    grpc: z.looseObject({ port: int, service: str }).nullish(),
    initialDelaySeconds: int,
    timeoutSeconds: int,
    periodSeconds: int,
    successThreshold: int,
    failureThreshold: int,
    terminationGracePeriodSeconds: int,
  })
  .nullish();

const container = z.looseObject({
  name: str,
  image: str,
  command: strList,
  args: strList,
  workingDir: str,
  ports: z.array(z.looseObject({ name: str, containerPort: int, hostPort: int, protocol: str, hostIP: str })).nullish(),
  env: z.array(z.looseObject({ name: str, value: str })).nullish(),
  resources: z.looseObject({ limits: resourceList, requests: resourceList }).nullish(),
  volumeMounts: z.array(z.looseObject({ name: str, mountPath: str, readOnly: bool, subPath: str })).nullish(),
  imagePullPolicy: str,
  terminationMessagePolicy: str,
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  stdin: bool,
  tty: bool,
});

const podSpec = z.looseObject({
  containers: z.array(container).nullish(),
  initContainers: z.array(container).nullish(),
  volumes: z.array(z.looseObject({ name: str })).nullish(),
  restartPolicy: str,
  nodeName: str,
  nodeSelector: strMap,
  schedulerName: str,
  dnsPolicy: str,
  hostname: str,
  subdomain: str,
  hostNetwork: bool,
  activeDeadlineSeconds: int,
  terminationGracePeriodSeconds: int,
  priority: int,
  tolerations: z.array(z.looseObject({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int })).nullish(),
});

const labelSelector = z
  .looseObject({
    matchLabels: strMap,
    matchExpressions: z.array(z.looseObject({ key: str, operator: str, values: strList })).nullish(),
  })
  .nullish();

const podTemplate = z.looseObject({ metadata: objectMeta.nullish(), spec: podSpec.nullish() }).nullish();

const objectReference = z
  .looseObject({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str })
  .nullish();

const servicePort = z.looseObject({ name: str, protocol: str, appProtocol: str, port: int, targetPort: intOrString, nodePort: int });

const serviceSpec = z.looseObject({
  type: str,
  selector: strMap,
  ports: z.array(servicePort).nullish(),
  clusterIP: str,
  clusterIPs: strList,
  ipFamilies: strList,
  ipFamilyPolicy: str,
  externalName: str,
  externalIPs: strList,
  sessionAffinity: str,
  sessionAffinityConfig: z.looseObject({ clientIP: z.looseObject({ timeoutSeconds: int }).nullish() }).nullish(),
  externalTrafficPolicy: str,
  internalTrafficPolicy: str,
  healthCheckNodePort: int,
  publishNotReadyAddresses: bool,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerIP: str,
  loadBalancerSourceRanges: strList,
  loadBalancerClass: str,
  trafficDistribution: str,
});

const endpointPort = z.looseObject({ name: str, port: int, protocol: str, appProtocol: str });
const endpointAddress = z.looseObject({ ip: str, hostname: str, nodeName: str, targetRef: objectReference });

const jobSpec = z.looseObject({
  parallelism: int,
  completions: int,
  activeDeadlineSeconds: int,
  backoffLimit: int,
  selector: labelSelector,
  manualSelector: bool,
  template: podTemplate,
  ttlSecondsAfterFinished: int,
  completionMode: str,
  suspend: bool,
  podReplacementPolicy: str,
});

const quantity = z.union([z.string(), z.number()]).nullish();
const metricTarget = z.looseObject({ type: str, value: quantity, averageValue: quantity, averageUtilization: int }).nullish();
const metricId = z.looseObject({ name: str, selector: labelSelector }).nullish();
const crossVersionRef = z.looseObject({ kind: str, name: str, apiVersion: str });
const scalingRules = z
  .looseObject({ stabilizationWindowSeconds: int, selectPolicy: str, policies: z.array(z.looseObject({ type: str, value: int, periodSeconds: int })).nullish() })
  .nullish();
const hpaSpec = z.looseObject({
  scaleTargetRef: crossVersionRef.nullish(),
  minReplicas: int,
  maxReplicas: int,
  metrics: z
    .array(
      z.looseObject({
        type: str,
        resource: z.looseObject({ name: str, target: metricTarget }).nullish(),
        containerResource: z.looseObject({ name: str, container: str, target: metricTarget }).nullish(),
        pods: z.looseObject({ metric: metricId, target: metricTarget }).nullish(),
        object: z.looseObject({ describedObject: crossVersionRef.nullish(), metric: metricId, target: metricTarget }).nullish(),
        external: z.looseObject({ metric: metricId, target: metricTarget }).nullish(),
      }),
    )
    .nullish(),
  behavior: z.looseObject({ scaleUp: scalingRules, scaleDown: scalingRules }).nullish(),
});

// A status of the wrong type fails to decode upstream even though the server resets it.
const withSpec = (spec: z.ZodType, extra: z.ZodRawShape = {}) =>
  z.looseObject({ apiVersion: str, kind: str, metadata: objectMeta.nullish(), spec: spec.nullish(), status: z.looseObject({}).nullish(), ...extra });

const typedReference = z.looseObject({ apiGroup: str, kind: str, name: str }).nullish();
const ingressBackend = z
  .looseObject({ service: z.looseObject({ name: str, port: z.looseObject({ name: str, number: int }).nullish() }).nullish(), resource: typedReference })
  .nullish();
const ingressSpec = z.looseObject({
  ingressClassName: str,
  defaultBackend: ingressBackend,
  tls: z.array(z.looseObject({ hosts: strList, secretName: str })).nullish(),
  rules: z
    .array(z.looseObject({ host: str, http: z.looseObject({ paths: z.array(z.looseObject({ path: str, pathType: str, backend: ingressBackend })).nullish() }).nullish() }))
    .nullish(),
});
const ingressStatus = z.looseObject({ loadBalancer: z.looseObject({ ingress: z.array(z.looseObject({ ip: str, hostname: str })).nullish() }).nullish() }).nullish();

const pvcSpec = z.looseObject({
  accessModes: strList,
  selector: labelSelector,
  resources: z.looseObject({ requests: resourceList, limits: resourceList }).nullish(),
  volumeName: str,
  storageClassName: str,
  volumeMode: str,
});

const pvSpec = z.looseObject({
  capacity: resourceList,
  accessModes: strList,
  claimRef: objectReference,
  persistentVolumeReclaimPolicy: str,
  storageClassName: str,
  volumeMode: str,
  mountOptions: strList,
  csi: z.looseObject({ driver: str, volumeHandle: str, readOnly: bool, fsType: str, volumeAttributes: strMap }).nullish(),
});

const quotaSpec = z.looseObject({
  hard: resourceList,
  scopes: strList,
  scopeSelector: z.looseObject({ matchExpressions: z.array(z.looseObject({ scopeName: str, operator: str, values: strList })).nullish() }).nullish(),
});

const limitRangeSpec = z.looseObject({
  limits: z
    .array(z.looseObject({ type: str, max: resourceList, min: resourceList, default: resourceList, defaultRequest: resourceList, maxLimitRequestRatio: resourceList }))
    .nullish(),
});

const SCHEMAS: Record<string, z.ZodType> = {
  "ingresses.networking.k8s.io": withSpec(ingressSpec, { status: ingressStatus }),
  "ingressclasses.networking.k8s.io": withSpec(z.looseObject({ controller: str, parameters: z.looseObject({ apiGroup: str, kind: str, name: str, scope: str, namespace: str }).nullish() })),
  resourcequotas: withSpec(quotaSpec, { status: z.looseObject({ hard: resourceList, used: resourceList }).nullish() }),
  limitranges: withSpec(limitRangeSpec),
  persistentvolumes: withSpec(pvSpec),
  persistentvolumeclaims: withSpec(pvcSpec),
  "storageclasses.storage.k8s.io": z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    provisioner: str,
    parameters: strMap,
    reclaimPolicy: str,
    mountOptions: strList,
    allowVolumeExpansion: bool,
    volumeBindingMode: str,
  }),
  "priorityclasses.scheduling.k8s.io": z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    value: int,
    globalDefault: bool,
    description: str,
    preemptionPolicy: str,
  }),
  pods: withSpec(podSpec),
  "deployments.apps": withSpec(
    z.looseObject({
      replicas: int,
      selector: labelSelector,
      template: podTemplate,
      strategy: z.looseObject({ type: str, rollingUpdate: z.looseObject({ maxSurge: intOrString, maxUnavailable: intOrString }).nullish() }).nullish(),
      minReadySeconds: int,
      revisionHistoryLimit: int,
      progressDeadlineSeconds: int,
      paused: bool,
    }),
  ),
  replicationcontrollers: withSpec(z.looseObject({ replicas: int, selector: strMap, template: podTemplate, minReadySeconds: int })),
  "statefulsets.apps": withSpec(
    z.looseObject({
      replicas: int,
      selector: labelSelector,
      template: podTemplate,
      serviceName: str,
      podManagementPolicy: str,
      volumeClaimTemplates: z.array(z.looseObject({ metadata: objectMeta.nullish(), spec: z.looseObject({}).nullish() })).nullish(),
      updateStrategy: z.looseObject({ type: str, rollingUpdate: z.looseObject({ partition: int, maxUnavailable: intOrString }).nullish() }).nullish(),
      revisionHistoryLimit: int,
      minReadySeconds: int,
      persistentVolumeClaimRetentionPolicy: z.looseObject({ whenDeleted: str, whenScaled: str }).nullish(),
      ordinals: z.looseObject({ start: int }).nullish(),
    }),
  ),
  "replicasets.apps": withSpec(z.looseObject({ replicas: int, selector: labelSelector, template: podTemplate, minReadySeconds: int })),
  "jobs.batch": withSpec(jobSpec),
  "horizontalpodautoscalers.autoscaling": withSpec(hpaSpec),
  "poddisruptionbudgets.policy": withSpec(
    z.looseObject({ minAvailable: intOrString, maxUnavailable: intOrString, selector: labelSelector, unhealthyPodEvictionPolicy: str }),
    {
      status: z
        .looseObject({
          observedGeneration: int,
          disruptedPods: strMap,
          disruptionsAllowed: int,
          currentHealthy: int,
          desiredHealthy: int,
          expectedPods: int,
          conditions: z.array(z.looseObject({ type: str, status: str, observedGeneration: int, lastTransitionTime: str, reason: str, message: str })).nullish(),
        })
        .nullish(),
    },
  ),
  "cronjobs.batch": withSpec(
    z.looseObject({
      schedule: str,
      timeZone: str,
      startingDeadlineSeconds: int,
      concurrencyPolicy: str,
      suspend: bool,
      successfulJobsHistoryLimit: int,
      failedJobsHistoryLimit: int,
      jobTemplate: z.looseObject({ metadata: objectMeta.nullish(), spec: jobSpec.nullish() }).nullish(),
    }),
  ),
  nodes: withSpec(
    z.looseObject({
      unschedulable: bool,
      podCIDR: str,
      podCIDRs: strList,
      taints: z.array(z.looseObject({ key: str, value: str, effect: str, timeAdded: str })).nullish(),
    }),
    { status: z.looseObject({ capacity: resourceList, allocatable: resourceList }).nullish() },
  ),
  namespaces: withSpec(z.looseObject({ finalizers: strList })),
  "leases.coordination.k8s.io": withSpec(
    z.looseObject({ holderIdentity: str, leaseDurationSeconds: int, leaseTransitions: int, acquireTime: str, renewTime: str }),
  ),
  services: withSpec(serviceSpec),
  endpoints: z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    subsets: z
      .array(
        z.looseObject({
          addresses: z.array(endpointAddress).nullish(),
          notReadyAddresses: z.array(endpointAddress).nullish(),
          ports: z.array(endpointPort).nullish(),
        }),
      )
      .nullish(),
  }),
  "endpointslices.discovery.k8s.io": z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    addressType: str,
    endpoints: z
      .array(
        z.looseObject({
          addresses: strList,
          conditions: z.looseObject({ ready: bool, serving: bool, terminating: bool }).nullish(),
          hostname: str,
          nodeName: str,
          zone: str,
          targetRef: objectReference,
          deprecatedTopology: strMap,
          hints: z
            .looseObject({
              forZones: z.array(z.looseObject({ name: str })).nullish(),
              forNodes: z.array(z.looseObject({ name: str })).nullish(),
            })
            .nullish(),
        }),
      )
      .nullish(),
    ports: z.array(endpointPort).nullish(),
  }),
  configmaps: z.looseObject({ apiVersion: str, kind: str, metadata: objectMeta.nullish(), data: strMap, binaryData: strMap, immutable: bool }),
  secrets: z.looseObject({ apiVersion: str, kind: str, metadata: objectMeta.nullish(), data: strMap, stringData: strMap, type: str, immutable: bool }),
  serviceaccounts: z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    secrets: z.array(objectReference).nullish(),
    imagePullSecrets: z.array(z.looseObject({ name: str })).nullish(),
    automountServiceAccountToken: bool,
  }),
  events: z.looseObject({
    apiVersion: str,
    kind: str,
    metadata: objectMeta.nullish(),
    involvedObject: z.looseObject({ kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str }).nullish(),
    reason: str,
    message: str,
    type: str,
    count: int,
    reportingComponent: str,
    reportingInstance: str,
    source: z.looseObject({ component: str, host: str }).nullish(),
  }),
};

/** Every other object (CustomResourceDefinitions, custom objects): its metadata at least. */
const METADATA_ONLY = z.looseObject({ apiVersion: str, kind: str, metadata: objectMeta.nullish() });

const EXPECTED: Record<string, string> = { int: "integer", number: "integer", record: "object", object: "object", array: "array", string: "string", boolean: "boolean" };

function pathText(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "");
}

function describeInput(v: unknown): BadValue {
  if (v === null || v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

/** Type errors in the fields the model reads; empty when the shape is right. */
export function structuralErrors(resource: string, obj: unknown): StatusCause[] {
  const schema = SCHEMAS[resource] ?? METADATA_ONLY;
  const res = schema.safeParse(obj, { reportInput: true });
  if (res.success) return [];
  return res.error.issues.map((issue) => {
    const input = (issue as { input?: unknown }).input;
    let detail: string;
    if (issue.code === "invalid_type") detail = `must be of type ${EXPECTED[issue.expected] ?? issue.expected}`;
    else if (issue.code === "invalid_union") detail = "must be a string or a number";
    else detail = issue.message;
    return typeInvalid(pathText(issue.path), describeInput(input), detail);
  });
}
