// What the runtime keeps in its storage, and under which keys. One key per sandbox, per
// container, per container log, per volume and per pulled image, plus two small
// indexes: when each sandbox next needs attention, and events not yet handed over.
// Large files of a writable layer or a volume are stored beside their record, in
// chunks under keys of their own (file-chunks.ts): one stored value has a size limit.
import type { FileEntry, FileMap } from "./fs";
import type { MachineState } from "../shell/machine-state";
import type { Signal } from "../images/types";
import type { ContainerConfig, ContainerEvent, ContainerState, PodSandboxConfig, PodSandboxState } from "./cri";

export const KEYS = {
  sandbox: (id: string) => `rt/sb/${id}`,
  sandboxes: "rt/sb/",
  container: (id: string) => `rt/ct/${id}`,
  containers: "rt/ct/",
  log: (id: string) => `rt/log/${id}`,
  volume: (sandboxId: string, name: string) => `rt/vol/${sandboxId}/${name}`,
  volumes: (sandboxId: string) => `rt/vol/${sandboxId}/`,
  /** Part `i` of a large file's content; `blob` names the file within the sandbox. */
  chunk: (sandboxId: string, blob: string, i: number) => `rt/chunk/${sandboxId}/${blob}/${i}`,
  chunks: (sandboxId: string) => `rt/chunk/${sandboxId}/`,
  image: (id: string) => `rt/img/${id}`,
  images: "rt/img/",
  /** sandboxId -> time it next needs attention */
  due: "rt/due",
  /** ContainerEvent[] not yet returned by advance() */
  events: "rt/events",
  /** Persistent volumes changed and not yet taken for write-back: "<sandboxId>/<volume>" -> true */
  volumeWrites: "rt/volout",
} as const;

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  hostname: string;
  state: PodSandboxState;
  createdAt: number;
  /** port -> container ID holding it */
  ports: Record<string, string>;
  containerIds: string[];
  /** The sandbox's clock: it has been simulated up to here. */
  syncedAt: number;
}

interface ImageUse {
  repository: string;
  tag: string;
  /** repository@sha256:... */
  repoDigest: string;
  /** config digest sha256:... */
  id: string;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  image: ImageUse;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  signal?: Signal;
  /** The process environment, in order (PATH, HOSTNAME, image ENV, config envs, HOME). */
  env: [string, string][];
  argv: string[];
  workingDir: string;
  /** The main process while it runs; null before start and after exit. */
  machine: MachineState | null;
  /** The writable layer: changes to the image's files, lost when the container goes. */
  layer: FileMap;
  killAt?: number;
  nextPid: number;
  /** Requests its programs answered, as [second, count] for the last minute: the load its CPU usage follows. */
  served?: [number, number][];
}

/** A file whose content is stored in `parts` chunks (KEYS.chunk) rather than in its record. */
export interface ChunkedFile {
  k: "chunked";
  blob: string;
  parts: number;
}

export type VolumeWriteIndex = Record<string, true>;

/** A file map as stored: large files are references to their chunks. */
export type StoredFileMap = Record<string, FileEntry | ChunkedFile>;

/** A container record as stored: its writable layer's large files are in chunks. */
export type StoredContainerRecord = Omit<ContainerRecord, "layer"> & { layer: StoredFileMap };

export interface LogRecord {
  /** [time, stream (0 stdout, 1 stderr), text] */
  lines: [number, 0 | 1, string][];
  bytes: number;
  dropped: number;
}

export interface ImageRecord {
  id: string;
  repository: string;
  tags: string[];
  repoDigest: string;
  size: number;
  pulledAt: number;
}

export type DueIndex = Record<string, number>;
export type PendingEvents = ContainerEvent[];
