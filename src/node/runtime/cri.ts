// The kubelet's view of a container runtime, shaped after the CRI (k8s.io/cri-api
// RuntimeService and ImageService): the kubelet codes against these interfaces only, so
// a second runtime flavour is a new implementation, not a kubelet change.
//
// Differences from the gRPC API, on purpose:
// - times are milliseconds since the epoch (CRI uses nanoseconds); 0 means unset;
// - the sandbox config carries the pod IP (a real runtime gets it from CNI; here the
//   kubelet allocates it) and the pod's volumes (their files live in the runtime);
// - StopContainer does not block for the grace period: a Durable Object cannot wait
//   30 s. The signal is delivered and, when the program ignores it, the kill deadline
//   appears in `killAt` and in `nextEventAt()`;
// - model-specific calls: containerLogs, podHttp, exec sessions, nextEventAt, advance.
// The contract names its own types: the images, the shell and the model runtime
// implement them and import them from here, never the other way round.

export type Signal = "SIGTERM" | "SIGQUIT" | "SIGINT" | "SIGKILL";

export interface HttpResponse {
  status: number;
  statusText: string;
  /** In order, as the program sends them (curl -i prints them). */
  headers: [string, string][];
  body: string;
}

/** A TLS server's certificate as a client checks it: the CA that signed it, the names it is for. */
export interface ServerTls {
  caPem: string;
  names: string[];
}

/** What a client sees when it connects to a port (the shared shape of podHttp and curl). */
export type HttpOutcome =
  /** `tls`: the server speaks TLS with a certificate its CA signed for these names (the API server). */
  | { kind: "response"; response: HttpResponse; tls?: ServerTls }
  /** Nothing listens on the port: ECONNREFUSED. */
  | { kind: "refused" }
  /** Something listens but does not speak HTTP (redis): curl reports HTTP/0.9. */
  | { kind: "not-http" }
  /** A name no resolver knows. */
  | { kind: "unresolved" }
  /** An address outside this pod that nothing routes to. */
  | { kind: "unreachable" };

/** grpc.health.v1 HealthCheckResponse.ServingStatus. */
export type GrpcServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

/** What a grpc.health.v1.Health/Check to a port gets. */
export type GrpcHealthOutcome =
  | { kind: "status"; status: GrpcServingStatus }
  /** The RPC failed: a gRPC status code name ("Unimplemented", "NotFound", "Unavailable") and message. */
  | { kind: "error"; code: string; message: string }
  /** Nothing listens on the port. */
  | { kind: "refused" };

/** What one line typed into an interactive exec answers. */
export interface ShellReply {
  /** What the terminal shows (stdout and stderr interleaved, as on a tty); without a tty, stdout. */
  output: string;
  /** Without a tty: what the line wrote to stderr. */
  stderr?: string;
  exited?: boolean;
  exitCode?: number;
}

/** An interactive exec: a prompt and one line at a time. */
export interface ShellSession {
  prompt(): string;
  input(line: string): Promise<ShellReply>;
  readonly closed: boolean;
  /** Exit status of the last command run (what the shell exits with at end of input). */
  readonly status: number;
  /** When the command was not an interactive shell: its whole run, done at open. */
  readonly initial?: ShellReply;
}

export type RuntimeKind = "containerd" | "cri-o";

