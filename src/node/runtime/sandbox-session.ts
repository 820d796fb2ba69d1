// One pod sandbox loaded for the length of one runtime operation: its record, its
// containers, its volumes. It simulates the containers' processes up to "now" in time
// order (a discrete-event loop over their machines: nothing ticks, time is applied when
// someone looks), routes requests to ports of the pod's network namespace, collects log
// lines, and writes back what changed. A dry fork of it predicts when the next container
// will change state by itself, which is the kubelet's next alarm.
import { resolveImage } from "../images";
import type { HttpOutcome, HttpRequest, ImageConfig, LogStream } from "../images/types";
import { Machine } from "../shell/machine";
import type { MachineState } from "../shell/machine-state";
import { ExecNotFoundError } from "../shell/launch";
import { ContainerHost, type SandboxPort } from "./container-host";
import type { ContainerEvent, GrpcHealthOutcome, LogLine, VolumeEntry } from "./cri";
import { CriError } from "./errors";
import { ChunkStore } from "./file-chunks";
import type { FileMap } from "./fs";
import { appendLines, emptyLog, splitLines } from "./logs";
import {
  KEYS,
  type ContainerRecord,
  type DueIndex,
  type LogRecord,
  type PendingEvents,
  type SandboxRecord,
  type StoredContainerRecord,
  type StoredFileMap,
  type VolumeWriteIndex,
} from "./records";
import type { DnsAnswer } from "../../model/cluster-dns";
import type { RuntimeStorage } from "./storage";
import { countRequest } from "./usage";

/** How a pod reaches addresses outside itself (other pods, services). Absent: nothing answers. */
export type NetworkHook = (from: { sandboxId: string; podIP: string }, host: string, port: number, req: HttpRequest, at: number) => Promise<HttpOutcome>;

/** Cluster DNS as a pod's resolver reaches it. Absent: no cluster name resolves. */
export interface DnsHook {
  /** A records of `name`, through the pod's search path when `search`; null: NXDOMAIN. */
  lookup(from: { sandboxId: string }, name: string, search: boolean): Promise<DnsAnswer | null>;
  /** PTR of a cluster address. */
  reverse(ip: string): Promise<string | undefined>;
}

interface SessionDeps {
  storage: RuntimeStorage;
  network?: NetworkHook;
  dns?: DnsHook;
  /** Source of randomness for the names of stored chunks; Math.random by default. */
  random?: () => number;
  /** A persistent volume changed and was queued for write-back (see takeVolumeWrites). */
  volumeWritten?: () => void;
}

/** How far ahead the prediction looks for a container to exit. */
const HORIZON_MS = 366 * 24 * 3600 * 1000;
/** Turns of the event loop a catch-up replays before sleeping processes warp ahead. */
const WARP_AFTER_TURNS = 2_000;
const WARP_KEEP_MS = 60_000;
/** Process wakes and interpreter steps a prediction may simulate before it settles for "look again from there". */
const PREDICTION_BUDGET = 500;
const PREDICTION_STEPS = 20_000;
const RECHECK_MS = 30_000;

/** Whose files a chunk belongs to, for the chunk store. */
const containerOwner = (id: string) => `ct/${id}`;
const volumeOwner = (name: string) => `vol/${name}`;

export function imageConfigOf(c: ContainerRecord): ImageConfig {
  const r = resolveImage(`${c.image.repository}:${c.image.tag}`);
  if (!r.ok) throw new Error(`image ${c.image.repository}:${c.image.tag} vanished from the catalog`);
  return r.image.config;
}

