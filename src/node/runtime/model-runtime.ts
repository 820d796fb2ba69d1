// The RuntimeService of the model: every call loads the sandbox it touches, brings it
// up to "now" (processes run lazily, in time order), acts, and saves. Nothing runs
// between calls; `nextEventAt()` tells the kubelet when to call `advance()` so that a
// container that exits on its own is noticed on time.
import { exportedEnv, newShellState } from "../shell/host";
import { Machine } from "../shell/machine";
import { newMachine, type Frame } from "../shell/machine-state";
import { ExecNotFoundError } from "../shell/launch";
import { createShellSession, type ShellReply, type ShellSession } from "../shell/session";
import { stdinFrom } from "../shell/commands/types";
import { findExecutable } from "../shell/commands/files";
import type { ShellHost } from "../shell/host";
import { containerArgv, containerEnv, shellFlavourOf } from "./container-setup";
import { bufferedStream, lineShellStream, passThroughStream } from "./exec-stream";
import type {
  Container,
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecStream,
  ExecSyncOptions,
  ExecSyncResult,
  GrpcHealthOutcome,
  LogLine,
  LogQuery,
  PodHttpRequest,
  PodHttpResult,
  PortForwardDial,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  VolumeEntry,
  VersionInfo,
  VolumeWrite,
} from "./cri";
import { CriError } from "./errors";
import type { RuntimeFlavour } from "./flavours";
import { hexId, stripPrefix } from "./ids";
import type { ModelImageService } from "./image-service";
import { toLogLines } from "./logs";
import { KEYS, type ContainerRecord, type DueIndex, type LogRecord, type PendingEvents, type SandboxRecord, type StoredFileMap, type VolumeWriteIndex } from "./records";
import { ChunkStore } from "./file-chunks";
import { imageConfigOf, SandboxSession, type DnsHook, type NetworkHook } from "./sandbox-session";
import type { RuntimeStorage } from "./storage";
import { containerUsage } from "./usage";

export interface RuntimeDeps {
  storage: RuntimeStorage;
  /** The node's clock (ms since epoch); tests inject a fake one. */
  now: () => number;
  /** Source of randomness for IDs; Math.random by default. */
  random?: () => number;
  /** How pods reach other pods' IPs; without it, only their own network namespace answers. */
  network?: NetworkHook;
  /** Cluster DNS for the pods' resolvers (nslookup); without it, no cluster name resolves. */
  dns?: DnsHook;
  /** A persistent volume was written: takeVolumeWrites() has something. */
  volumeWritten?: () => void;
}

const matchLabels = (labels: Record<string, string> | undefined, selector: Record<string, string> | undefined) =>
  !selector || Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The address requests from outside the pod come from: the pod network's gateway. */
function gateway(podIP: string): string {
  const parts = podIP.split(".");
  return parts.length === 4 ? [...parts.slice(0, 3), "1"].join(".") : podIP;
}

export class ModelRuntime implements RuntimeService {
  constructor(
    private readonly deps: RuntimeDeps,
    readonly flavour: RuntimeFlavour,
    private readonly images: ModelImageService,
  ) {}

  private get storage(): RuntimeStorage {
    return this.deps.storage;
  }

  private newId(): string {
    return hexId(this.deps.random);
  }

  /** Load a sandbox and bring it up to now. */
  private async open(sandboxId: string, now = this.deps.now()): Promise<SandboxSession> {
    const s = await SandboxSession.open(this.deps, sandboxId);
    await s.sync(now);
    return s;
  }

  private async openContainer(idOrPrefixed: string): Promise<{ s: SandboxSession; c: ContainerRecord; now: number }> {
    const id = stripPrefix(idOrPrefixed);
    const rec = await this.storage.get<ContainerRecord>(KEYS.container(id));
    if (!rec) throw new CriError("NotFound", `an error occurred when try to find container "${id}": not found`, "NoSuchContainer");
    const s = await this.open(rec.sandboxId);
    return { s, c: s.containers.get(id)!, now: s.sandbox.syncedAt };
  }

