// What the shell needs from the container it runs in. The runtime implements it for
// one container of one sandbox; tests can implement it by hand.
import type { ContainerFs } from "../runtime/fs";
import type { HttpOutcome, HttpRequest, ImageConfig, LogStream, Signal } from "../images/types";
import type { DnsAnswer } from "../../model/cluster-dns";

/** bash (Debian images), dash (Debian's /bin/sh) or busybox ash (busybox, alpine). */
export type ShellFlavour = "bash" | "dash" | "ash";

/** A shell's variables and settings; plain JSON so a running script can be persisted. */
export interface ShellState {
  /** Every variable, in the order it was first set (`env` prints exported ones in this order). */
  vars: Record<string, string>;
  exported: string[];
  cwd: string;
  /** $? */
  status: number;
  /** $0 $1 ... */
  args: string[];
  flavour: ShellFlavour;
}

export interface ProcessInfo {
  pid: number;
  argv: string[];
  startedAt: number;
  tty: boolean;
}

export interface ShellHost {
  readonly fs: ContainerFs;
  readonly image: ImageConfig;
  readonly hostname: string;
  readonly podIP: string;
  /** An HTTP request from inside the container to host:port (curl, wget). */
  http(host: string, port: number, req: HttpRequest, at: number): Promise<HttpOutcome>;
  /** The pod's nameserver (cluster DNS): A records of `name`, through the search path when `search`; null: NXDOMAIN. */
  dnsLookup(name: string, search: boolean, at: number): Promise<DnsAnswer | null>;
  /** PTR of an address, as cluster DNS answers it. */
  dnsReverse(ip: string, at: number): Promise<string | undefined>;
  /** What `ps` sees: the container's processes at time `at`. */
  processes(at: number): ProcessInfo[];
  /** Writes to PID 1's stdout/stderr, i.e. the container log (`echo hi > /proc/1/fd/1`). */
  writeMainLog(stream: LogStream, text: string, at: number): void;
  /** Bind ports in the pod's network namespace; the first port already taken, or null. */
  bindPorts(ports: number[]): number | null;
  releasePorts(ports: number[]): void;
  nextPid(): number;
  /** `kill` from inside the container; false when no such process. */
  kill(pid: number, sig: Signal, at: number): boolean;
  /** The node's kernel, as `uname` reports it. */
  readonly kernel: { release: string; version: string; machine: string };
}

export function exportedEnv(shell: ShellState): Record<string, string> {
  const env: Record<string, string> = {};
  const exported = new Set(shell.exported);
  for (const [k, v] of Object.entries(shell.vars)) if (exported.has(k)) env[k] = v;
  return env;
}

export function newShellState(
  env: [string, string][] | Record<string, string>,
  opts: { cwd: string; flavour: ShellFlavour; args?: string[] },
): ShellState {
  const entries = Array.isArray(env) ? env : Object.entries(env);
  return {
    vars: Object.fromEntries(entries),
    exported: entries.map(([k]) => k),
    cwd: opts.cwd,
    status: 0,
    args: opts.args ?? [opts.flavour === "bash" ? "bash" : "sh"],
    flavour: opts.flavour,
  };
}
