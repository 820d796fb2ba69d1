// A pod as a small card: coloured by phase, its containers as squares coloured by
// state, its IP and restarts; a click opens the pod's page.
import { h } from "./dom.js";

/**
 * The phase a person reads in `kubectl get pods` terms: Terminating while deleted,
 * the waiting reason of a container (CrashLoopBackOff, ImagePullBackOff), else the phase.
 * @param {any} pod
 */
export function podStatusText(pod) {
  if (pod.metadata?.deletionTimestamp) return "Terminating";
  for (const cs of pod.status?.containerStatuses ?? []) {
    const reason = cs.state?.waiting?.reason;
    if (reason && reason !== "ContainerCreating") return reason;
  }
  return pod.status?.phase ?? "Pending";
}

/** @param {any} pod */
export function restarts(pod) {
  let n = 0;
  for (const cs of pod.status?.containerStatuses ?? []) n += cs.restartCount ?? 0;
  return n;
}

/** @param {any} pod */
export function phaseClass(pod) {
  if (pod.metadata?.deletionTimestamp) return "phase-Terminating";
  const text = podStatusText(pod);
  if (text !== pod.status?.phase && text !== "Pending") return "phase-Failed";
  return `phase-${pod.status?.phase ?? "Pending"}`;
}

/** @param {any} cs a container status */
export function containerState(cs) {
  if (!cs) return { cls: "c-waiting", text: "waiting" };
  if (cs.state?.running) return { cls: cs.ready ? "c-ready" : "c-running", text: cs.ready ? "running, ready" : "running" };
  if (cs.state?.terminated) return { cls: "c-terminated", text: `terminated: ${cs.state.terminated.reason ?? ""} (exit ${cs.state.terminated.exitCode})` };
  return { cls: "c-waiting", text: `waiting: ${cs.state?.waiting?.reason ?? ""}` };
}

/**
 * @param {any} pod
 * @param {(pod: any) => void} open
 */
export function podCard(pod, open) {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((/** @type {any} */ cs) => [cs.name, cs]));
  const containers = (pod.spec?.containers ?? []).map((/** @type {any} */ c) => {
    const st = containerState(statuses.get(c.name));
    return h("span", { class: `ctr ${st.cls}`, title: `${c.name} (${c.image}): ${st.text}` });
  });
  const n = restarts(pod);
  const status = podStatusText(pod);
  return h(
    "button",
    {
      class: `pod ${phaseClass(pod)}`,
      title: `${pod.metadata.namespace}/${pod.metadata.name}\n${status}${pod.status?.podIP ? `\nIP ${pod.status.podIP}` : ""}\nrestarts ${n}`,
      attrs: { type: "button", "data-pod": `${pod.metadata.namespace}/${pod.metadata.name}`, "data-status": status },
      on: { click: () => open(pod) },
    },
    h("span", { class: "pod-name" }, pod.metadata.name),
    h("span", { class: "pod-meta" }, pod.status?.podIP ?? status, n ? ` ↻${n}` : ""),
    h("span", { class: "ctrs" }, ...containers),
  );
}