export class SandboxSession implements SandboxPort {
  readonly events: ContainerEvent[] = [];
  private readonly dirtyContainers = new Set<string>();
  private readonly dirtyVolumes = new Set<string>();
  /** Persistent volumes a container or the kubelet changed: queued for write-back at save. */
  private readonly writtenVolumes = new Set<string>();
  private sandboxDirty = false;
  /** Time passed and nothing ran: only the sandbox's clock is to be saved. */
  private clockMoved = false;
  /** Containers removed since the last save: their stored files go at save. */
  private readonly droppedContainers = new Set<string>();
  private readonly pendingLogs = new Map<string, LogLine[]>();
  private readonly machines = new Map<string, Machine>();
  private readonly hosts = new Map<string, ContainerHost>();
  /** Dry forks only: the time an outcome depended on the world outside the pod. */
  private uncertainAt: number | null = null;
  private stopped = false;

  private constructor(
    private readonly deps: SessionDeps,
    readonly sandbox: SandboxRecord,
    readonly containers: Map<string, ContainerRecord>,
    private readonly volumes: Map<string, FileMap>,
    private readonly chunks: ChunkStore,
    private readonly dry = false,
  ) {}

  static async open(deps: SessionDeps, sandboxId: string): Promise<SandboxSession> {
    const sandbox = await deps.storage.get<SandboxRecord>(KEYS.sandbox(sandboxId));
    if (!sandbox) throw new CriError("NotFound", `an error occurred when try to find sandbox "${sandboxId}": not found`, "NoSuchSandbox");
    const chunks = new ChunkStore(deps.storage, sandboxId, deps.random);
    const containers = new Map<string, ContainerRecord>();
    for (const id of sandbox.containerIds) {
      const c = await deps.storage.get<StoredContainerRecord>(KEYS.container(id));
      if (c) containers.set(id, { ...c, layer: await chunks.load(containerOwner(id), c.layer) });
    }
    const volumes = new Map<string, FileMap>();
    for (const [key, files] of await deps.storage.list<StoredFileMap>(KEYS.volumes(sandboxId))) {
      const name = key.slice(KEYS.volumes(sandboxId).length);
      volumes.set(name, await chunks.load(volumeOwner(name), files));
    }
    return new SandboxSession(deps, sandbox, containers, volumes, chunks);
  }

  /** `persistent`: the files persistent volumes start with (kept out of the sandbox record). */
  static create(deps: SessionDeps, sandbox: SandboxRecord, persistent: ReadonlyMap<string, Record<string, VolumeEntry>> = new Map()): SandboxSession {
    const volumes = new Map<string, FileMap>();
    const s = new SandboxSession(deps, sandbox, new Map(), volumes, new ChunkStore(deps.storage, sandbox.id, deps.random));
    for (const v of sandbox.config.volumes ?? []) {
      const files: FileMap = {};
      for (const [p, data] of Object.entries(v.files ?? {})) files[p.startsWith("/") ? p : `/${p}`] = { k: "f", data };
      for (const [p, e] of Object.entries(persistent.get(v.name) ?? {})) files[p.startsWith("/") ? p : `/${p}`] = { ...e };
      volumes.set(v.name, files);
      s.dirtyVolumes.add(v.name);
    }
    s.sandboxDirty = true;
    return s;
  }

  // ---- bookkeeping ----

  markContainer(id: string): void {
    this.dirtyContainers.add(id);
  }

  markVolume(name: string): void {
    this.dirtyVolumes.add(name);
    if (this.sandbox.config.volumes?.some((v) => v.name === name && v.persistent)) this.writtenVolumes.add(name);
  }

  markSandbox(): void {
    this.sandboxDirty = true;
  }

  volumeFiles(name: string): FileMap {
    let v = this.volumes.get(name);
    if (!v) {
      v = {};
      this.volumes.set(name, v);
    }
    return v;
  }

  hasVolume(name: string): boolean {
    return this.volumes.has(name) || (this.sandbox.config.volumes ?? []).some((v) => v.name === name);
  }

  addContainer(c: ContainerRecord): void {
    this.containers.set(c.id, c);
    this.sandbox.containerIds.push(c.id);
    this.markContainer(c.id);
    this.markSandbox();
  }

