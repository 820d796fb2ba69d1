// The kubelet of one node: level-triggered pod sync. A poke re-lists the node's pods
// from the store and converges those that changed; a timer (back-off over, grace period
// over, a container exited) and the periodic resync converge every pod from what the
// node knows (pod-sync.ts). What changed goes back to the store in one batch.
import type { Pod } from "../../model/types";
import type { AdmitResult, NodeStatsSummary } from "../../controlplane/node-api";
import { buildStatsSummary } from "./stats-summary";
import type { ObjectStore } from "../../store/store";
import type { TimerTable } from "../../util/timer-table";
import { createRuntime, type DnsHook, type NetworkHook, type Runtime } from "../runtime";
import { admitPod, capacityOf, occupantOf, type Occupant } from "./admission";
import { SingleFlight } from "../../util/single-flight";
import { EventRecorder } from "./events";
import { KvRuntimeStorage } from "./kv-storage";
import { buildPodStatus, statusChanged } from "./pod-status";
import { normalizedImage, stateMoved } from "./container-sync";
import { syncPod, type PodOutcome } from "./pod-sync";
import { KubeletState, type NodeNet, type PodRecord, type Reservation } from "./state";
import type { SyncEnv } from "./sync-env";
import type { ConfigMap, PersistentVolumeClaim, Secret } from "../../model/types";
import { podRefs } from "../../model/pod-config-refs";
import { ConfigCache } from "./config-cache";
import { flushClaims, type ClaimReader, type VolumeClient } from "./claims";
import { volumeRefs } from "./config-sources";
import { commitWrites, type PodWrite } from "./write-batch";
import { Registry } from "../../registry/registry";
import { defaultingFrom } from "../../registry/defaults";
import { readConfig } from "../../config";
import { Prober } from "./prober";
import type { TokenSource } from "./service-account-token";
import type { Timer } from "../../util/timer-table";

/** Timer kind of the kubelet's timers: "sync the pods at this time". */
export const KUBELET_SYNC = "kubelet-sync";
/** Timer kind of the periodic re-list that covers a lost poke. */
export const KUBELET_RESYNC = "kubelet-resync";
const TIMER_PREFIX = "kubelet/";
const RESYNC_KEY = `${TIMER_PREFIX}resync`;
const RUNTIME_KEY = `${TIMER_PREFIX}runtime`;
/** While the node has pods, re-list them this often (the kubelet's periodic resync). */
const RESYNC_MS = 5 * 60_000;
/** A reservation made by admit() lapses if the pod is not seen bound by then. */
const RESERVATION_TTL_MS = 30_000;
/** Try again this soon after a failed sync or store write. */
const RETRY_MS = 5_000;

interface KubeletDeps {
  storage: DurableObjectStorage;
  timers: TimerTable;
  store: () => ObjectStore;
  now: () => number;
  /** The node's client-side rate limit on writes (kubeAPIQPS / kubeAPIBurst). */
  limiter?: { wait(requests: number): Promise<void> };
  /** Where the pods' outgoing requests go (other pods, Services). */
  network?: NetworkHook;
  /** Cluster DNS, as the pods' resolvers reach it. */
  dns?: DnsHook;
  /** The store of a persistent volume (a Durable Object per volume). */
  volumes?: (pv: string) => VolumeClient;
  /** Keep work going after the request that started it (the object's waitUntil). */
  background?: (p: Promise<unknown>) => void;
  /** Bound ServiceAccount tokens from the API (TokenRequest as this node). */
  tokens?: TokenSource;
}

