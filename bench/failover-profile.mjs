// The failover benchmark's lifecycle profile: 2 s heartbeats, a 6 s grace period,
// and pods evicted as soon as the unreachable taint lands (0 s tolerations), so the
// measurement is the cluster's own reaction rather than a configured wait.
export const PROFILE = {
  NODE_MONITOR_GRACE_PERIOD: "6s",
  NODE_LEASE_DURATION_SECONDS: "4",
  NODE_LEASE_RENEW_INTERVAL: "2s",
  DEFAULT_NOT_READY_TOLERATION_SECONDS: "0",
  DEFAULT_UNREACHABLE_TOLERATION_SECONDS: "0",
};