  dropContainer(id: string): void {
    this.containers.delete(id);
    this.machines.delete(id);
    this.hosts.delete(id);
    this.dirtyContainers.delete(id);
    this.pendingLogs.delete(id);
    this.droppedContainers.add(id);
    this.sandbox.containerIds = this.sandbox.containerIds.filter((x) => x !== id);
    this.release(id);
    this.markSandbox();
  }

  appendLog(containerId: string, stream: LogStream, text: string, at: number): void {
    if (this.dry) return;
    let pending = this.pendingLogs.get(containerId);
    if (!pending) {
      pending = [];
      this.pendingLogs.set(containerId, pending);
    }
    for (const line of splitLines(text)) pending.push({ time: at, stream, text: line });
  }

  hostFor(c: ContainerRecord): ContainerHost {
    let h = this.hosts.get(c.id);
    if (!h) {
      h = new ContainerHost(this, c, imageConfigOf(c));
      this.hosts.set(c.id, h);
    }
    return h;
  }

  /** The container's main process, resumed from its stored state. */
  machineFor(c: ContainerRecord): Machine | undefined {
    if (!c.machine) return undefined;
    let m = this.machines.get(c.id);
    if (!m || m.st !== c.machine) {
      m = new Machine(c.machine, this.hostFor(c), {
        mode: "program",
        io: {
          out: (t, at) => this.appendLog(c.id, "stdout", t, at),
          err: (t, at) => this.appendLog(c.id, "stderr", t, at),
        },
        stdinOpen: !!c.config.stdin,
        tty: !!c.config.tty,
      });
      this.machines.set(c.id, m);
    }
    return m;
  }

  // ---- the pod's network namespace ----

  /** Bind ports for a container; the first one already taken by another, or null. */
  bind(containerId: string, ports: number[]): number | null {
    for (const p of ports) {
      const holder = this.sandbox.ports[p];
      if (holder !== undefined && holder !== containerId) return p;
    }
    for (const p of ports) this.sandbox.ports[p] = containerId;
    if (ports.length) this.markSandbox();
    return null;
  }

  /** Release some ports of a container, or all of them. */
  release(containerId: string, ports?: number[]): void {
    for (const [p, holder] of Object.entries(this.sandbox.ports)) {
      if (holder === containerId && (!ports || ports.includes(Number(p)))) {
        delete this.sandbox.ports[p];
        this.markSandbox();
      }
    }
  }

  /** A connection to a port of the pod: answered by the program of whichever container holds it. */
  portRequest(port: number, req: HttpRequest, at: number): HttpOutcome {
    const owner = this.sandbox.ports[port];
    const c = owner === undefined ? undefined : this.containers.get(owner);
    const m = c && this.machineFor(c);
    const p = m?.program;
    if (!c || !p || !p.program.http) return { kind: "refused" };
    const ctx = { ...m.programContext(p.run.argv, p.run.env, p.run.cwd, p.run.startedAt, p.run.pid), now: at, state: p.run.state };
    const handled = p.program.http(req, ctx);
    if (handled.state !== undefined) p.run.state = handled.state;
    c.served = countRequest(c.served, at);
    for (const e of handled.log ?? []) if (e.text !== undefined) this.appendLog(c.id, e.stream ?? "stdout", e.text, at + e.afterMs);
    this.markContainer(c.id);
    return handled.response === "not-http" ? { kind: "not-http" } : { kind: "response", response: handled.response };
  }

  /** Whether a TCP connect to the port is accepted: a program of a running container holds it. */
  portOpen(port: number): boolean {
    const owner = this.sandbox.ports[port];
    const c = owner === undefined ? undefined : this.containers.get(owner);
    return !!c && c.state === "CONTAINER_RUNNING";
  }