  async version(): Promise<VersionInfo> {
    return { version: "0.1.0", runtimeName: this.flavour.runtimeName, runtimeVersion: this.flavour.runtimeVersion, runtimeApiVersion: "v1" };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const now = this.deps.now();
    const id = this.newId();
    // A persistent volume's files go to the volume's own record, not the sandbox's.
    const persistent = new Map<string, Record<string, VolumeEntry>>();
    const stored = structuredClone(config);
    for (const v of stored.volumes ?? []) {
      if (!v.persistent) continue;
      persistent.set(v.name, v.persistent.entries);
      v.persistent = { entries: {} };
    }
    const rec: SandboxRecord = {
      id,
      config: stored,
      hostname: config.hostname ?? config.metadata.name,
      state: "SANDBOX_READY",
      createdAt: now,
      ports: {},
      containerIds: [],
      syncedAt: now,
    };
    await SandboxSession.create(this.deps, rec, persistent).save();
    return id;
  }

  async takeVolumeWrites(): Promise<VolumeWrite[]> {
    const index = (await this.storage.get<VolumeWriteIndex>(KEYS.volumeWrites)) ?? {};
    const keys = Object.keys(index);
    if (!keys.length) return [];
    // Taken before the files are read: a write after this point queues them again.
    await this.storage.delete(KEYS.volumeWrites);
    const out: VolumeWrite[] = [];
    for (const key of keys) {
      const slash = key.indexOf("/");
      const podSandboxId = key.slice(0, slash);
      const volume = key.slice(slash + 1);
      const files = await this.storage.get<StoredFileMap>(KEYS.volume(podSandboxId, volume));
      if (!files) continue;
      const loaded = await new ChunkStore(this.storage, podSandboxId, this.deps.random).load(`vol/${volume}`, files);
      const entries: Record<string, VolumeEntry> = {};
      for (const [path, e] of Object.entries(loaded)) if (e.k !== "wh") entries[path] = e;
      out.push({ podSandboxId, volume, entries });
    }
    return out;
  }

  async requeueVolumeWrite(podSandboxId: string, volume: string): Promise<void> {
    const index = (await this.storage.get<VolumeWriteIndex>(KEYS.volumeWrites)) ?? {};
    index[`${podSandboxId}/${volume}`] = true;
    await this.storage.put(KEYS.volumeWrites, index);
  }

  async stopPodSandbox(id: string): Promise<void> {
    const s = await this.open(id).catch((e) => (e instanceof CriError && e.reason === "NoSuchSandbox" ? undefined : Promise.reject(e)));
    if (!s) return;
    for (const c of s.containers.values()) s.killNow(c, s.sandbox.syncedAt);
    if (s.sandbox.state !== "SANDBOX_NOTREADY") {
      s.sandbox.state = "SANDBOX_NOTREADY";
      s.markSandbox();
    }
    await s.save();
  }

  async removePodSandbox(id: string): Promise<void> {
    const s = await this.open(id).catch((e) => (e instanceof CriError && e.reason === "NoSuchSandbox" ? undefined : Promise.reject(e)));
    if (!s) return;
    for (const c of s.containers.values()) s.killNow(c, s.sandbox.syncedAt);
    await s.destroy();
  }

  async replaceVolumeFiles(podSandboxId: string, volume: string, files: Record<string, string>): Promise<void> {
    const s = await this.open(podSandboxId);
    if (!s.hasVolume(volume)) throw new CriError("InvalidArgument", `volume "${volume}" is not part of sandbox "${podSandboxId}"`);
    const v = s.volumeFiles(volume);
    for (const p of Object.keys(v)) delete v[p];
    const t = this.deps.now();
    for (const [p, data] of Object.entries(files)) v[p.startsWith("/") ? p : `/${p}`] = { k: "f", data, t };
    s.markVolume(volume);
    await s.save();
  }

