// What differs between containerd and CRI-O as a kubelet sees them: names, versions,
// ID prefixes, and the wording of their errors. Everything else is the shared model.
import { CriError } from "./errors";
import type { ImageRef } from "../images/ref";
import type { RuntimeKind } from "./cri";

export interface RuntimeFlavour {
  kind: RuntimeKind;
  runtimeName: string;
  /** As the CRI Version call reports it. */
  runtimeVersion: string;
  /** As a Node reports it in status.nodeInfo.containerRuntimeVersion. */
  nodeRuntimeVersion: string;
  /** Prefix of container IDs in pod status ("containerd://"). */
  idPrefix: string;
  runtimeHandler: string;
  pullError(ref: ImageRef, missing: "repository" | "tag"): CriError;
  /** CRI-O creates the container process at CreateContainer: a missing executable fails there. */
  checksExecutableAtCreate: boolean;
  startError(executable: string): string;
  execNotFound(executable: string, execId: string): CriError;
  notRunning(state: string): CriError;
  /** PortForward's dial to localhost:PORT in the sandbox's network namespace found nothing listening. */
  portForwardRefused(sandboxId: string, port: number): string;
  /** PortForward to a sandbox whose network namespace is gone. */
  netnsClosed(sandboxId: string): string;
}

/** The sandbox's network namespace as CNI names it (a UUID under /var/run/netns). */
function netnsName(sandboxId: string): string {
  const h = sandboxId.replace(/[^0-9a-f]/g, "").padEnd(32, "0");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const OCI_NOT_FOUND = (exe: string) => `exec: "${exe}": executable file not found in $PATH`;

const containerd: RuntimeFlavour = {
  kind: "containerd",
  runtimeName: "containerd",
  runtimeVersion: "v2.1.4",
  nodeRuntimeVersion: "containerd://2.1.4",
  idPrefix: "containerd://",
  runtimeHandler: "",
  pullError(ref, missing) {
    const name = ref.normalized;
    const head = `failed to pull and unpack image "${name}": failed to resolve reference "${name}": `;
    if (missing === "repository" && ref.domain === "docker.io") {
      return new CriError(
        "Unknown",
        head + "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
        "ImageNotFound",
      );
    }
    return new CriError("NotFound", head + `${name}: not found`, "ImageNotFound");
  },
  checksExecutableAtCreate: false,
  startError: (exe) =>
    `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${OCI_NOT_FOUND(exe)}: unknown`,
  execNotFound: (exe, execId) =>
    new CriError(
      "Unknown",
      `failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: ${OCI_NOT_FOUND(exe)}: unknown`,
      "ExecutableNotFound",
    ),
  notRunning: (state) => new CriError("FailedPrecondition", `failed to exec in container: container is in ${state} state`, "NotRunning"),
  // containerd dials tcp4, then tcp6, and reports both.
  portForwardRefused: (id, port) =>
    `failed to execute portforward in network namespace "/var/run/netns/cni-${netnsName(id)}": failed to connect to localhost:${port} inside namespace "${id}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
  netnsClosed: (id) => `network namespace for sandbox "${id}" is closed`,
};

const crio: RuntimeFlavour = {
  kind: "cri-o",
  runtimeName: "cri-o",
  runtimeVersion: "1.33.2",
  nodeRuntimeVersion: "cri-o://1.33.2",
  idPrefix: "cri-o://",
  runtimeHandler: "runc",
  pullError(ref, missing) {
    const tagOrDigest = ref.digest ?? ref.tag!;
    const why = missing === "repository" && ref.domain === "docker.io" ? "requested access to the resource is denied" : "manifest unknown";
    return new CriError(
      "Unknown",
      `initializing source docker://${ref.normalized}: reading manifest ${tagOrDigest} in ${ref.repository}: ${why}`,
      "ImageNotFound",
    );
  },
  checksExecutableAtCreate: true,
  startError: (exe) => `container create failed: runc create failed: unable to start container process: error during container init: ${OCI_NOT_FOUND(exe)}`,
  execNotFound: (exe) =>
    new CriError("Unknown", `command error: exec failed: unable to start container process: ${OCI_NOT_FOUND(exe)}, stdout: , stderr: , exit code -1`, "ExecutableNotFound"),
  notRunning: (state) => new CriError("FailedPrecondition", `container is not created or running: ${state}`, "NotRunning"),
  portForwardRefused: (id, port) =>
    `port forward into network namespace "/var/run/netns/${netnsName(id)}": failed to connect to localhost:${port} inside namespace ${id}: dial tcp 127.0.0.1:${port}: connect: connection refused`,
  netnsClosed: (id) => `network namespace for sandbox "${id}" is closed`,
};

export const FLAVOURS: Record<RuntimeKind, RuntimeFlavour> = { containerd, "cri-o": crio };