  /** A gRPC health check on a port; a program that speaks no gRPC fails it as grpc-go does on HTTP/1. */
  portGrpcHealth(port: number, service: string, at: number): GrpcHealthOutcome {
    const owner = this.sandbox.ports[port];
    const c = owner === undefined ? undefined : this.containers.get(owner);
    const m = c && this.machineFor(c);
    const p = m?.program;
    if (!c || !p) return { kind: "refused" };
    if (!p.program.grpcHealth) {
      return { kind: "error", code: "Unavailable", message: 'connection error: desc = "error reading server preface: http2: frame too large"' };
    }
    const ctx = { ...m.programContext(p.run.argv, p.run.env, p.run.cwd, p.run.startedAt, p.run.pid), now: at, state: p.run.state };
    return p.program.grpcHealth(service, ctx);
  }

  async remoteRequest(host: string, port: number, req: HttpRequest, at: number): Promise<HttpOutcome> {
    if (this.dry) {
      // What another pod answers is not ours to predict: wake up when it is asked.
      this.uncertainAt ??= at;
      this.stopped = true;
      return { kind: "refused" };
    }
    if (this.deps.network) return this.deps.network({ sandboxId: this.sandbox.id, podIP: this.sandbox.config.podIP }, host, port, req, at);
    return /^[\d.]+$|:/.test(host) ? { kind: "unreachable" } : { kind: "unresolved" };
  }

  async dnsLookup(name: string, search: boolean, at: number): Promise<DnsAnswer | null> {
    if (this.dry) {
      // Like a request to another pod: the answer is not ours to predict.
      this.uncertainAt ??= at;
      this.stopped = true;
      return null;
    }
    return this.deps.dns ? this.deps.dns.lookup({ sandboxId: this.sandbox.id }, name, search) : null;
  }

  async dnsReverse(ip: string, at: number): Promise<string | undefined> {
    if (this.dry) {
      this.uncertainAt ??= at;
      this.stopped = true;
      return undefined;
    }
    return this.deps.dns?.reverse(ip);
  }

  // ---- time ----

  /** Run every container's process, in time order, up to `target`. */
  async sync(target: number): Promise<void> {
    const until = Math.max(target, this.sandbox.syncedAt);
    const budget = this.dry ? { wakes: PREDICTION_BUDGET, steps: PREDICTION_STEPS } : undefined;
    let turns = 0;
    for (;;) {
      let best: ContainerRecord | undefined;
      let bestAt = Infinity;
      let secondAt = Infinity;
      for (const c of this.containers.values()) {
        if (c.state !== "CONTAINER_RUNNING") continue;
        const at = Math.min(this.machineFor(c)?.nextWake() ?? Infinity, c.killAt ?? Infinity);
        if (at < bestAt) {
          secondAt = bestAt;
          bestAt = at;
          best = c;
        } else if (at < secondAt) secondAt = at;
      }
      if (!best || bestAt > until || this.stopped) break;
      if (budget && (budget.wakes <= 0 || budget.steps <= 0)) {
        // Too much happens before anything exits: look again from there, but not sooner
        // than a recheck interval, so a busy loop does not turn into an alarm storm.
        this.uncertainAt ??= Math.max(bestAt, this.sandbox.syncedAt + RECHECK_MS);
        break;
      }
      const m = this.machineFor(best)!;
      if (best.killAt !== undefined && best.killAt <= m.nextWake()) {
        m.kill(best.killAt);
      } else {
        let runUntil = Math.min(until, Math.max(bestAt, secondAt));
        if (best.killAt !== undefined) runUntil = Math.min(runUntil, best.killAt - 1);
        // A repeating loop may skip ahead, but never past another container's next move:
        // that one might write the file the loop is waiting for.
        await m.run(runUntil, secondAt <= until ? runUntil : until, budget);
        if (!budget && ++turns > WARP_AFTER_TURNS) {
          this.warpSleepers(until);
          turns = 0;
        }
      }
      this.markContainer(best.id);
      if (m.done) this.onExit(best, m);
      if (this.dry && this.events.length) break;
    }
    if (!this.dry && until > this.sandbox.syncedAt) {
      this.sandbox.syncedAt = until;
      this.clockMoved = true;
    }
  }

