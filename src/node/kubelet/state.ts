// What the kubelet remembers about its pods, in the node's Durable Object storage (the
// synchronous KV API of SQLite-backed objects): one record per pod, admission
// reservations, the IP table and the node's network facts. Reads and writes are
// synchronous, so a step that only touches this state cannot interleave with another
// request: admission checks and reserves atomically.
import type { CachedToken } from "./service-account-token";
import type { MountedClaim } from "./claims";
import type { ContainerStateTerminated, Pod } from "../../model/types";
import type { NodeConfig } from "../../controlplane/node-api";
import type { BackoffEntry } from "./backoff";
import type { IpTable } from "./ipam";
import type { Occupant } from "./admission";

/** One instance of a container as the runtime last reported it. */
export interface ObservedContainer {
  /** Runtime ID (bare). */
  id: string;
  /** "containerd://<id>": pod status containerID. */
  containerID: string;
  /** repository@sha256:...: pod status imageID. */
  imageRef: string;
  /** Normalised image name: pod status image. */
  image: string;
  state: "created" | "running" | "exited";
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
}

/** What the probes say of a container's instance `id` (copied from the prober for each sync). */
export interface ProbedResults {
  id: string;
  liveness?: "Success" | "Failure" | "Unknown";
  readiness?: "Success" | "Failure" | "Unknown";
  startup?: "Success" | "Failure" | "Unknown";
}

export interface ContainerTrack {
  name: string;
  /** The instance created last (running, or exited and maybe about to be replaced). */
  current?: ObservedContainer;
  /** The instance before it: lastState, and what `logs --previous` reads. */
  previous?: ObservedContainer;
  restartCount: number;
  /** Why it is not running, when the kubelet knows better than the runtime. */
  waiting?: { reason: string; message?: string };
  crash?: BackoffEntry;
  pull?: BackoffEntry & { image: string };
  /** An image pull in progress: done at `until`. */
  pulling?: { image: string; started: number; until: number };
  /** The spec image the current instance runs. */
  specImage?: string;
  /** Stopped because its definition changed: start again without back-off. */
  replacing?: boolean;
  /** The back-off for the next instance has been served: create it without asking again. */
  restartApproved?: boolean;
  /** Waiting for a ConfigMap or Secret: when to look again. */
  configRetryAt?: number;
  /** Init containers: completed successfully (sidecars: started). */
  done?: boolean;
  /** Probe results of the current instance, when the container has probes. */
  probed?: ProbedResults;
  /** The instance stopped for failing its liveness or startup probe (killed once, restarted per policy). */
  probeKilled?: string;
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  /** The pod as last read from (or written to) the store, resourceVersion included. */
  pod: Pod;
  admission: "admitted" | "rejected" | "adopted";
  rejection?: { reason: string; message: string };
  podIP?: string;
  sandboxId?: string;
  startTime?: number;
  containers: Record<string, ContainerTrack>;
  /** Reached Succeeded or Failed: nothing restarts, the sandbox is stopped, the phase sticks. */
  terminal?: "Succeeded" | "Failed";
  /** Being stopped: since when, and when whatever still runs is killed. */
  killing?: { since: number; deadline: number };
  /** No longer in the store (deleted without going through this kubelet). */
  gone?: boolean;
  /** Digest of each configMap/secret volume's files as last written, so unchanged ones are not rewritten. */
  volumeDigests?: Record<string, string>;
  /** A configMap or secret volume could not be set up: when to try again. */
  mountRetryAt?: number;
  /** ServiceAccount tokens of projected volumes, by `volume/path`, until they want a refresh. */
  tokens?: Record<string, CachedToken>;
  /** The labels and annotations the downward API files were last rendered from. */
  renderedMeta?: string;
  /** The pod's persistentVolumeClaim volumes as attached here, by volume name (claims.ts). */
  claims?: Record<string, MountedClaim>;
  /** A claim was missing, unbound or attached elsewhere: when to try again. */
  claimRetryAt?: number;
}

export interface Reservation {
  occupant: Occupant;
  expiresAt: number;
}

export interface NodeNet {
  podCIDR: string;
  hostIP: string;
}

const K = {
  config: "config",
  net: "node/net",
  pod: (uid: string) => `kl/pod/${uid}`,
  pods: "kl/pod/",
  reservation: (uid: string) => `kl/resv/${uid}`,
  reservations: "kl/resv/",
  ipam: "kl/ipam",
  events: (uid: string) => `kl/ev/${uid}/`,
} as const;

export const STATE_KEYS = K;

export class KubeletState {
  /**
   * The pod records, read from storage once per object instance and then kept in step
   * with it: every sync reads them all, and decoding each from SQLite every time was
   * more of a node's work than syncing them. Storage stays the record across evictions.
   */
  private records: Map<string, PodRecord> | undefined;

  constructor(readonly kv: SyncKvStorage) {}

  private loaded(): Map<string, PodRecord> {
    if (!this.records) {
      this.records = new Map();
      for (const [, rec] of this.kv.list<PodRecord>({ prefix: K.pods })) this.records.set(rec.uid, rec);
    }
    return this.records;
  }

  /** The node's config once read: every admission and sync asks for it, and only start() writes it. */
  private cfg: NodeConfig | undefined;

  config(): NodeConfig | undefined {
    return (this.cfg ??= this.kv.get<NodeConfig>(K.config));
  }

  /** The node (re)started with this config: it is what config() answers from now on. */
  configWritten(cfg: NodeConfig): void {
    this.cfg = cfg;
  }

  net(): NodeNet | undefined {
    return this.kv.get<NodeNet>(K.net);
  }

  setNet(net: NodeNet): void {
    this.kv.put(K.net, net);
  }

  /** The records in storage's order (by UID). They are the kept objects, not copies. */
  pods(): PodRecord[] {
    return [...this.loaded().values()].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  }

  pod(uid: string): PodRecord | undefined {
    return this.loaded().get(uid);
  }

  putPod(rec: PodRecord): void {
    this.kv.put(K.pod(rec.uid), rec);
    this.loaded().set(rec.uid, rec);
  }

  /** Forget a pod and everything kept for it. */
  deletePod(uid: string): void {
    this.records?.delete(uid);
    this.kv.delete(K.pod(uid));
    this.kv.delete(K.reservation(uid));
    for (const [key] of this.kv.list({ prefix: K.events(uid) })) this.kv.delete(key);
  }

  /** Live reservations; expired ones are dropped on the way. */
  reservations(now: number): Map<string, Reservation> {
    const out = new Map<string, Reservation>();
    for (const [key, r] of this.kv.list<Reservation>({ prefix: K.reservations })) {
      if (r.expiresAt <= now) this.kv.delete(key);
      else out.set(r.occupant.uid, r);
    }
    return out;
  }

  reserve(r: Reservation): void {
    this.kv.put(K.reservation(r.occupant.uid), r);
  }

  unreserve(uid: string): void {
    this.kv.delete(K.reservation(uid));
  }

  ipTable(): IpTable {
    return this.kv.get<IpTable>(K.ipam) ?? {};
  }

  putIpTable(t: IpTable): void {
    this.kv.put(K.ipam, t);
  }
}

/** The terminated state a finished instance shows (state or lastState of a container status). */
export function terminatedOf(c: ObservedContainer, iso: (ms: number) => string): ContainerStateTerminated {
  return {
    exitCode: c.exitCode,
    reason: c.reason || (c.exitCode === 0 ? "Completed" : "Error"),
    ...(c.message ? { message: c.message } : {}),
    startedAt: iso(c.startedAt),
    finishedAt: iso(c.finishedAt),
    containerID: c.containerID,
  };
}
