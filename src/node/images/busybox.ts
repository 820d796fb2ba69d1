// busybox: no program of its own. CMD is `sh`, which with no tty and no stdin exits 0
// at once (the pod completes, or crash-loops under restartPolicy Always); everything
// else is the container's command run by the shell machine (echo, sleep, loops, files).
import { busyboxRoot, DEFAULT_PATH } from "./rootfs";
import type { ImageConfig, ImageRepository } from "./types";

const TAGS: Record<string, string> = {};
for (const [version, aliases] of [
  ["1.37.0", ["latest", "stable", "1", "1.37", "1.37.0", "musl", "glibc", "uclibc", "1.37-musl", "1.37-glibc", "1.37.0-musl", "1.37.0-glibc"]],
  ["1.36.1", ["1.36", "1.36.1", "1.36-musl", "1.36.1-musl", "1.36-glibc", "1.36.1-glibc"]],
  ["1.35.0", ["1.35", "1.35.0"]],
  ["1.28", ["1.28", "1.28.4"]],
] as const) {
  for (const a of aliases) TAGS[a] = version;
}

function busyboxImage(version: string, repository = "docker.io/library/busybox"): ImageConfig {
  return {
    canonical: `${repository}:${version}`,
    sizeBytes: 2_155_862,
    entrypoint: [],
    cmd: ["sh"],
    workingDir: "/",
    env: [["PATH", DEFAULT_PATH]],
    stopSignal: "SIGTERM",
    userland: "busybox",
    files: busyboxRoot(),
    programs: {},
    osName: `BusyBox v${version}`,
  };
}

export const busybox: ImageRepository = {
  repository: "docker.io/library/busybox",
  tags: Object.keys(TAGS),
  image: (tag) => busyboxImage(TAGS[tag]),
};

/** The copy the Kubernetes docs' examples pull (the probe page's liveness-exec pod). */
export const k8sBusybox: ImageRepository = {
  repository: "registry.k8s.io/busybox",
  tags: ["1.27.2", "latest"],
  image: () => busyboxImage("1.27.2", "registry.k8s.io/busybox"),
};