  /**
   * Several containers looping together cannot skip ahead (each bounds the others), so a
   * long catch-up replays them turn by turn. Past a bound, they lose the time in between:
   * every sleeping process resumes a minute before `until`. Lossy on purpose.
   */
  private warpSleepers(until: number): void {
    for (const c of this.containers.values()) {
      const w = c.machine?.wait;
      if ((w?.k === "sleep" || w?.k === "spin") && w.until < until - WARP_KEEP_MS) {
        w.until = until - WARP_KEEP_MS;
        this.markContainer(c.id);
      }
    }
  }

  private onExit(c: ContainerRecord, m: Machine): void {
    const exit = m.st.exit!;
    c.state = "CONTAINER_EXITED";
    c.finishedAt = exit.at;
    c.exitCode = exit.code;
    c.signal = exit.signal;
    c.reason = exit.code === 0 ? "Completed" : "Error";
    c.machine = null;
    delete c.killAt;
    this.machines.delete(c.id);
    this.release(c.id);
    this.markContainer(c.id);
    this.events.push({ type: "CONTAINER_STOPPED_EVENT", containerId: c.id, podSandboxId: this.sandbox.id, at: exit.at, exitCode: exit.code });
  }

  /**
   * Start a created container's main process at `now`. Returns the StartError message
   * when its executable does not exist (the container is then exited with 128).
   */
  async start(c: ContainerRecord, state: MachineState, now: number): Promise<string | undefined> {
    c.machine = state;
    c.state = "CONTAINER_RUNNING";
    c.startedAt = now;
    this.markContainer(c.id);
    const m = this.machineFor(c)!;
    try {
      await m.run(now, now);
    } catch (e) {
      if (!(e instanceof ExecNotFoundError)) throw e;
      this.release(c.id);
      this.machines.delete(c.id);
      Object.assign(c, { machine: null, state: "CONTAINER_EXITED", startedAt: 0, finishedAt: now, exitCode: 128, reason: "StartError" });
      return e.executable;
    }
    if (m.done) this.onExit(c, m);
    return undefined;
  }

  /** Whether the container's main process is a shell reading its open stdin. */
  readsStdin(c: ContainerRecord): boolean {
    return c.state === "CONTAINER_RUNNING" && this.machineFor(c)?.st.wait?.k === "stdin";
  }

  /** The main process's stdin ends: a shell reading it exits with `code`. */
  endStdin(c: ContainerRecord, code: number, at: number): void {
    const m = this.machineFor(c);
    if (c.state !== "CONTAINER_RUNNING" || !m) return;
    if (m.endOfStdin(code, at)) {
      this.markContainer(c.id);
      this.onExit(c, m);
    }
  }

  /** Run a process to its end at once (stopPodSandbox, removal). */
  killNow(c: ContainerRecord, at: number): void {
    const m = this.machineFor(c);
    if (c.state !== "CONTAINER_RUNNING" || !m) return;
    m.kill(at);
    this.onExit(c, m);
  }

  /**
   * When will a container of this sandbox next change state by itself? Simulates a copy
   * of the sandbox forward until the first exit. Null when nothing will happen on its own.
   */
  async predictNextEvent(): Promise<number | null> {
    const from = this.sandbox.syncedAt;
    // Files are shared with the fork, not copied: a file map's entries are replaced on
    // change, never changed in place, so copying the maps is enough to keep ours intact.
    const fork = new SandboxSession(
      this.deps,
      structuredClone(this.sandbox),
      new Map([...this.containers].map(([id, c]) => [id, { ...structuredClone({ ...c, layer: {} }), layer: { ...c.layer } }])),
      new Map([...this.volumes].map(([n, v]) => [n, { ...v }])),
      this.chunks,
      true,
    );
    await fork.sync(from + HORIZON_MS);
    const first = fork.events[0]?.at;
    const candidates = [first, fork.uncertainAt].filter((t): t is number => t !== undefined && t !== null);
    if (!candidates.length) return null;
    return Math.max(Math.min(...candidates), from + 1);
  }

