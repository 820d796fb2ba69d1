// Cluster configuration from wrangler vars (overridable with `--var NAME:VALUE`).
// Every duration the model decides with comes from here, so tests and demos can use
// seconds where Kubernetes uses minutes.

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
  notReadyTolerationSeconds: number;
  unreachableTolerationSeconds: number;
  /** How long a runtime takes to start an exec'd process: its output waits this long. */
  execStartDelayMs: number;
  /** Change-log rows kept for watches to resume from; older resourceVersions get 410 Expired. */
  changeLogRetain: number;
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

type ConfigEnv = Partial<Record<
  | "DEFAULT_NODE_COUNT"
  | "DEFAULT_NODE_CPU"
  | "DEFAULT_NODE_MEMORY"
  | "NODE_MONITOR_GRACE_PERIOD"
  | "NODE_LEASE_DURATION_SECONDS"
  | "NODE_LEASE_RENEW_INTERVAL"
  | "NODE_LEASE_WRITE_INTERVAL"
  | "NODE_LIFECYCLE_SHARDS"
  | "DEFAULT_NOT_READY_TOLERATION_SECONDS"
  | "DEFAULT_UNREACHABLE_TOLERATION_SECONDS"
  | "EXEC_START_DELAY"
  | "CHANGE_LOG_RETAIN",
  string
>>;

export function readConfig(env: ConfigEnv): ClusterConfig {
  return {
    defaultNodeCount: int(env.DEFAULT_NODE_COUNT, 3),
    defaultNodeCpu: env.DEFAULT_NODE_CPU || "4",
    defaultNodeMemory: env.DEFAULT_NODE_MEMORY || "8Gi",
    nodeMonitorGracePeriodMs: parseDuration(env.NODE_MONITOR_GRACE_PERIOD, 50_000),
    nodeLeaseDurationSeconds: int(env.NODE_LEASE_DURATION_SECONDS, 40),
    nodeLeaseRenewIntervalMs: parseDuration(env.NODE_LEASE_RENEW_INTERVAL, 10_000),
    nodeLeaseWriteIntervalMs: parseDuration(env.NODE_LEASE_WRITE_INTERVAL, 10_000),
    nodeLifecycleShards: Math.max(1, Math.floor(int(env.NODE_LIFECYCLE_SHARDS, 4))),
    notReadyTolerationSeconds: int(env.DEFAULT_NOT_READY_TOLERATION_SECONDS, 300),
    unreachableTolerationSeconds: int(env.DEFAULT_UNREACHABLE_TOLERATION_SECONDS, 300),
    execStartDelayMs: parseDuration(env.EXEC_START_DELAY, 100),
    changeLogRetain: Math.max(1, Math.floor(int(env.CHANGE_LOG_RETAIN, 50_000))),
  };
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
