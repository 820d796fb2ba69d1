// Defaulting as the API server applies it on create (SetDefaults_* in k8s.io/api and
// the DefaultTolerationSeconds admission plugin), so stored objects look like a real
// cluster's and the scheduler, kubelet and controllers can rely on the fields.
import type { ClusterConfig } from "../config";
import type { Container, CronJob, DaemonSet, StatefulSet, Deployment, Job, Namespace, Pod, PodSpec, Probe, ReplicaSet, ReplicationController, Service, Toleration } from "../model/types";
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from "../model/validate-batch";

export interface DefaultingConfig {
  notReadyTolerationSeconds: number;
  unreachableTolerationSeconds: number;
}

/** The cluster configuration's defaulting: every Registry is made with it. */
export function defaultingFrom(config: Pick<ClusterConfig, "notReadyTolerationSeconds" | "unreachableTolerationSeconds">): DefaultingConfig {
  return { notReadyTolerationSeconds: config.notReadyTolerationSeconds, unreachableTolerationSeconds: config.unreachableTolerationSeconds };
}

/** `:latest` or no tag means Always, anything else IfNotPresent (digests too). */
function defaultPullPolicy(image: string | undefined): "Always" | "IfNotPresent" {
  if (!image) return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastSlash = image.lastIndexOf("/");
  const tagAt = image.indexOf(":", lastSlash + 1);
  if (tagAt < 0) return "Always";
  return image.slice(tagAt + 1) === "latest" ? "Always" : "IfNotPresent";
}

/** SetDefaults_Probe and SetDefaults_HTTPGetAction. */
function defaultProbe(p: Probe | undefined): void {
  if (!p || typeof p !== "object") return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  // The generated defaults give grpc.service "" (kubectl describe dereferences it).
  if (p.grpc && typeof p.grpc === "object") p.grpc.service ??= "";
  if (p.httpGet && typeof p.httpGet === "object") {
    p.httpGet.path ||= "/";
    p.httpGet.scheme ||= "HTTP";
  }
}

function defaultContainer(c: Container): void {
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
}

/** New ephemeral containers are defaulted as containers are (kubectl debug sends them bare). */
export function defaultEphemeralContainers(spec: PodSpec): void {
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  // The v1 conversion: the deprecated `serviceAccount` names the account when
  // `serviceAccountName` does not, and is always written back equal to it.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === "string" && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (!v.emptyDir && !v.configMap && !v.secret && !v.hostPath && !v.projected && Object.keys(v).length === 1) v.emptyDir = {};
  }
}

function hasToleration(tolerations: Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || (t.operator === "Exists" && !t.key)) && (!t.effect || t.effect === "NoExecute"));
}

/** SetDefaults_Pod: a limit without a request for the same resource is also the request. */
function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || typeof limits !== "object" || !Object.keys(limits).length) return;
  const requests = (c.resources!.requests ??= {});
  if (typeof requests !== "object") return;
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

export function defaultPod(pod: Pod, cfg: DefaultingConfig): void {
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) defaultRequestsFromLimits(c);
  // The ServiceAccount admission plugin: a pod that names no account runs as "default".
  if (!pod.spec.serviceAccountName && !pod.spec.serviceAccount) pod.spec.serviceAccountName = "default";
  defaultPodSpec(pod.spec);
  // spec.priority and spec.preemptionPolicy come from Priority admission (strategies/scheduling.ts).
  const tolerations = (pod.spec.tolerations ??= []);
  if (!hasToleration(tolerations, "node.kubernetes.io/not-ready")) {
    tolerations.push({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: cfg.notReadyTolerationSeconds });
  }
  if (!hasToleration(tolerations, "node.kubernetes.io/unreachable")) {
    tolerations.push({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: cfg.unreachableTolerationSeconds });
  }
  pod.status = { phase: "Pending", qosClass: qosClass(pod.spec) };
}

/** QoS class as the kubelet computes it from requests and limits. */
export function qosClass(spec: PodSpec): "Guaranteed" | "Burstable" | "BestEffort" {
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (!l || q !== l) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

export function defaultDeployment(d: Deployment): void {
  d.spec.replicas ??= 1;
  d.spec.strategy ??= {};
  d.spec.strategy.type ??= "RollingUpdate";
  if (d.spec.strategy.type === "RollingUpdate") {
    d.spec.strategy.rollingUpdate ??= {};
    d.spec.strategy.rollingUpdate.maxSurge ??= "25%";
    d.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
  }
  d.spec.revisionHistoryLimit ??= 10;
  d.spec.progressDeadlineSeconds ??= 600;
  if (d.spec.template?.spec) defaultPodSpec(d.spec.template.spec);
  d.status = {};
}

/** SetDefaults_DaemonSet (apps/v1): RollingUpdate with maxUnavailable 1 and no surge, 10 revisions kept. */
export function defaultDaemonSetSpec(ds: DaemonSet): void {
  // Malformed shapes are left alone for validation to refuse (422, not a crash).
  const isObject = (v: unknown): v is object => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(ds.spec)) return;
  ds.spec.updateStrategy ??= {};
  const strategy = ds.spec.updateStrategy;
  if (isObject(strategy)) {
    strategy.type ??= "RollingUpdate";
    if (strategy.type === "RollingUpdate") {
      strategy.rollingUpdate ??= {};
      if (isObject(strategy.rollingUpdate)) {
        strategy.rollingUpdate.maxUnavailable ??= 1;
        strategy.rollingUpdate.maxSurge ??= 0;
      }
    }
  }
  ds.spec.revisionHistoryLimit ??= 10;
  if (isObject(ds.spec.template) && isObject(ds.spec.template.spec)) defaultPodSpec(ds.spec.template.spec);
}

