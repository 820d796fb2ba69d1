// What the shell and the image programs see of their container: its filesystem, the
// pod's network namespace (ports shared by all containers of the sandbox), its
// processes. One per container per runtime operation, built by the SandboxSession.
import { KERNEL } from "../images/kernel";
import type { HttpOutcome, HttpRequest, ImageConfig, LogStream, Signal } from "../images/types";
import type { ProcessInfo, ShellHost } from "../shell/host";
import { ContainerFs, normalizePath, type FileMap, type MountView } from "./fs";
import { runtimeFiles } from "./container-setup";
import type { ContainerRecord, SandboxRecord } from "./records";
import type { Machine } from "../shell/machine";
import type { DnsAnswer } from "../../model/cluster-dns";

/**
 * What a container's host needs of the sandbox around it (the SandboxSession provides
 * it): the pod's shared state, its ports and logs, and its processes' machines.
 */
export interface SandboxPort {
  readonly sandbox: SandboxRecord;
  volumeFiles(name: string): FileMap;
  markVolume(name: string): void;
  markContainer(id: string): void;
  portRequest(port: number, req: HttpRequest, at: number): HttpOutcome;
  remoteRequest(host: string, port: number, req: HttpRequest, at: number): Promise<HttpOutcome>;
  dnsLookup(name: string, search: boolean, at: number): Promise<DnsAnswer | null>;
  dnsReverse(ip: string, at: number): Promise<string | undefined>;
  machineFor(c: ContainerRecord): Machine | undefined;
  appendLog(containerId: string, stream: LogStream, text: string, at: number): void;
  bind(containerId: string, ports: number[]): number | null;
  release(containerId: string, ports?: number[]): void;
}

/**
 * The image's files plus the ones the runtime writes (/etc/hosts...). Cached per image
 * and content, so the filesystem's directory index is built once, not per operation.
 */
const withFiles = new WeakMap<object, Map<string, FileMap>>();
function withRuntimeFiles(image: FileMap, extra: FileMap): FileMap {
  let byKey = withFiles.get(image);
  if (!byKey) withFiles.set(image, (byKey = new Map()));
  const key = JSON.stringify(extra);
  let merged = byKey.get(key);
  if (!merged) {
    if (byKey.size > 500) byKey.clear();
    merged = { ...image, ...extra };
    byKey.set(key, merged);
  }
  return merged;
}

function isLocalAddress(host: string, podIP: string, hostname: string): boolean {
  return host === "localhost" || host === "::1" || host === "0.0.0.0" || host === podIP || host === hostname || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class ContainerHost implements ShellHost {
  readonly kernel = KERNEL;
  private _fs: ContainerFs | undefined;

  constructor(
    private readonly session: SandboxPort,
    private readonly c: ContainerRecord,
    readonly image: ImageConfig,
  ) {}

  get hostname(): string {
    return this.session.sandbox.hostname;
  }

  get podIP(): string {
    return this.session.sandbox.config.podIP;
  }

  get fs(): ContainerFs {
    if (!this._fs) {
      const base = withRuntimeFiles(this.image.files, runtimeFiles(this.session.sandbox.config, this.hostname));
      const mounts: MountView[] = (this.c.config.mounts ?? []).map((m) => ({
        path: normalizePath(m.containerPath),
        files: this.session.volumeFiles(m.volume),
        root: m.subPath ? normalizePath(m.subPath) : "/",
        readOnly: !!m.readOnly,
        touched: () => this.session.markVolume(m.volume),
      }));
      this._fs = new ContainerFs(base, this.c.layer, mounts, () => this.session.markContainer(this.c.id));
    }
    return this._fs;
  }

  http(host: string, port: number, req: HttpRequest, at: number): Promise<HttpOutcome> {
    if (isLocalAddress(host, this.podIP, this.hostname)) return Promise.resolve(this.session.portRequest(port, req, at));
    return this.session.remoteRequest(host, port, req, at);
  }

  dnsLookup(name: string, search: boolean, at: number): Promise<DnsAnswer | null> {
    return this.session.dnsLookup(name, search, at);
  }

  dnsReverse(ip: string, at: number): Promise<string | undefined> {
    return this.session.dnsReverse(ip, at);
  }

  processes(): ProcessInfo[] {
    return this.session.machineFor(this.c)?.processes() ?? [];
  }

  writeMainLog(stream: LogStream, text: string, at: number): void {
    this.session.appendLog(this.c.id, stream, text, at);
  }

  bindPorts(ports: number[]): number | null {
    return this.session.bind(this.c.id, ports);
  }

  releasePorts(ports: number[]): void {
    this.session.release(this.c.id, ports);
  }

  nextPid(): number {
    this.session.markContainer(this.c.id);
    return this.c.nextPid++;
  }

  kill(pid: number, sig: Signal, at: number): boolean {
    const m = this.session.machineFor(this.c);
    if (!m) return false;
    this.session.markContainer(this.c.id);
    return m.signalPid(pid, sig, at);
  }
}
