// What an image is in this model: a small program plus the files, environment and
// commands a container of it has. Images are static catalog data; everything a running
// container changes lives in the runtime's storage.
import type { ContainerFs, FileMap } from "../runtime/fs";
import type { Signal, HttpResponse } from "../runtime/cri";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

// Signals and HTTP outcomes are the runtime contract's (runtime/cri.ts): images speak it.
export type { Signal, HttpResponse, HttpOutcome, GrpcHealthOutcome } from "../runtime/cri";
import type { GrpcHealthOutcome } from "../runtime/cri";
export type LogStream = "stdout" | "stderr";

export interface HttpRequest {
  method: string;
  /** Path and query, e.g. "/" or "/index.html?x=1". */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Address the request comes from, for access logs ("127.0.0.1" from inside the pod). */
  remoteAddr: string;
}

/** One step of a program's own timeline, relative to when it started (or got a signal). */
export interface TimelineEntry {
  afterMs: number;
  stream?: LogStream;
  /** A line (or several, separated by "\n") written at that time. */
  text?: string;
  /** The program exits with this code at that time. */
  exit?: number;
}

export interface ProgramContext {
  /** argv as invoked, argv[0] included. */
  argv: string[];
  /** The program's PID in the container (1 when it is the container's main process). */
  pid: number;
  env: Record<string, string>;
  cwd: string;
  fs: ContainerFs;
  hostname: string;
  podIP: string;
  /** Time (ms since epoch) of this call: program start, request arrival, signal. */
  now: number;
  /** When the program started. */
  startedAt: number;
  image: ImageConfig;
}

type ProgramStart =
  /** Entrypoint scripts: write some lines, then replace themselves with `argv` (exec "$@"). */
  | { kind: "exec"; argv: string[]; output?: TimelineEntry[] }
  | {
      kind: "run";
      /** TCP ports it binds at start, in the pod's shared network namespace. */
      listen?: number[];
      /** Logs and (optionally) the exit; no exit entry means it runs until signalled. */
      timeline: TimelineEntry[];
      /** What the program prints and how it exits when a port is already taken. */
      bindFailure?: (port: number) => TimelineEntry[];
      /** Program-private state kept with the container (request counters...). */
      state?: JsonValue;
    };

interface HttpHandled {
  /** "not-http" for programs that answer a TCP connection with something else. */
  response: HttpResponse | "not-http";
  /** Lines the program logs while handling the request (afterMs relative to now). */
  log?: TimelineEntry[];
  state?: JsonValue;
}

/**
 * What a running program costs, as the runtime's stats report it (kubectl top). Round,
 * typical figures of the real program at rest; requests add their CPU time on top.
 */
export interface ProgramUsage {
  /** CPU while nothing asks anything of it, in millicores. */
  idleMillicores: number;
  /** Working set at rest, in bytes. */
  memoryBytes: number;
  /** CPU time one request takes, in milliseconds: 100 requests a second at 2 ms is 200m. */
  cpuMsPerRequest?: number;
}

/** A long-running (or at least non-shell) program an image ships: node, nginx, redis... */
export interface Program {
  /** Its modelled CPU and memory; a program without one costs what DEFAULT_USAGE says. */
  usage?: ProgramUsage;
  start(ctx: ProgramContext): ProgramStart;
  http?(req: HttpRequest, ctx: ProgramContext & { state: JsonValue | undefined }): HttpHandled;
  /** A grpc.health.v1.Health/Check on one of its ports; programs without it speak no gRPC. */
  grpcHealth?(service: string, ctx: ProgramContext & { state: JsonValue | undefined }): GrpcHealthOutcome;
  /**
   * A signal arrives (the container is stopped). Returns what happens next (the last
   * entry carries the exit), or undefined when the program ignores it: a PID 1 with no
   * handler does, so the runtime kills it when the grace period ends.
   */
  signal?(sig: Signal, ctx: ProgramContext & { state: JsonValue | undefined }): TimelineEntry[] | undefined;
}

/** Which flavour of the usual commands the image carries (error texts and options differ). */
type Userland = "gnu" | "busybox";

export interface ImageConfig {
  /** Canonical "repository:tag" of this image; aliases (nginx:latest) share it. */
  canonical: string;
  /** Manifest digest when the real one is known ("sha256:..."); derived otherwise. */
  digest?: string;
  sizeBytes: number;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  /** Image ENV in Dockerfile order; PATH first. HOSTNAME and HOME come from the runtime. */
  env: [string, string][];
  stopSignal: Signal;
  userland: Userland;
  /** Root filesystem: directories, files and executables (entries of kind "x"). */
  files: FileMap;
  /** Programs this image's executables run, by the `cmd` of their file entry. */
  programs: Record<string, Program>;
  /** /etc/os-release PRETTY_NAME, for uname-ish answers and docs. */
  osName: string;
}

export interface ImageRepository {
  /** Fully qualified, e.g. "docker.io/library/nginx". */
  repository: string;
  tags: readonly string[];
  /** The image a tag points at (only called with a tag from `tags`). */
  image(tag: string): ImageConfig;
}
