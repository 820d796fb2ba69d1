// The RPC surface of a NodeAgent Durable Object (one per node), as the rest of the
// control plane sees it. The scheduler, the API worker and the controllers code
// against this interface; src/node/node-agent.ts implements it.
import type { Pod } from "../model/types";

export interface NodeConfig {
  name: string;
  /** e.g. "4" */
  cpu: string;
  /** e.g. "8Gi" */
  memory: string;
  pods: number;
  ephemeralStorage: string;
  /** "containerd" or "cri-o": which runtime this node reports. */
  runtime: "containerd" | "cri-o";
  labels?: Record<string, string>;
}

export type AdmitResult =
  | { admitted: true }
  | { admitted: false; reason: string; message: string };

/** CPU and memory at one moment, as the kubelet's Summary API reports them. */
export interface UsageSample {
  /** When it was measured (ms since the epoch). */
  time: number;
  usageNanoCores: number;
  workingSetBytes: number;
}

export interface ContainerUsageStats extends UsageSample {
  name: string;
}

export interface PodUsageStats {
  podRef: { name: string; namespace: string; uid: string };
  containers: ContainerUsageStats[];
}

/**
 * The kubelet's stats summary (/stats/summary, what metrics-server scrapes): the node's
 * own usage (its pods plus the system's) and each running pod's, per container.
 */
export interface NodeStatsSummary {
  node: { nodeName: string } & UsageSample;
  pods: PodUsageStats[];
  /** The window CPU usage is averaged over, in milliseconds. */
  windowMs: number;
}

/** What a poke is about; without it, everything is re-read. */
export interface PokeReason {
  /** false: only the node's pods changed, not its Node object (which then is not read). */
  node?: boolean;
}

export interface NodeAgentApi {
  /** Bring the node up (idempotent): register the Node object, start its kubelet timers. */
  start(config: NodeConfig): Promise<void>;
  /** Something about this node or its pods changed in the store: re-read and converge. */
  poke(what?: PokeReason): Promise<void>;
  /**
   * Reserve room for a pod the scheduler wants to bind here. The kubelet is the final
   * authority on its own resources: two schedulers' decisions can never overcommit it.
   */
  admit(pod: Pod): Promise<AdmitResult>;
  /**
   * admit() for several pods in one call (the scheduler's batch for this node), judged
   * in order so each admitted pod's reservation counts against the next: one verdict
   * per pod, and a refusal concerns only the pod it answers for.
   */
  admitMany(pods: Pod[]): Promise<AdmitResult[]>;
  /**
   * ConfigMaps or Secrets that pods here refer to changed ("configmaps/NS/NAME"):
   * containers waiting for them try again, volumes made from them are rewritten.
   */
  configChanged(refs: string[]): Promise<void>;
  /** What the node and its pods use now; null from a node that is down or not started. */
  statsSummary(): Promise<NodeStatsSummary | null>;
  /** The Node object was deleted: stop everything. */
  stop(): Promise<void>;
}
