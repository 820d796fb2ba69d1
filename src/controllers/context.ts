// What every reconciler works with: the store, the clock, the cluster configuration,
// and a way to ask for more work (another object, or itself later).
import type { ObjectStore } from "../store/store";
import type { ClusterConfig } from "../config";
import type { DefaultingConfig } from "../registry/defaults";
import type { WorkKey } from "./keys";

export interface ControllerContext {
  store: ObjectStore;
  now(): number;
  config: ClusterConfig;
  /** Reconcile `key` (soon, or after `delayMs`). */
  enqueue(key: WorkKey, delayMs?: number): void;
  /** Namespaces being deleted: controllers create nothing there, not even events. */
  terminating: Set<string>;
}

export function podDefaults(config: ClusterConfig): DefaultingConfig {
  return { notReadyTolerationSeconds: config.notReadyTolerationSeconds, unreachableTolerationSeconds: config.unreachableTolerationSeconds };
}

/** Thrown when a reconcile needs to run again soon without counting as a failure. */
export class Requeue extends Error {
  constructor(readonly delayMs = 0) {
    super("requeue");
  }
}
