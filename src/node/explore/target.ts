// Which container a log or exec request means, and which runtime instance holds what
// it asks for, decided as the API server (container name) and the kubelet
// (validateContainerLogStatus) decide it, with their messages.
import type { Container, ContainerStatus, Pod } from "../../model/types";
import type { Kubelet } from "../kubelet/kubelet";
import { allContainers } from "../../model/pod-containers";
import { containerStatusOf } from "../kubelet/pod-status";
import type { PodRecord } from "../kubelet/state";
import { stripPrefix } from "../runtime";
import { badRequest } from "./status";


/** The container named in the request (default: the first one), or 400 naming the pod. */
export function pickContainer(pod: Pod, requested: string | null): Container {
  if (!requested) return pod.spec.containers[0];
  const c = allContainers(pod.spec).find((x) => x.name === requested);
  if (!c) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
  return c;
}

/** The kubelet's record of this exact pod (same UID), if it has one. */
export function recordOf(kubelet: Kubelet, pod: Pod): PodRecord | undefined {
  const rec = pod.metadata.uid ? kubelet.state.pod(pod.metadata.uid) : undefined;
  return rec && rec.namespace === pod.metadata.namespace && rec.name === pod.metadata.name ? rec : undefined;
}

function statusOf(rec: PodRecord | undefined, c: Container): ContainerStatus {
  return containerStatusOf(c, rec?.containers[c.name], "ContainerCreating");
}

/** The runtime container whose log a request reads (kubelet validateContainerLogStatus). */
export function logContainerId(pod: Pod, rec: PodRecord | undefined, c: Container, previous: boolean): string {
  const s = statusOf(rec, c);
  const name = c.name;
  const podName = pod.metadata.name;
  const last = s.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${name}" in pod "${podName}" not found`);
    return stripPrefix(last.containerID);
  }
  if (s.state?.running && s.containerID) return stripPrefix(s.containerID);
  const terminated = s.state?.terminated;
  if (terminated) {
    const id = terminated.containerID || last?.containerID;
    if (!id) throw badRequest(`container "${name}" in pod "${podName}" is terminated`);
    return stripPrefix(id);
  }
  if (last?.containerID) return stripPrefix(last.containerID);
  const reason = s.state?.waiting?.reason;
  if (reason === "ErrImagePull") throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: image can't be pulled`);
  if (reason === "ImagePullBackOff") throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
  if (reason) throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${reason}`);
  throw badRequest(`container "${name}" in pod "${podName}" is waiting to start - no logs yet`);
}
