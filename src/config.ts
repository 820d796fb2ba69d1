// Cluster configuration from wrangler vars (overridable with `--var NAME:VALUE`).
// Every duration the model decides with comes from here, so tests and demos can use
// seconds where Kubernetes uses minutes.
import type { RateLimit } from "./util/client-rate-limiter";

export interface ClusterConfig {
  defaultNodeCount: number;
  defaultNodeCpu: string;
  defaultNodeMemory: string;
  nodeMonitorGracePeriodMs: number;
  nodeLeaseDurationSeconds: number;
  nodeLeaseRenewIntervalMs: number;
  /** A node's Lease row in D1 is rewritten at most this often; renewals in between stay with the lifecycle controller. */
  nodeLeaseWriteIntervalMs: number;
  /** Node lifecycle controllers, each watching the nodes whose names hash to it. */
  nodeLifecycleShards: number;
  /** Heartbeats of an isolate's nodes due within this window go to their lifecycle controller in one call (0: each alone). */
  nodeRenewalBatchWindowMs: number;
  notReadyTolerationSeconds: number;
  unreachableTolerationSeconds: number;
  /** How long a runtime takes to start an exec'd process: its output waits this long. */
  execStartDelayMs: number;
  /** Events are deleted this long after they were last seen (the API server's --event-ttl). */
  eventTtlMs: number;
  /** The API server's --max-requests-inflight: reads served at once per isolate (0: no limit). */
  maxRequestsInflight: number;
  /** The API server's --max-mutating-requests-inflight: writes served at once per isolate (0: no limit). */
  maxMutatingRequestsInflight: number;
  /** The Job controller's back-off after a pod fails: this long, doubling per failure... */
  jobBackoffBaseMs: number;
  /** ...up to this long (upstream: 10 s and 6 min). */
  jobBackoffMaxMs: number;
  /** Change-log rows kept for watches to resume from; older resourceVersions get 410 Expired. */
  changeLogRetain: number;
  /** --horizontal-pod-autoscaler-sync-period: each HPA is synced this often (upstream 15 s). */
  hpaSyncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization: the scale-down window without a behavior (5 min). */
  hpaDownscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period: a new pod's CPU counts once ready and measured for a window (5 min). */
  hpaCpuInitializationPeriodMs: number;
  /** The address Ingresses of the cluster's own class report (status.loadBalancer): an IP or a DNS name. */
  ingressAddress: string;
  /** The controller manager's writes: --kube-api-qps / --kube-api-burst (upstream 20 / 30). qps 0: no limit. */
  controllerKubeApi: RateLimit;
  /** The scheduler's binds and status writes: clientConnection.qps / burst (upstream 50 / 100). */
  schedulerKubeApi: RateLimit;
  /** Each kubelet's writes: kubeAPIQPS / kubeAPIBurst (upstream 50 / 100). */
  kubeletKubeApi: RateLimit;
  /** The type of a new ServiceAccount signing key, by kubeadm's encryptionAlgorithm names (default RSA-2048). */
  serviceAccountKeyAlgorithm: KeyAlgorithm;
}

/** kubeadm's encryptionAlgorithm values (ClusterConfiguration v1beta4). */
export const KEY_ALGORITHMS = ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

function keyAlgorithm(value: string | undefined): KeyAlgorithm {
  const v = value?.trim() || "RSA-2048";
  if (!(KEY_ALGORITHMS as readonly string[]).includes(v)) throw new Error(`SERVICE_ACCOUNT_KEY_ALGORITHM: unknown encryption algorithm ${JSON.stringify(v)}; expected one of ${KEY_ALGORITHMS.join(", ")}`);
  return v as KeyAlgorithm;
}

/** "50s", "1m30s", "500ms", "2h", or a bare number of seconds. */
function parseDuration(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value.trim() === "") return fallbackMs;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (consumed !== v.length) throw new Error(`invalid duration ${JSON.stringify(value)}`);
  return total;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) ? n : fallback;
}

/** The wrangler vars the configuration reads (wrangler.toml [vars], `--var NAME:VALUE`). */
interface ConfigEnv {
  DEFAULT_NODE_COUNT?: string;
  DEFAULT_NODE_CPU?: string;
  DEFAULT_NODE_MEMORY?: string;
  NODE_MONITOR_GRACE_PERIOD?: string;
  NODE_LEASE_DURATION_SECONDS?: string;
  NODE_LEASE_RENEW_INTERVAL?: string;
  NODE_LEASE_WRITE_INTERVAL?: string;
  NODE_RENEWAL_BATCH_WINDOW?: string;
  NODE_LIFECYCLE_SHARDS?: string;
  DEFAULT_NOT_READY_TOLERATION_SECONDS?: string;
  DEFAULT_UNREACHABLE_TOLERATION_SECONDS?: string;
  EXEC_START_DELAY?: string;
  EVENT_TTL?: string;
  MAX_REQUESTS_INFLIGHT?: string;
  MAX_MUTATING_REQUESTS_INFLIGHT?: string;
  CHANGE_LOG_RETAIN?: string;
  JOB_BACKOFF_BASE?: string;
  JOB_BACKOFF_MAX?: string;
  HPA_SYNC_PERIOD?: string;
  HPA_DOWNSCALE_STABILIZATION?: string;
  HPA_CPU_INITIALIZATION_PERIOD?: string;
  INGRESS_ADDRESS?: string;
  CONTROLLER_KUBE_API_QPS?: string;
  CONTROLLER_KUBE_API_BURST?: string;
  SCHEDULER_KUBE_API_QPS?: string;
  SCHEDULER_KUBE_API_BURST?: string;
  KUBELET_KUBE_API_QPS?: string;
  KUBELET_KUBE_API_BURST?: string;
  SERVICE_ACCOUNT_KEY_ALGORITHM?: string;
}