export interface VersionInfo {
  /** CRI version of the kubelet-facing API. */
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

// ---- sandboxes ----

interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

/** A file or directory of a persistent volume as it is handed over: its whole entry, times included. */
export type VolumeEntry = { k: "d"; t?: number } | { k: "f"; data: string; t?: number } | { k: "x"; cmd: string; data?: string };

interface SandboxVolume {
  name: string;
  /** Files the volume starts with (configMap, secret, projected); none for emptyDir. */
  files?: Record<string, string>;
  /**
   * A persistent volume attached from its store: what it holds now (paths relative to
   * its root), and changes to it are queued for write-back (takeVolumeWrites).
   */
  persistent?: { entries: Record<string, VolumeEntry> };
}

/** A persistent volume of a sandbox whose files changed since they were last taken. */
export interface VolumeWrite {
  podSandboxId: string;
  volume: string;
  entries: Record<string, VolumeEntry>;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  /** Defaults to metadata.name, as for a pod. */
  hostname?: string;
  /**
   * With a subdomain: <subdomain>.<namespace>.svc.<zone>. The kubelet's managed
   * /etc/hosts names the pod <hostname>.<hostDomain> too (the runtime writes that file here).
   */
  hostDomain?: string;
  /** The pod IP, allocated by the kubelet from the node's podCIDR. */
  podIP: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Volumes owned by the sandbox: shared by the containers that mount them, gone with it. */
  volumes?: SandboxVolume[];
  dnsConfig?: { servers: string[]; searches: string[]; options?: string[] };
}

export type PodSandboxState = "SANDBOX_READY" | "SANDBOX_NOTREADY";

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  network: { ip: string };
  hostname: string;
  runtimeHandler: string;
  /** Ports bound in the pod's network namespace, and the container that holds each. */
  listening: { port: number; containerId: string }[];
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

// ---- containers ----

interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

interface Mount {
  containerPath: string;
  /** Name of one of the sandbox's volumes. */
  volume: string;
  readOnly?: boolean;
  /** Mount a sub-directory of the volume (created when missing, as the kubelet does). */
  subPath?: string;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** Any reference to a pulled image: as the pod spec names it, or pullImage's result. */
  image: string;
  /** Kubernetes semantics: command replaces the image ENTRYPOINT (and drops CMD), args replace CMD. */
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Keep stdin open: a bare `sh` then waits instead of exiting. */
  stdin?: boolean;
  tty?: boolean;
  logPath?: string;
}

export type ContainerState = "CONTAINER_CREATED" | "CONTAINER_RUNNING" | "CONTAINER_EXITED" | "CONTAINER_UNKNOWN";

export interface Container {
  /** The runtime's ID (64 hex digits). Every call also accepts the prefixed form. */
  id: string;
  /** "containerd://<id>" or "cri-o://<id>": what pod status shows as containerID. */
  containerID: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: { image: string };
  /** repository@sha256:...: pod status imageID. */
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus extends Container {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** "Completed", "Error", "StartError"; empty while running. */
  reason: string;
  message: string;
  mounts: Mount[];
  logPath: string;
  /** A stop signal went out and the runtime will SIGKILL at this time unless it exits first. */
  killAt?: number;
  /** The signal that ended it, when one did. */
  signal?: Signal;
}

export interface ContainerFilter {
  id?: string;
  state?: ContainerState;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncOptions {
  stdin?: string;
  /** With a tty, stderr is merged into stdout (a terminal has one stream) and TERM is set. */
  tty?: boolean;
}

export interface ExecSyncResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOutput {
  stdout: string;
  stderr: string;
  /** Set when the command ended before stdin did (a shell that ran `exit`). */
  exitCode?: number;
}

export interface ExecStream {
  /** More of stdin; resolves with what the command wrote in answer. */
  write(text: string): Promise<ExecOutput>;
  /** Stdin is closed: the rest of the command's output and its exit code. */
  end(): Promise<ExecSyncResult>;
}

export interface LogLine {
  time: number;
  stream: "stdout" | "stderr";
  text: string;
}

export interface LogQuery {
  /** Only lines at or after this time. */
  since?: number;
  /** Only the last N lines. */
  tail?: number;
}

export interface PodHttpRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Client address the program sees (access logs); defaults to the pod network's gateway. */
  remoteAddr?: string;
}

export type PodHttpResult = HttpOutcome;

export type PortForwardDial = { ok: true } | { ok: false; error: string };

/** A container changed state by itself (CRI's ContainerEventResponse, for what the model has). */
export interface ContainerEvent {
  type: "CONTAINER_STOPPED_EVENT";
  containerId: string;
  podSandboxId: string;
  at: number;
  exitCode: number;
}

/** CRI ContainerStats: what a running container uses, as cAdvisor would measure it. */
export interface ContainerStats {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  /** When it was measured. */
  timestamp: number;
  cpu: { usageNanoCores: number };
  memory: { workingSetBytes: number };
}

export interface RuntimeService {
  version(): Promise<VersionInfo>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Kills whatever still runs in it (the kubelet stops containers gracefully first). */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes its containers, their logs and its volumes. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  /**
   * Not CRI: the kubelet rewrites a configMap or secret volume on the host when its
   * object changed; every container that mounts it sees the new files at once.
   */
  replaceVolumeFiles(podSandboxId: string, volume: string, files: Record<string, string>): Promise<void>;
  /**
   * Not CRI: the persistent volumes written since the last call, with their files now
   * (the kubelet writes them back to their stores). Each change is handed out once.
   */
  takeVolumeWrites(): Promise<VolumeWrite[]>;
  /** Not CRI: a write-back failed; hand the volume out again on the next takeVolumeWrites. */
  requeueVolumeWrite(podSandboxId: string, volume: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Sends the image's stop signal; SIGKILL after timeoutSec unless it exits first (0: at once). */
  stopContainer(id: string, timeoutSec: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  /** Usage of every running container (CRI ListContainerStats). */
  listContainerStats(): Promise<ContainerStats[]>;
  execSync(id: string, cmd: string[], opts?: ExecSyncOptions): Promise<ExecSyncResult>;

  /** An interactive exec (`kubectl exec -ti POD -- bash`). */
  execSession(id: string, cmd: string[], opts?: { tty?: boolean }): Promise<ShellSession>;
  /**
   * CRI Attach, when the container's main process is a shell reading the stdin the
   * container keeps open (`stdin: true`): a session typing into it. Null when the main
   * process does not read stdin (an attached client then only sees its output).
   */
  attachSession(id: string, opts: { tty: boolean }): Promise<ShellSession | null>;
  /** The attached stdin ended (stdinOnce) or its shell ran `exit`: the main process ends with `code`. */
  closeStdin(id: string, code: number): Promise<void>;
  /** An exec without a tty whose stdin arrives while it runs (`kubectl exec -i`). */
  execStream(id: string, cmd: string[]): Promise<ExecStream>;
  containerLogs(id: string, query?: LogQuery): Promise<LogLine[]>;
  /** An HTTP request to a port in the pod's network namespace (kubectl proxy, probes). */
  podHttp(podSandboxId: string, port: number, request?: PodHttpRequest): Promise<PodHttpResult>;
  /**
   * CRI PortForward's dial: a connection to localhost:PORT inside the sandbox's network
   * namespace, or the runtime's own error when nothing listens there.
   */
  portForwardDial(podSandboxId: string, port: number): Promise<PortForwardDial>;
  /** Not CRI (the kubelet dials the pod itself): does a TCP connect to the pod's port succeed? */
  podTcpConnect(podSandboxId: string, port: number): Promise<boolean>;
  /** Not CRI: a grpc.health.v1.Health/Check of `service` ("" for the server) at the pod's port. */
  podGrpcHealth(podSandboxId: string, port: number, service: string): Promise<GrpcHealthOutcome>;
  /** The earliest time a container changes state by itself, or null: the kubelet's alarm. */
  nextEventAt(): Promise<number | null>;
  /** Apply everything due at `now`; returns the container events since the last call. */
  advance(now: number): Promise<ContainerEvent[]>;
}

export interface Image {
  /** Config digest "sha256:...". */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  pulledAt: number;
}

export interface ImageService {
  /** Pulls (or re-pulls) an image; returns its reference by digest, "repo@sha256:...". */
  pullImage(ref: string): Promise<string>;
  /** The pulled image a reference names, or null when it is not on the node. */
  imageStatus(ref: string): Promise<Image | null>;
  listImages(): Promise<Image[]>;
  removeImage(ref: string): Promise<void>;
  /** No tag or `:latest`: the kubelet's default pull policy for it is Always. */
  isLatest(ref: string): boolean;
}