  private sandboxOf(r: SandboxRecord): PodSandbox {
    return { id: r.id, metadata: r.config.metadata, state: r.state, createdAt: r.createdAt, labels: r.config.labels ?? {}, annotations: r.config.annotations ?? {} };
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = await this.open(id);
    await s.save();
    const r = s.sandbox;
    return {
      ...this.sandboxOf(r),
      network: { ip: r.config.podIP },
      hostname: r.hostname,
      runtimeHandler: this.flavour.runtimeHandler,
      listening: Object.entries(r.ports).map(([port, containerId]) => ({ port: Number(port), containerId })),
    };
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    await this.catchUp(this.deps.now());
    const all = await this.storage.list<SandboxRecord>(KEYS.sandboxes);
    return [...all.values()]
      .filter((r) => (!filter.id || r.id === stripPrefix(filter.id)) && (!filter.state || r.state === filter.state) && matchLabels(r.config.labels, filter.labelSelector))
      .map((r) => this.sandboxOf(r));
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const s = await this.open(podSandboxId);
    const now = s.sandbox.syncedAt;
    if (s.sandbox.state !== "SANDBOX_READY") {
      throw new CriError("FailedPrecondition", `failed to create containerd container: sandbox "${podSandboxId}" is not ready`, "BadState");
    }
    const found = await this.images.find(config.image);
    if (!found) throw new CriError("NotFound", `failed to get image "${config.image}": image not present on this node`, "ImageNotPresent");
    const image = found.image.config;
    for (const m of config.mounts ?? []) {
      if (!s.hasVolume(m.volume)) throw new CriError("InvalidArgument", `failed to generate container spec: volume "${m.volume}" is not part of sandbox "${podSandboxId}"`);
    }
    const argv = containerArgv(config, image);
    if (!argv.length) throw new CriError("InvalidArgument", "failed to generate container spec: no command specified");
    const c: ContainerRecord = {
      id: this.newId(),
      sandboxId: podSandboxId,
      config: structuredClone(config),
      image: { repository: found.image.repository, tag: found.image.tag, repoDigest: found.image.repoDigest, id: found.image.id },
      state: "CONTAINER_CREATED",
      createdAt: now,
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: "",
      message: "",
      env: containerEnv(config, image, s.sandbox.hostname),
      argv,
      workingDir: config.workingDir || image.workingDir || "/",
      machine: null,
      layer: {},
      nextPid: 7,
    };
    if (this.flavour.checksExecutableAtCreate) {
      const host = s.hostFor(c);
      if (!findExecutable({ host, shell: newShellState(c.env, { cwd: c.workingDir, flavour: "dash" }), env: Object.fromEntries(c.env) }, argv[0])) {
        throw new CriError("Unknown", this.flavour.startError(argv[0]), "ExecutableNotFound");
      }
    }
    for (const m of config.mounts ?? []) {
      // The kubelet creates a subPath directory in the volume when it is missing.
      if (m.subPath) s.volumeFiles(m.volume)[`/${m.subPath.replace(/^\/+|\/+$/g, "")}`] ??= { k: "d" };
      if (m.subPath) s.markVolume(m.volume);
    }
    s.addContainer(c);
    await s.save();
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    const { s, c, now } = await this.openContainer(id);
    if (c.state !== "CONTAINER_CREATED") {
      throw new CriError("FailedPrecondition", `failed to start container "${c.id}": container is in ${c.state} state`, "BadState");
    }
    const image = imageConfigOf(c);
    const shell = newShellState(c.env, { cwd: c.workingDir, flavour: shellFlavourOf(image), args: [c.argv[0]] });
    const missing = await s.start(c, newMachine(c.argv, shell, now), now);
    if (missing !== undefined) c.message = this.flavour.startError(missing);
    await s.save();
    if (missing !== undefined) throw new CriError("Unknown", c.message, "ExecutableNotFound");
  }

  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    const { s, c, now } = await this.openContainer(id);
    if (c.state === "CONTAINER_RUNNING") {
      if (timeoutSec <= 0) s.killNow(c, now);
      else {
        s.machineFor(c)?.signal(imageConfigOf(c).stopSignal, now);
        c.killAt = Math.min(c.killAt ?? Infinity, now + timeoutSec * 1000);
        s.markContainer(c.id);
        await s.sync(now);
      }
    } else if (c.state === "CONTAINER_CREATED") {
      Object.assign(c, { state: "CONTAINER_EXITED", finishedAt: now, reason: "Error", exitCode: 0 });
      s.markContainer(c.id);
    }
    await s.save();
  }

  async removeContainer(id: string): Promise<void> {
    const cid = stripPrefix(id);
    const rec = await this.storage.get<ContainerRecord>(KEYS.container(cid));
    if (!rec) return;
    const s = await this.open(rec.sandboxId);
    const c = s.containers.get(cid);
    if (c) {
      s.killNow(c, s.sandbox.syncedAt);
      s.events.splice(0, s.events.length, ...s.events.filter((e) => e.containerId !== cid));
      s.dropContainer(cid);
    }
    await this.storage.delete(KEYS.container(cid));
    await this.storage.delete(KEYS.log(cid));
    await s.save();
  }

  private containerOf(c: ContainerRecord): Container {
    return {
      id: c.id,
      containerID: this.flavour.idPrefix + c.id,
      podSandboxId: c.sandboxId,
      metadata: c.config.metadata,
      image: { image: c.config.image },
      imageRef: c.image.repoDigest,
      state: c.state,
      createdAt: c.createdAt,
      labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {},
    };
  }

  private statusOf(c: ContainerRecord): ContainerStatus {
    return {
      ...this.containerOf(c),
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      reason: c.reason,
      message: c.message,
      mounts: c.config.mounts ?? [],
      logPath: c.config.logPath ?? "",
      ...(c.killAt !== undefined ? { killAt: c.killAt } : {}),
      ...(c.signal ? { signal: c.signal } : {}),
    };
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const { s, c } = await this.openContainer(id);
    await s.save();
    return this.statusOf(c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    await this.catchUp(this.deps.now());
    const all = await this.storage.list<ContainerRecord>(KEYS.containers);
    return [...all.values()]
      .filter(
        (c) =>
          (!filter.id || c.id === stripPrefix(filter.id)) &&
          (!filter.state || c.state === filter.state) &&
          (!filter.podSandboxId || c.sandboxId === filter.podSandboxId) &&
          matchLabels(c.config.labels, filter.labelSelector),
      )
      .map((c) => this.containerOf(c));
  }

  async listContainerStats(): Promise<ContainerStats[]> {
    const now = this.deps.now();
    await this.catchUp(now);
    const all = await this.storage.list<ContainerRecord>(KEYS.containers);
    return [...all.values()]
      .filter((c) => c.state === "CONTAINER_RUNNING")
      .map((c) => {
        const u = containerUsage(c, imageConfigOf(c), now);
        return { id: c.id, podSandboxId: c.sandboxId, metadata: c.config.metadata, timestamp: now, cpu: { usageNanoCores: u.usageNanoCores }, memory: { workingSetBytes: u.workingSetBytes } };
      });
  }

  // ---- exec ----

  private execEnv(c: ContainerRecord, tty: boolean): [string, string][] {
    return tty && !c.env.some(([k]) => k === "TERM") ? [...c.env, ["TERM", "xterm"]] : c.env;
  }

  async execSync(id: string, cmd: string[], opts: ExecSyncOptions = {}): Promise<ExecSyncResult> {
    if (!cmd.length) throw new CriError("InvalidArgument", "exec command must not be empty");
    const { s, c, now } = await this.openContainer(id);
    if (c.state !== "CONTAINER_RUNNING") throw this.flavour.notRunning(c.state);
    const host = s.hostFor(c);
    const tty = !!opts.tty;
    let stdout = "";
    let stderr = "";
    const shell = newShellState(this.execEnv(c, tty), { cwd: c.workingDir, flavour: shellFlavourOf(host.image), args: [cmd[0]] });
    const m = new Machine(
      { shell, stack: [], control: { k: "argv", argv: cmd, pid: host.nextPid(), initial: true }, clock: now, wait: null, exit: null, startedAt: now },
      host,
      {
        mode: "instant",
        io: {
          out: (t) => void (stdout += t),
          err: (t) => void (tty ? (stdout += t) : (stderr += t)),
        },
        stdin: stdinFrom(opts.stdin ?? ""),
        tty,
      },
    );
    try {
      await m.run(Infinity);
    } catch (e) {
      if (e instanceof ExecNotFoundError) throw this.flavour.execNotFound(e.executable, this.newId());
      throw e;
    }
    // What the command did to the container (kill 1, files a loop reads) plays out now.
    await s.sync(now);
    await s.save();
    return { stdout, stderr, exitCode: m.st.exit?.code ?? 0 };
  }

  /** The program `cmd` runs in the container and whether it is a shell waiting for input (no script). */
  private async resolveExec(id: string, cmd: string[], tty: boolean) {
    const { s, c, now } = await this.openContainer(id);
    if (c.state !== "CONTAINER_RUNNING") throw this.flavour.notRunning(c.state);
    const host = s.hostFor(c);
    const env = this.execEnv(c, tty);
    const path = findExecutable({ host, shell: newShellState(env, { cwd: c.workingDir, flavour: "dash" }), env: Object.fromEntries(env) }, cmd[0] ?? "");
    const entry = path ? host.fs.stat(path) : undefined;
    if (!path || entry?.k !== "x") throw this.flavour.execNotFound(cmd[0] ?? "", this.newId());
    const shellFromStdin = (entry.cmd === "bash" || entry.cmd === "dash" || entry.cmd === "ash") && !cmd.slice(1).some((a) => /^-\w*c/.test(a) || !a.startsWith("-"));
    const openShell = async (): Promise<ShellSession> => {
      const pid = host.nextPid();
      await s.save();
      return createShellSession({
        argv: cmd,
        flavour: entry.cmd as "bash" | "dash" | "ash",
        env,
        cwd: c.workingDir,
        hostname: s.sandbox.hostname,
        pid,
        tty,
        startedAt: now,
        withHost: (fn) => this.withRunningContainer(c.id, fn),
      });
    };
    return { program: entry.cmd, shellFromStdin, openShell };
  }

  async execSession(id: string, cmd: string[], opts: { tty?: boolean } = {}): Promise<ShellSession> {
    const tty = opts.tty ?? true;
    const exec = await this.resolveExec(id, cmd, tty);
    if (!exec.shellFromStdin) {
      // Not a shell waiting for input: run it now, the session is over before it starts.
      const r = await this.execSync(id, cmd, { tty });
      const initial: ShellReply = { output: r.stdout + r.stderr, exited: true, exitCode: r.exitCode };
      return { prompt: () => "", input: async () => initial, closed: true, status: r.exitCode, initial };
    }
    return exec.openShell();
  }

  async execStream(id: string, cmd: string[]): Promise<ExecStream> {
    const exec = await this.resolveExec(id, cmd, false);
    if (exec.shellFromStdin) return lineShellStream(await exec.openShell());
    if (exec.program === "cat" && cmd.slice(1).every((a) => a === "-")) return passThroughStream();
    return bufferedStream((stdin) => this.execSync(id, cmd, { stdin }));
  }

  // ---- attach ----

  async attachSession(id: string, opts: { tty: boolean }): Promise<ShellSession | null> {
    const { s, c } = await this.openContainer(id);
    if (c.state !== "CONTAINER_RUNNING") throw this.flavour.notRunning(c.state);
    const main = s.machineFor(c);
    await s.save();
    if (!main || !s.readsStdin(c)) return null;
    // The attached client types into the main shell: its variables and directory as
    // they are, its pid (1), and what it answers goes to the container's log as well,
    // as a terminal's output does.
    const session = createShellSession({
      argv: main.st.stack.find((f): f is Extract<Frame, { k: "scope" }> => f.k === "scope")?.argv ?? ["sh"],
      flavour: shellFlavourOf(s.hostFor(c).image),
      env: exportedEnv(main.st.shell),
      cwd: main.st.shell.cwd,
      hostname: s.sandbox.hostname,
      pid: 1,
      tty: opts.tty,
      startedAt: c.startedAt,
      withHost: (fn) => this.withRunningContainer(c.id, fn),
    });
    return {
      prompt: () => session.prompt(),
      get closed() {
        return session.closed;
      },
      get status() {
        return session.status;
      },
      input: async (line) => {
        const reply = await session.input(line);
        const text = reply.output + (reply.stderr ?? "");
        if (text) await this.appendOutput(c.id, text);
        return reply;
      },
    };
  }

  async closeStdin(id: string, code: number): Promise<void> {
    const { s, c, now } = await this.openContainer(id);
    s.endStdin(c, code, now);
    await s.save();
  }

  private async appendOutput(id: string, text: string): Promise<void> {
    const { s, c, now } = await this.openContainer(id);
    s.appendLog(c.id, "stdout", text, now);
    await s.save();
  }

  /** Run `fn` against a container as it is now, then save what it changed. */
  private async withRunningContainer<T>(id: string, fn: (host: ShellHost, now: number) => Promise<T>): Promise<T> {
    const { s, c, now } = await this.openContainer(id);
    if (c.state !== "CONTAINER_RUNNING") throw this.flavour.notRunning(c.state);
    const result = await fn(s.hostFor(c), now);
    await s.sync(now);
    await s.save();
    return result;
  }

  // ---- logs, network, time ----

  async containerLogs(id: string, query: LogQuery = {}): Promise<LogLine[]> {
    const { s, c } = await this.openContainer(id);
    await s.save();
    let lines = toLogLines(await this.storage.get<LogRecord>(KEYS.log(c.id)));
    if (query.since !== undefined) lines = lines.filter((l) => l.time >= query.since!);
    if (query.tail !== undefined) lines = query.tail > 0 ? lines.slice(-query.tail) : [];
    return lines;
  }

  async podHttp(podSandboxId: string, port: number, request: PodHttpRequest = {}): Promise<PodHttpResult> {
    const s = await this.open(podSandboxId);
    if (s.sandbox.state !== "SANDBOX_READY") return { kind: "refused" };
    const podIP = s.sandbox.config.podIP;
    const outcome = s.portRequest(
      port,
      {
        method: request.method ?? "GET",
        path: request.path ?? "/",
        headers: { Host: `${podIP}:${port}`, ...(request.headers ?? {}) },
        body: request.body,
        remoteAddr: request.remoteAddr ?? gateway(podIP),
      },
      s.sandbox.syncedAt,
    );
    await s.save();
    return outcome;
  }

  async portForwardDial(podSandboxId: string, port: number): Promise<PortForwardDial> {
    const s = await this.open(podSandboxId);
    const ready = s.sandbox.state === "SANDBOX_READY";
    const open = ready && s.portOpen(port);
    await s.save();
    if (open) return { ok: true };
    return { ok: false, error: ready ? this.flavour.portForwardRefused(podSandboxId, port) : this.flavour.netnsClosed(podSandboxId) };
  }

  async podTcpConnect(podSandboxId: string, port: number): Promise<boolean> {
    const s = await this.open(podSandboxId);
    const open = s.sandbox.state === "SANDBOX_READY" && s.portOpen(port);
    await s.save();
    return open;
  }

  async podGrpcHealth(podSandboxId: string, port: number, service: string): Promise<GrpcHealthOutcome> {
    const s = await this.open(podSandboxId);
    const outcome = s.sandbox.state === "SANDBOX_READY" ? s.portGrpcHealth(port, service, s.sandbox.syncedAt) : ({ kind: "refused" } as const);
    await s.save();
    return outcome;
  }

  async nextEventAt(): Promise<number | null> {
    const due = (await this.storage.get<DueIndex>(KEYS.due)) ?? {};
    const times = Object.values(due);
    return times.length ? Math.min(...times) : null;
  }

  /** Bring every sandbox with something due up to `now`. */
  private async catchUp(now: number): Promise<void> {
    const due = (await this.storage.get<DueIndex>(KEYS.due)) ?? {};
    for (const [sandboxId, at] of Object.entries(due)) {
      if (at > now) continue;
      const s = await SandboxSession.open(this.deps, sandboxId).catch(() => undefined);
      if (!s) continue;
      await s.sync(now);
      await s.save();
    }
  }

  async advance(now: number): Promise<ContainerEvent[]> {
    await this.catchUp(now);
    const events = (await this.storage.get<PendingEvents>(KEYS.events)) ?? [];
    if (events.length) await this.storage.delete(KEYS.events);
    return events;
  }
}