/** A client's QPS and burst; a QPS of 0 (or less) turns the limit off. */
function rateLimit(qps: string | undefined, burst: string | undefined, dflt: RateLimit): RateLimit {
  return { qps: Math.max(0, int(qps, dflt.qps)), burst: Math.max(1, Math.floor(int(burst, dflt.burst))) };
}

/**
 * Parsed once per environment object: readConfig runs on every request, heartbeat and
 * alarm, and parsing every duration each time was a measurable share of a large
 * cluster's one thread. Frozen, so no caller can change what the others read.
 */
const parsed = new WeakMap<ConfigEnv, Readonly<ClusterConfig>>();

export function readConfig(env: ConfigEnv): Readonly<ClusterConfig> {
  let config = parsed.get(env);
  if (!config) {
    config = Object.freeze(parseConfig(env));
    parsed.set(env, config);
  }
  return config;
}

function parseConfig(env: ConfigEnv): ClusterConfig {
  return {
    defaultNodeCount: int(env.DEFAULT_NODE_COUNT, 3),
    defaultNodeCpu: env.DEFAULT_NODE_CPU || "4",
    defaultNodeMemory: env.DEFAULT_NODE_MEMORY || "8Gi",
    nodeMonitorGracePeriodMs: parseDuration(env.NODE_MONITOR_GRACE_PERIOD, 50_000),
    nodeLeaseDurationSeconds: int(env.NODE_LEASE_DURATION_SECONDS, 40),
    nodeLeaseRenewIntervalMs: parseDuration(env.NODE_LEASE_RENEW_INTERVAL, 10_000),
    nodeLeaseWriteIntervalMs: parseDuration(env.NODE_LEASE_WRITE_INTERVAL, 10_000),
    nodeLifecycleShards: Math.max(1, Math.floor(int(env.NODE_LIFECYCLE_SHARDS, 4))),
    nodeRenewalBatchWindowMs: parseDuration(env.NODE_RENEWAL_BATCH_WINDOW, 500),
    notReadyTolerationSeconds: int(env.DEFAULT_NOT_READY_TOLERATION_SECONDS, 300),
    unreachableTolerationSeconds: int(env.DEFAULT_UNREACHABLE_TOLERATION_SECONDS, 300),
    execStartDelayMs: parseDuration(env.EXEC_START_DELAY, 100),
    eventTtlMs: parseDuration(env.EVENT_TTL, 3_600_000),
    maxRequestsInflight: Math.max(0, Math.floor(int(env.MAX_REQUESTS_INFLIGHT, 400))),
    maxMutatingRequestsInflight: Math.max(0, Math.floor(int(env.MAX_MUTATING_REQUESTS_INFLIGHT, 200))),
    jobBackoffBaseMs: parseDuration(env.JOB_BACKOFF_BASE, 10_000),
    jobBackoffMaxMs: parseDuration(env.JOB_BACKOFF_MAX, 360_000),
    changeLogRetain: Math.max(1, Math.floor(int(env.CHANGE_LOG_RETAIN, 50_000))),
    hpaSyncPeriodMs: Math.max(100, parseDuration(env.HPA_SYNC_PERIOD, 15_000)),
    hpaDownscaleStabilizationMs: parseDuration(env.HPA_DOWNSCALE_STABILIZATION, 300_000),
    hpaCpuInitializationPeriodMs: parseDuration(env.HPA_CPU_INITIALIZATION_PERIOD, 300_000),
    ingressAddress: env.INGRESS_ADDRESS?.trim() || "127.0.0.1",
    controllerKubeApi: rateLimit(env.CONTROLLER_KUBE_API_QPS, env.CONTROLLER_KUBE_API_BURST, { qps: 20, burst: 30 }),
    schedulerKubeApi: rateLimit(env.SCHEDULER_KUBE_API_QPS, env.SCHEDULER_KUBE_API_BURST, { qps: 50, burst: 100 }),
    kubeletKubeApi: rateLimit(env.KUBELET_KUBE_API_QPS, env.KUBELET_KUBE_API_BURST, { qps: 50, burst: 100 }),
    serviceAccountKeyAlgorithm: keyAlgorithm(env.SERVICE_ACCOUNT_KEY_ALGORITHM),
  };
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
