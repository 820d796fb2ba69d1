// Every container a pod spec names, in the kubelet's order: init containers, the app
// containers, then the ephemeral ones `kubectl debug` added. Names are unique across all
// three (validation), so a request naming a container looks here.
import type { Container, PodSpec } from "./types";

export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
}
