// What every reconciler works with: the store to read, the registry to write, the
// clock, the cluster configuration, and a way to ask for more work (another object,
// or itself later).
import type { ObjectStore } from "../store/store";
import type { Registry } from "../registry/registry";
import type { ClusterConfig } from "../config";
import type { WorkKey } from "./keys";
import type { Pod } from "../model/types";
import type { PodUsage } from "../controlplane/metrics";

export interface ControllerContext {
  store: ObjectStore;
  /** Every write goes through it: the same strategies and validation as the API's. */
  registry: Registry;
  now(): number;
  config: ClusterConfig;
  /** Reconcile `key` (soon, or after `delayMs`). */
  enqueue(key: WorkKey, delayMs?: number): void;
  /** Namespaces being deleted: controllers create nothing there, not even events. */
  terminating: Set<string>;
  /** The store of a persistent volume's data (reclaim policy Delete removes it). */
  volumes?: (pv: string) => { destroy(): Promise<void> };
  /** The resource metrics pipeline (kubectl top's numbers), by pod UID: nothing stored, the kubelets asked. */
  podUsage(pods: readonly Pod[]): Promise<Map<string, PodUsage>>;
  /** The cluster's CA certificate, PEM (what the root-CA publisher puts in every namespace). */
  clusterCA?(): Promise<string>;
  /**
   * The most requests one write should carry: the client's burst, so a batch never waits
   * for more tokens than the bucket holds (unset: no limit).
   */
  writeBurst?: () => number;
}
