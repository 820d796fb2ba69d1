// Entry point of the runtime model: `createRuntime(kind, deps)` gives the kubelet a
// RuntimeService and an ImageService of the chosen flavour, over the storage it passes.
//
// The kubelet drives it like this:
//   images.pullImage(ref)               (policy: images.isLatest / images.imageStatus)
//   runtime.runPodSandbox({ metadata, podIP, volumes })
//   runtime.createContainer(sandboxId, { metadata, image, command, args, envs, mounts })
//   runtime.startContainer(id)
//   ...alarm: runtime.advance(now) -> events; then set the alarm to runtime.nextEventAt()
//   runtime.containerStatus(id) for pod status; stopContainer / removeContainer / removePodSandbox
import { FLAVOURS } from "./flavours";
import { ModelImageService } from "./image-service";
import { ModelRuntime, type RuntimeDeps } from "./model-runtime";
import type { ImageService, RuntimeKind, RuntimeService } from "./cri";

export interface Runtime {
  runtime: RuntimeService;
  images: ImageService;
  /** What the Node reports as status.nodeInfo.containerRuntimeVersion. */
  runtimeVersion: string;
  /** Prefix of container IDs in pod status ("containerd://"). */
  containerIdPrefix: string;
}

export function createRuntime(kind: RuntimeKind, deps: RuntimeDeps): Runtime {
  const flavour = FLAVOURS[kind];
  if (!flavour) throw new Error(`unknown container runtime "${kind}"`);
  const images = new ModelImageService(deps.storage, flavour, deps.now);
  return {
    runtime: new ModelRuntime(deps, flavour, images),
    images,
    runtimeVersion: flavour.nodeRuntimeVersion,
    containerIdPrefix: flavour.idPrefix,
  };
}

export type { ContainerConfig, ContainerStatus, ExecSyncResult, ImageService, KeyValue, LogLine, PodSandboxConfig, RuntimeKind, RuntimeService, VolumeEntry } from "./cri";
export type { NetworkHook } from "./sandbox-session";
export { isCriError } from "./errors";
export { MemoryRuntimeStorage, type RuntimeStorage } from "./storage";
export { stripPrefix } from "./ids";
export { parseImageRef } from "../images";
export type { ShellSession } from "../shell/session";