  async save(): Promise<void> {
    if (this.dry) throw new Error("a dry sandbox is never saved");
    const { storage } = this.deps;
    const quiet = this.isQuiet();
    const writes: Promise<unknown>[] = [];
    for (const id of this.dirtyContainers) {
      const c = this.containers.get(id);
      if (c) writes.push(storage.put<StoredContainerRecord>(KEYS.container(id), { ...c, layer: await this.chunks.save(containerOwner(id), c.layer) }));
    }
    for (const name of this.dirtyVolumes) {
      writes.push(storage.put<StoredFileMap>(KEYS.volume(this.sandbox.id, name), await this.chunks.save(volumeOwner(name), this.volumes.get(name) ?? {})));
    }
    for (const id of this.droppedContainers) await this.chunks.drop(containerOwner(id));
    if (this.writtenVolumes.size) {
      const index = (await storage.get<VolumeWriteIndex>(KEYS.volumeWrites)) ?? {};
      for (const name of this.writtenVolumes) index[`${this.sandbox.id}/${name}`] = true;
      writes.push(storage.put(KEYS.volumeWrites, index));
    }
    if (this.sandboxDirty || this.clockMoved) writes.push(storage.put(KEYS.sandbox(this.sandbox.id), this.sandbox));
    for (const [id, lines] of this.pendingLogs) {
      if (!lines.length) continue;
      const rec = (await storage.get<LogRecord>(KEYS.log(id))) ?? emptyLog();
      writes.push(storage.put(KEYS.log(id), appendLines(rec, lines)));
    }
    await Promise.all(writes);
    const written = this.writtenVolumes.size > 0;
    this.dirtyContainers.clear();
    this.dirtyVolumes.clear();
    this.writtenVolumes.clear();
    this.droppedContainers.clear();
    this.pendingLogs.clear();
    this.sandboxDirty = false;
    this.clockMoved = false;

    const due = (await storage.get<DueIndex>(KEYS.due)) ?? {};
    const predicted = due[this.sandbox.id];
    // Nothing ran and nothing changed but the clock, which has not reached the predicted
    // event: the same processes from the same states meet the same next event (a null
    // prediction stays null). A status read or a probe costs no simulation.
    if (!quiet || (predicted !== undefined && predicted <= this.sandbox.syncedAt)) {
      const next = await this.predictNextEvent();
      if (next === null) delete due[this.sandbox.id];
      else due[this.sandbox.id] = next;
      await storage.put(KEYS.due, due);
    }

    if (this.events.length) {
      const pending = (await storage.get<PendingEvents>(KEYS.events)) ?? [];
      await storage.put(KEYS.events, [...pending, ...this.events]);
      this.events.length = 0;
    }
    if (written) this.deps.volumeWritten?.();
  }

  /** Has this session changed nothing but the time it is synced to? */
  private isQuiet(): boolean {
    if (this.sandboxDirty || this.dirtyContainers.size || this.dirtyVolumes.size || this.writtenVolumes.size || this.droppedContainers.size || this.events.length) return false;
    for (const lines of this.pendingLogs.values()) if (lines.length) return false;
    return true;
  }

  /** Forget the sandbox entirely (removePodSandbox). */
  async destroy(): Promise<void> {
    const { storage } = this.deps;
    for (const id of this.sandbox.containerIds) {
      await storage.delete(KEYS.container(id));
      await storage.delete(KEYS.log(id));
    }
    for (const key of (await storage.list(KEYS.volumes(this.sandbox.id))).keys()) await storage.delete(key);
    await this.chunks.dropAll();
    await storage.delete(KEYS.sandbox(this.sandbox.id));
    const due = (await storage.get<DueIndex>(KEYS.due)) ?? {};
    if (this.sandbox.id in due) {
      delete due[this.sandbox.id];
      await storage.put(KEYS.due, due);
    }
    if (this.events.length) {
      const pending = (await storage.get<PendingEvents>(KEYS.events)) ?? [];
      await storage.put(KEYS.events, [...pending, ...this.events]);
    }
  }
}