/**
 * SetDefaults_ReplicationController: an empty selector, and empty labels, become the
 * template's labels; replicas default to 1. Runs on every write, as decoding does.
 */
export function defaultReplicationController(rc: ReplicationController): void {
  const spec = rc.spec as ReplicationController["spec"] | null | undefined;
  if (typeof spec !== "object" || spec === null) return;
  const template = typeof spec.template === "object" && spec.template !== null ? spec.template : undefined;
  const labels = template?.metadata?.labels;
  if (labels && typeof labels === "object") {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (template?.spec && typeof template.spec === "object") defaultPodSpec(template.spec);
}

/**
 * SetDefaults_StatefulSet (apps/v1): OrderedReady, RollingUpdate from partition 0, one
 * replica, 10 revisions kept, claims retained; each claim template gets the defaults of
 * a PersistentVolumeClaim (SetDefaults_PersistentVolumeClaim: Filesystem, Pending).
 */
export function defaultStatefulSetSpec(sts: StatefulSet): void {
  // Malformed shapes are left alone for validation to refuse (422, not a crash).
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const spec = sts.spec;
  if (!isObject(spec)) return;
  spec.podManagementPolicy ||= "OrderedReady";
  spec.updateStrategy ??= {};
  const strategy = spec.updateStrategy;
  if (isObject(strategy)) {
    if (!strategy.type) {
      strategy.type = "RollingUpdate";
      strategy.rollingUpdate ??= {};
    }
    if (strategy.type === "RollingUpdate" && isObject(strategy.rollingUpdate)) strategy.rollingUpdate.partition ??= 0;
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isObject(retention)) {
    retention.whenDeleted ||= "Retain";
    retention.whenScaled ||= "Retain";
  }
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (isObject(spec.template) && isObject(spec.template.spec)) defaultPodSpec(spec.template.spec);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) {
      if (!isObject(t)) continue;
      t.apiVersion ??= "v1";
      t.kind ??= "PersistentVolumeClaim";
      if (isObject(t.spec)) t.spec.volumeMode ??= "Filesystem";
      t.status ??= { phase: "Pending" };
    }
  }
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec.replicas ??= 1;
  if (rs.spec.template?.spec) defaultPodSpec(rs.spec.template.spec);
  rs.status = { replicas: 0 };
}

/**
 * SetDefaults_Job plus the job strategy's generateSelector: unless the selector is
 * manual, the pod template carries the Job's name and uid and the selector picks the
 * uid. A Job without labels takes its template's (as every read re-defaults it).
 */
export function defaultJob(job: Job): void {
  const spec = job.spec;
  if (!spec || typeof spec !== "object") return;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  if (spec.manualSelector !== true && spec.template && typeof spec.template === "object") {
    const labels = (spec.template.metadata ??= {}).labels ??= {};
    const uid = job.metadata.uid ?? "";
    const name = job.metadata.name ?? "";
    for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
    for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
    spec.selector ??= {};
    (spec.selector.matchLabels ??= {})[CONTROLLER_UID_LABEL] ??= uid;
  }
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) {
    const labels = spec.template?.metadata?.labels;
    if (labels && Object.keys(labels).length) job.metadata.labels = { ...labels };
  }
  job.status = {};
}

/** SetDefaults_CronJob, and the pod template's defaults. */
export function defaultCronJob(cj: CronJob): void {
  const spec = cj.spec;
  if (!spec || typeof spec !== "object") return;
  spec.concurrencyPolicy ??= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const podSpec = spec.jobTemplate?.spec?.template?.spec;
  if (podSpec) defaultPodSpec(podSpec);
  cj.status = {};
}

export function defaultNamespace(ns: Namespace): void {
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), "kubernetes.io/metadata.name": ns.metadata.name ?? "" };
  ns.spec = { finalizers: ["kubernetes"], ...(ns.spec ?? {}) };
  ns.status = { phase: "Active" };
}

/**
 * SetDefaults_Service plus what the registry fills in before allocation: ClusterIP
 * type, TCP ports targeting the same port, single-stack IPv4, Cluster traffic policies.
 * Applied on every write, so a PUT that leaves them out stores them defaulted again.
 * Malformed shapes are left alone for validation to refuse (422, not a crash).
 */
export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  if (typeof spec !== "object" || Array.isArray(spec)) return;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!p || typeof p !== "object") continue;
      p.protocol ??= "TCP";
      if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
    }
  }
  if (spec.type !== "ExternalName") {
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    spec.internalTrafficPolicy ??= "Cluster";
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
}