function byCreation(a: PodRecord, b: PodRecord): number {
  const ta = a.pod.metadata.creationTimestamp ?? "";
  const tb = b.pod.metadata.creationTimestamp ?? "";
  return ta < tb ? -1 : ta > tb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function occupying(rec: PodRecord): boolean {
  return rec.admission === "admitted" && !rec.terminal && !rec.gone;
}

export class Kubelet {
  readonly state: KubeletState;
  private rt: Runtime | undefined;
  private writer: Registry | undefined;
  /** Syncs never overlap; asks made during one join one more (what any of them asked for). */
  private readonly serial = new SingleFlight<SyncAsk>(
    (ask) => this.syncOnce(ask),
    (a, b) => ({ list: a.list || b.list, all: a.all || b.all }),
  );

  readonly prober: Prober;
  /** Write-backs of persistent volumes, one at a time, in order. */
  private readonly flusher = new SingleFlight<void>(() => this.flushVolumes());

  constructor(private readonly deps: KubeletDeps) {
    this.state = new KubeletState(deps.storage.kv);
    this.prober = new Prober({
      kv: deps.storage.kv,
      state: this.state,
      timers: deps.timers,
      runtime: () => this.runtime(),
      nodeName: () => this.state.config()?.name,
      registry: () => this.registry(this.deps.store()),
      resync: () => this.resync(),
    });
  }

  /** Probe timers fired: run the due probes. */
  probe(due: Timer[], now: number): Promise<void> {
    return this.prober.run(due, now);
  }

  /** The node's container runtime, once the node knows which one it runs. */
  runtime(): Runtime | undefined {
    const cfg = this.state.config();
    if (!cfg) return undefined;
    this.rt ??= createRuntime(cfg.runtime, {
      storage: new KvRuntimeStorage(this.deps.storage.kv),
      now: this.deps.now,
      network: this.deps.network,
      dns: this.deps.dns,
      // An exec or a process wrote to a persistent volume: write it back soon.
      volumeWritten: () => this.deps.background?.(this.flushSoon()),
    });
    return this.rt;
  }

  /** Write back what persistent volumes queued, after whatever flush runs now. */
  flushSoon(): Promise<void> {
    return this.flusher.run().catch((e) => console.error(`kubelet ${this.state.config()?.name}: volume write-back failed:`, e));
  }

  private async flushVolumes(): Promise<void> {
    const cfg = this.state.config();
    const rt = this.runtime();
    if (!cfg || !rt || !this.deps.volumes) return;
    await flushClaims(rt.runtime, this.state.pods(), this.deps.volumes, cfg.name);
  }

  now(): number {
    return this.deps.now();
  }

  /** Referenced ConfigMaps/Secrets that changed, for the next sync (memory only: a lost one waits for the retry timer). */
  private changedConfig = new Set<string>();

  /** The ConfigMaps and Secrets the pods here refer to, between syncs (config-cache.ts). */
  readonly configs = new ConfigCache();

  /** ConfigMaps or Secrets that pods here refer to changed: converge the pods using them. */
  configChanged(refs: string[]): Promise<void> {
    for (const r of refs) this.changedConfig.add(r);
    return this.serial.run({ list: false, all: true });
  }

  /**
   * The periodic re-list; it also re-reads every ConfigMap and Secret the pods mount
   * (the kubelet's periodic volume remount), so a lost configChanged is made good.
   */
  periodicResync(): Promise<void> {
    for (const rec of this.state.pods()) if (!rec.gone && rec.sandboxId) for (const r of volumeRefs(rec.pod)) this.changedConfig.add(r);
    return this.serial.run({ list: true, all: true });
  }

  /**
   * The store changed for this node's pods: list them and converge the ones that changed
   * (new, updated, gone, or whose containers the runtime moved on), as upstream's pod
   * workers each sync their own pod on its own events. `all`: converge every pod (the
   * node started, or its Node changed).
   */
  poke(opts: { all?: boolean } = {}): Promise<void> {
    return this.serial.run({ list: true, all: opts.all ?? false });
  }

  /** What this node and its pods use now (the Summary API); null before the node is configured. */
  async statsSummary(): Promise<NodeStatsSummary | null> {
    const cfg = this.state.config();
    const rt = this.runtime();
    if (!cfg || !rt) return null;
    const stats = await rt.runtime.listContainerStats();
    return buildStatsSummary(cfg.name, this.deps.now(), this.state.pods(), stats);
  }

  /** A timer fired: converge from what the node knows. */
  resync(): Promise<void> {
    return this.serial.run({ list: false, all: true });
  }

  /**
   * Check that a pod fits and hold its room for RESERVATION_TTL_MS. Synchronous from
   * start to end, so two concurrent calls cannot both take the last CPU.
   */
  admit(pod: Pod): AdmitResult {
    return this.admitMany([pod])[0];
  }

  /**
   * admit() for each pod in order, in one synchronous step: the earlier pods'
   * reservations count against the later. The node's occupants are read once for
   * the whole call, then grow by each pod admitted.
   */
  admitMany(pods: Pod[]): AdmitResult[] {
    const cfg = this.state.config();
    if (!cfg) return pods.map(() => ({ admitted: true }));
    const now = this.now();
    const cap = capacityOf(cfg);
    const occupants = this.occupants(this.state.pods(), this.state.reservations(now));
    const counted = new Set(occupants.map((o) => o.uid));
    return pods.map((pod) => {
      const uid = pod.metadata.uid ?? "";
      const known = uid ? this.state.pod(uid) : undefined;
      if (known) return known.admission === "rejected" && known.rejection ? { admitted: false, ...known.rejection } : { admitted: true };
      const verdict = admitPod(pod, occupants, cap);
      if (verdict.admitted && uid) {
        const occupant = occupantOf(pod);
        this.state.reserve({ occupant, expiresAt: now + RESERVATION_TTL_MS });
        // A pod asked about again (already reserved) is counted once.
        if (!counted.has(uid)) occupants.push(occupant);
        counted.add(uid);
      }
      return verdict;
    });
  }

  private occupants(records: Iterable<PodRecord>, reservations: Map<string, Reservation>): Occupant[] {
    const out: Occupant[] = [];
    const seen = new Set<string>();
    for (const rec of records) {
      if (!occupying(rec)) continue;
      out.push(occupantOf(rec.pod));
      seen.add(rec.uid);
    }
    for (const [uid, r] of reservations) if (!seen.has(uid)) out.push(r.occupant);
    return out;
  }

  /** The kubelet's writes (pod status, removals, events) go through the registry like every other. */
  private registry(store: ObjectStore): Registry {
    if (this.writer?.store !== store) this.writer = new Registry(store, { now: this.deps.now, defaults: defaultingFrom(readConfig({})), fieldManager: "kubelet", limiter: this.deps.limiter });
    return this.writer;
  }

  private async loadNet(store: ObjectStore, nodeName: string): Promise<NodeNet | undefined> {
    const node = (await store.get("nodes", "", nodeName)) as { spec?: { podCIDR?: string }; status?: { addresses?: { type: string; address: string }[] } } | null;
    const podCIDR = node?.spec?.podCIDR;
    const hostIP = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (!podCIDR || !hostIP) return undefined;
    const net = { podCIDR, hostIP };
    this.state.setNet(net);
    return net;
  }

  /** New pods from a list, pods gone from it, and admission of the new ones (oldest first). */
  private reconcile(records: Map<string, PodRecord>, listed: Pod[], now: number, recorder: EventRecorder): PodRecord[] {
    const cfg = this.state.config()!;
    const seen = new Set<string>();
    const fresh: PodRecord[] = [];
    for (const pod of listed) {
      const uid = pod.metadata.uid ?? "";
      seen.add(uid);
      const rec = records.get(uid);
      if (rec) {
        rec.pod = pod;
        rec.gone = false;
      } else fresh.push({ uid, namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", pod, admission: "admitted", containers: {} });
    }
    for (const rec of records.values()) if (!seen.has(rec.uid)) rec.gone = true;
    const reservations = this.state.reservations(now);
    for (const rec of fresh.sort(byCreation)) {
      const phase = rec.pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed" || rec.pod.metadata.deletionTimestamp) {
        // Finished (or being deleted) before this kubelet ran it: nothing to start.
        rec.admission = "adopted";
        if (phase === "Succeeded" || phase === "Failed") rec.terminal = phase;
      } else if (!reservations.has(rec.uid)) {
        const verdict = admitPod(rec.pod, this.occupants(records.values(), reservations), capacityOf(cfg));
        if (!verdict.admitted) {
          rec.admission = "rejected";
          rec.rejection = { reason: verdict.reason, message: verdict.message };
          rec.startTime = now;
          recorder.emit(rec.pod, undefined, "Warning", verdict.reason, verdict.message);
        }
      }
      this.state.unreserve(rec.uid);
      records.set(rec.uid, rec);
    }
    return fresh;
  }

  /**
   * The pods bound to this node. Those the kubelet holds at their current version come
   * back without their bodies and are taken from its records: a poke about one pod then
   * reads that pod, not every pod on the node (as a watch would send the one change).
   */
  private async listPods(store: ObjectStore, nodeName: string): Promise<Pod[]> {
    const held = new Map<string, PodRecord>();
    for (const rec of this.state.pods()) {
      const key = `${rec.namespace}/${rec.name}`;
      // A name reused by a newer pod: the newer record is the one the store may still hold.
      const other = held.get(key);
      if (!other || Number(other.pod.metadata.resourceVersion) < Number(rec.pod.metadata.resourceVersion)) held.set(key, rec);
    }
    const known = new Map([...held].map(([key, rec]) => [key, Number(rec.pod.metadata.resourceVersion)]));
    // Nothing kept (a node's first pods, or none that use any): no references to walk.
    const configs = this.configs.size ? this.configs.held(new Set(this.state.pods().flatMap((rec) => (rec.gone ? [] : podRefs(rec.pod))))) : [];
    const { items, unchanged, held: answers } = await store.listAgainst("pods", { nodeName }, known, configs);
    this.configs.checked(configs, answers);
    return [...(items as Pod[]), ...unchanged.map((key) => held.get(key)!.pod)];
  }

  private async syncOnce({ list, all }: SyncAsk): Promise<void> {
    const cfg = this.state.config();
    const rt = this.runtime();
    if (!cfg || !rt) return;
    const store = this.deps.store();
    const listed = list ? await this.listPods(store, cfg.name) : undefined;
    const net = this.state.net() ?? (await this.loadNet(store, cfg.name));
    if (!net) return;
    const now = this.now();
    const recorder = new EventRecorder(cfg.name, this.deps.storage.kv);
    const records = new Map(this.state.pods().map((r) => [r.uid, r]));
    const seenAt = new Map([...records].map(([uid, r]) => [uid, r.pod.metadata.resourceVersion]));
    const fresh = listed ? this.reconcile(records, listed, now, recorder) : [];
    // Pods new to this node are kept before this sync awaits anything: admit() sees them,
    // and their admission outlives a crash. The rest are written once they are synced.
    for (const rec of fresh) this.state.putPod(rec);

    const wakes = new Map<string, number>();
    const wake = (at: number, why: string) => {
      const key = TIMER_PREFIX + why;
      wakes.set(key, Math.min(at, wakes.get(key) ?? Infinity));
    };
    await rt.runtime.advance(now);
    const states = new Map((await rt.runtime.listContainers()).map((c) => [c.id, c.state as string]));
    const pulls = new Map<string, { owner: string; until: number }>();
    for (const rec of records.values()) {
      for (const t of Object.values(rec.containers)) {
        if (t.pulling && t.pulling.until > now) pulls.set(normalizedImage(t.pulling.image), { owner: `${rec.uid}/${t.name}`, until: t.pulling.until });
      }
    }
    const configChanged = this.changedConfig;
    this.changedConfig = new Set();
    this.configs.forget(configChanged);
    const env: SyncEnv = {
      now, nodeName: cfg.name, hostIP: net.hostIP, podCIDR: net.podCIDR, runtime: rt.runtime, images: rt.images, recorder, ips: this.state.ipTable(), states, pulls, wake,
      readConfig: this.configs.reader((resource, namespace, name) => store.get(resource, namespace, name) as Promise<ConfigMap | Secret | null>), configChanged,
      readClaim: cachedClaimReader(store), volumes: this.deps.volumes,
      tokens: this.deps.tokens, allocatable: { cpu: cfg.cpu, memory: cfg.memory, ephemeralStorage: cfg.ephemeralStorage },
      // Through the one flusher: write-backs of a volume never overtake each other.
      flushVolumes: () => this.flusher.run(),
    };

    // The pods this sync converges; the others' records, statuses and timers stay as they are.
    const changed = (rec: PodRecord) => rec.gone || seenAt.get(rec.uid) !== rec.pod.metadata.resourceVersion || Object.values(rec.containers).some((t) => stateMoved(states, t));
    const synced = [...records.values()].filter((rec) => all || changed(rec)).sort(byCreation);
    const writes: PodWrite[] = [];
    const forget: string[] = [];
    for (const rec of synced) {
      let outcome: PodOutcome = "keep";
      try {
        this.prober.annotate(rec);
        outcome = await syncPod(env, rec);
      } catch (e) {
        console.error(`kubelet ${cfg.name}: sync of pod ${rec.namespace}/${rec.name} failed:`, e);
        wake(now + RETRY_MS, "retry");
      }
      if (outcome === "forget") {
        forget.push(rec.uid);
        recorder.discard(rec.uid);
      } else if (outcome === "remove") {
        writes.push({ rec, kind: "remove" });
      } else if (!rec.gone) {
        const status = buildPodStatus(rec, net.hostIP, now);
        if (statusChanged(rec.pod, status)) writes.push({ rec, kind: "status", status });
      }
    }
    this.state.putIpTable(env.ips);
    for (const rec of synced) this.state.putPod(rec);
    for (const uid of forget) this.state.deletePod(uid);
    for (const rec of synced) {
      if (forget.includes(rec.uid)) await this.prober.forget(rec.uid);
      else await this.prober.arm(rec, now);
    }

    try {
      await commitWrites(this.registry(store), writes, recorder, now, (rec) => buildPodStatus(rec, net.hostIP, now));
    } catch (e) {
      console.error(`kubelet ${cfg.name}: writing pod status failed:`, e);
      wake(now + RETRY_MS, "retry");
    }
    for (const w of writes) {
      if (w.removed) this.state.deletePod(w.rec.uid);
      else this.state.putPod(w.rec);
      if (w.dropped) wake(now + 1, "dropped");
    }
    // Writes the sync's own runtime calls made (processes caught up to now).
    await this.flushSoon();
    const next = await rt.runtime.nextEventAt();
    if (next !== null) wake(next, "runtime");
    if (records.size > forget.length) {
      // Pokes are fire-and-forget: a periodic list and sync of every pod covers one that got lost.
      const due = this.deps.timers.atOf(RESYNC_KEY);
      wakes.set(RESYNC_KEY, (list && all) || due === undefined ? now + RESYNC_MS : due);
    }
    if (!all) keepTimers(this.deps.timers, wakes, synced.map((r) => r.uid));
    await this.schedule(wakes, now);
  }

  /** Make the kubelet's timers exactly the wakes this sync asked for. */
  private async schedule(wakes: Map<string, number>, now: number): Promise<void> {
    const timers = this.deps.timers;
    const existing = new Map(timers.list().filter((t) => t.key.startsWith(TIMER_PREFIX)).map((t) => [t.key, t.at]));
    for (const [key, at] of wakes) {
      const when = Math.floor(Math.max(at, now + 1));
      if (existing.get(key) !== when) await timers.set(key, when, key === RESYNC_KEY ? KUBELET_RESYNC : KUBELET_SYNC);
    }
    for (const key of existing.keys()) if (!wakes.has(key)) await timers.cancel(key);
  }
}

/** What a sync is asked for: a list of the node's pods from the store, and every pod converged or only those that changed. */
interface SyncAsk {
  list: boolean;
  all: boolean;
}

/**
 * A sync of some pods keeps the timers it did not recompute: those of the pods it left
 * alone, and the node-wide retries (a due one syncs every pod). The runtime's next event
 * and the periodic resync it sets itself.
 */
function keepTimers(timers: TimerTable, wakes: Map<string, number>, syncedUids: string[]): void {
  for (const t of timers.list()) {
    if (!t.key.startsWith(TIMER_PREFIX) || t.key === RESYNC_KEY || t.key === RUNTIME_KEY) continue;
    if (syncedUids.some((uid) => t.key.includes(uid))) continue;
    wakes.set(t.key, Math.min(t.at, wakes.get(t.key) ?? Infinity));
  }
}

/** Store reads of claims, each at most once per sync. */
function cachedClaimReader(store: ObjectStore): ClaimReader {
  const cache = new Map<string, Promise<PersistentVolumeClaim | null>>();
  return (namespace, name) => {
    const key = `${namespace}/${name}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = store.get("persistentvolumeclaims", namespace, name) as Promise<PersistentVolumeClaim | null>;
      cache.set(key, hit);
    }
    return hit;
  };
}
