// What one pod sync works with: the time it runs at, the node's facts, the runtime,
// the event recorder, the IP table, and a way to ask for another sync later.
import type { ImageService, RuntimeService } from "../runtime";
import type { EventRecorder } from "./events";
import type { IpTable } from "./ipam";
import type { ConfigReader } from "./config-sources";
import type { ClaimReader, VolumeClient } from "./claims";
import type { TokenSource } from "./service-account-token";
import type { NodeAllocatable } from "./downward-api";

export interface SyncEnv {
  now: number;
  nodeName: string;
  hostIP: string;
  podCIDR: string;
  runtime: RuntimeService;
  images: ImageService;
  recorder: EventRecorder;
  /** ip -> pod UID; the caller persists it after the sync. */
  ips: IpTable;
  /** Container states as the runtime lists them now (id -> state). */
  states: Map<string, string>;
  /** Image pulls in progress on the node: normalised image -> who pulls it, until when. */
  pulls: Map<string, { owner: string; until: number }>;
  /** ConfigMaps and Secrets, read from the store at most once per sync. */
  readConfig: ConfigReader;
  /** References (config-sources.ts configRef, claims.ts claimRef) to objects that changed since the last sync. */
  configChanged: Set<string>;
  /** PersistentVolumeClaims, read from the store at most once per sync. */
  readClaim: ClaimReader;
  /** The store of a persistent volume; absent where no volume can be reached. */
  volumes?: (pv: string) => VolumeClient;
  /** Write back what the pods' persistent volumes queued (before a sandbox goes). */
  flushVolumes(): Promise<void>;
  /** ServiceAccount tokens for projected volumes (the API's TokenRequest); absent where no API can be asked. */
  tokens?: TokenSource;
  /** The node's allocatable, what a downward API limit without a limit reads. */
  allocatable: NodeAllocatable;
  /** Sync again at `at` (a timer keyed by `why`, so repeated asks collapse). */
  wake(at: number, why: string): void;
}
