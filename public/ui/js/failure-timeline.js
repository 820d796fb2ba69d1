// A node failure as the components tell it, from their events: detection
// (NodeNotReady from the node controller), evictions (TaintManagerEviction), the
// replacements bound (Scheduled) and started (Started), timed from detection with the
// events' own clocks, and recovery (NodeReady).
import { h, byId } from "./dom.js";
import { eventTime } from "./cluster-state.js";

/**
 * @typedef {object} Failure
 * @property {string} node
 * @property {number} detectedAt
 * @property {number | undefined} recoveredAt
 * @property {Map<string, number>} evicted pod -> time
 * @property {Map<string, number>} bound pod -> time
 * @property {Map<string, number>} running pod -> time
 */

export class FailureTimeline {
  constructor() {
    /** @type {Failure[]} */
    this.failures = [];
    this.dirty = false;
  }

  /** The failure still open, the newest first. */
  open() {
    for (let i = this.failures.length - 1; i >= 0; i--) if (this.failures[i].recoveredAt === undefined) return this.failures[i];
    return undefined;
  }

  /** @param {any} ev */
  add(ev) {
    const obj = ev.involvedObject ?? {};
    const t = eventTime(ev);
    if (obj.kind === "Node" && ev.reason === "NodeNotReady") {
      if (this.failures.some((f) => f.node === obj.name && f.recoveredAt === undefined)) return;
      this.failures.push({ node: obj.name, detectedAt: t, recoveredAt: undefined, evicted: new Map(), bound: new Map(), running: new Map() });
      this.failures = this.failures.slice(-5);
    } else if (obj.kind === "Node" && ev.reason === "NodeReady") {
      const f = this.failures.find((x) => x.node === obj.name && x.recoveredAt === undefined);
      if (!f) return;
      f.recoveredAt = t;
    } else if (obj.kind === "Pod") {
      const f = this.open();
      if (!f || t < f.detectedAt) return;
      if (ev.reason === "TaintManagerEviction") f.evicted.set(obj.name, t);
      // Replacements: pods bound after the evictions began, and their starts.
      else if (ev.reason === "Scheduled" && f.evicted.size > 0) f.bound.set(obj.name, t);
      else if (ev.reason === "Started" && f.bound.has(obj.name)) f.running.set(obj.name, t);
      else return;
    } else return;
    this.dirty = true;
  }

  render() {
    this.dirty = false;
    const since = (/** @type {Failure} */ f, /** @type {Map<string, number>} */ m) => {
      if (m.size === 0) return "";
      return ` (last +${((Math.max(...m.values()) - f.detectedAt) / 1000).toFixed(1)} s)`;
    };
    const rows = this.failures
      .slice()
      .reverse()
      .map((f) =>
        h(
          "ol",
          { class: "timeline", attrs: { "data-failure": f.node } },
          h("li", {}, h("strong", {}, f.node), ` NotReady at ${new Date(f.detectedAt).toLocaleTimeString()} (node-controller)`),
          h("li", { attrs: { "data-stage": "evicted" } }, `evicted: ${f.evicted.size}${since(f, f.evicted)}`),
          h("li", { attrs: { "data-stage": "bound" } }, `replacements bound: ${f.bound.size}${since(f, f.bound)}`),
          h("li", { attrs: { "data-stage": "running" } }, `replacements started: ${f.running.size}${since(f, f.running)}`),
          f.recoveredAt !== undefined ? h("li", {}, `Ready again +${((f.recoveredAt - f.detectedAt) / 1000).toFixed(1)} s`) : null,
        ),
      );
    byId("timeline").replaceChildren(...(rows.length ? rows : [h("p", { class: "muted" }, "none seen: crash or partition a node")]));
  }
}
