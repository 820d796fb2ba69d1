// A node as the tutorial draws it: a box with its capacity in use (cpu, memory, pods
// as bars), its runtime, heartbeat age, conditions, and its pods inside. Past a few
// dozen nodes a node is a compact tile (status and a pods bar); its box opens on demand.
import { h, age } from "./dom.js";
import { podRequests, quantity, formatBytes, formatCpu } from "./quantity.js";
import { podCard } from "./pod-card.js";

export const FAULT_LABEL = "sim.edgekube.io/fault";
/** Pods drawn in a node's box; the rest are counted. */
const PODS_DRAWN = 60;

/** @param {any} node */
export function readiness(node) {
  const ready = (node.status?.conditions ?? []).find((/** @type {any} */ c) => c.type === "Ready");
  const status = ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown";
  return { status, cls: status === "Ready" ? "ready" : "notready" };
}

/**
 * What a node's pods ask of it, as the scheduler counts (finished pods hold nothing),
 * beside its allocatable (its capacity when it reports none).
 * @param {import("./cluster-state.js").ClusterState} state
 * @param {string} name
 */
export function usage(state, name) {
  const node = state.nodes.get(name);
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  let cpu = 0;
  let memory = 0;
  let pods = 0;
  for (const key of state.podsByNode.get(name) ?? []) {
    const pod = state.pods.get(key);
    const phase = pod?.status?.phase;
    if (!pod || phase === "Succeeded" || phase === "Failed") continue;
    const r = podRequests(pod);
    cpu += r.cpu;
    memory += r.memory;
    pods++;
  }
  return { cpu, memory, pods, cpuMax: quantity(alloc.cpu), memoryMax: quantity(alloc.memory), podsMax: quantity(alloc.pods) };
}

/**
 * @param {string} label
 * @param {number} used
 * @param {number} max
 * @param {string} text
 */
function bar(label, used, max, text) {
  const pct = max > 0 ? Math.min(100, (used / max) * 100) : 0;
  return h(
    "div",
    { class: "bar", title: `${label}: ${text}` },
    h("span", { class: "bar-label" }, label),
    h("span", { class: "bar-track" }, h("span", { class: `bar-fill${pct > 90 ? " full" : ""}`, width: `${pct}%` })),
    h("span", { class: "bar-text" }, text),
  );
}

/**
 * @typedef {object} NodeHandlers
 * @property {(pod: any) => void} openPod
 * @property {(action: string, node: string) => void} nodeAction
 * @property {(node: string) => void} [select]
 */

/**
 * The heartbeat's age: now less the node's Lease renewTime (kept in a data attribute
 * so a once-a-second tick updates the text without redrawing the box).
 * @param {any} lease
 */
export function heartbeatSpan(lease) {
  const renew = Date.parse(lease?.spec?.renewTime ?? "");
  const span = h("span", { class: "heartbeat", title: "age of the node's Lease renewTime (kube-node-lease)" }, Number.isNaN(renew) ? "no lease" : `heartbeat ${age(Date.now() - renew)} ago`);
  if (!Number.isNaN(renew)) span.dataset.renew = String(renew);
  return span;
}

/**
 * The full box of a node.
 * @param {import("./cluster-state.js").ClusterState} state
 * @param {string} name
 * @param {NodeHandlers} on
 */
export function nodeBox(state, name, on) {
  const node = state.nodes.get(name);
  const r = readiness(node);
  const u = usage(state, name);
  const fault = node.metadata?.labels?.[FAULT_LABEL];
  const cordoned = !!node.spec?.unschedulable;
  const keys = [...(state.podsByNode.get(name) ?? [])].sort();
  const cards = keys.slice(0, PODS_DRAWN).map((k) => podCard(state.pods.get(k), on.openPod));
  const conditions = (node.status?.conditions ?? []).map((/** @type {any} */ c) =>
    h("span", { class: `cond ${(c.type === "Ready") === (c.status === "True") ? "ok" : "bad"}`, title: `${c.reason ?? ""}: ${c.message ?? ""}` }, `${c.type}=${c.status}`),
  );
  const taints = (node.spec?.taints ?? []).map((/** @type {any} */ t) => h("span", { class: "taint", title: "taint" }, `${t.key}:${t.effect}`));
  const button = (/** @type {string} */ action, /** @type {string} */ label) =>
    h("button", { attrs: { type: "button", "data-action": action }, on: { click: () => on.nodeAction(action, name) } }, label);
  return h(
    "article",
    { class: `node ${r.cls}${cordoned ? " cordoned" : ""}${fault ? " faulted" : ""}`, attrs: { "data-node": name, "data-ready": r.status } },
    h(
      "header",
      {},
      h("strong", { class: "node-name" }, name),
      h("span", { class: `badge ${r.cls}` }, r.status),
      cordoned ? h("span", { class: "badge warn" }, "SchedulingDisabled") : null,
      fault ? h("span", { class: "badge bad", attrs: { "data-fault": fault } }, `fault: ${fault}`) : null,
    ),
    h("div", { class: "node-info" }, h("span", {}, node.status?.nodeInfo?.containerRuntimeVersion ?? "runtime ?"), " · ", heartbeatSpan(state.leases.get(name))),
    h("div", { class: "conds" }, ...conditions, ...taints),
    bar("cpu", u.cpu, u.cpuMax, `${formatCpu(u.cpu)} / ${formatCpu(u.cpuMax)}`),
    bar("mem", u.memory, u.memoryMax, `${formatBytes(u.memory)} / ${formatBytes(u.memoryMax)}`),
    bar("pods", u.pods, u.podsMax, `${u.pods} / ${u.podsMax}`),
    h(
      "div",
      { class: "node-actions" },
      cordoned ? button("uncordon", "Uncordon") : button("cordon", "Cordon"),
      button("drain", "Drain"),
      fault ? button("recover", "Recover") : button("crash", "Crash"),
      fault ? null : button("partition", "Partition"),
    ),
    h("div", { class: "pods" }, ...cards, keys.length > PODS_DRAWN ? h("span", { class: "more" }, `+${keys.length - PODS_DRAWN} more`) : null),
  );
}

/**
 * A node as a compact tile, for large clusters.
 * @param {import("./cluster-state.js").ClusterState} state
 * @param {string} name
 * @param {NodeHandlers} on
 * @param {boolean} selected
 */
export function nodeTile(state, name, on, selected) {
  const node = state.nodes.get(name);
  const r = readiness(node);
  const u = usage(state, name);
  const pct = u.podsMax > 0 ? Math.min(100, (u.pods / u.podsMax) * 100) : 0;
  return h(
    "button",
    {
      class: `tile ${r.cls}${node.spec?.unschedulable ? " cordoned" : ""}${selected ? " selected" : ""}`,
      title: `${name}: ${r.status}, ${u.pods} pods`,
      attrs: { type: "button", "data-node": name, "data-ready": r.status },
      on: { click: () => on.select?.(name) },
    },
    h("span", { class: "tile-name" }, name),
    h("span", { class: "bar-track" }, h("span", { class: "bar-fill", width: `${pct}%` })),
    h("span", { class: "tile-count" }, u.pods),
  );
}
