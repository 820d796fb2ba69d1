// The nodes area: one element per node, kept by name, so a frame replaces only the
// nodes that changed. Up to COMPACT_AT nodes each is a full box; past that each is a
// tile and the selected node's box opens below the tiles.
import { h, byId, age } from "./dom.js";
import { nodeBox, nodeTile } from "./node-box.js";
import { podCard } from "./pod-card.js";

export const COMPACT_AT = 24;

export class NodesView {
  /**
   * @param {import("./cluster-state.js").ClusterState} state
   * @param {import("./node-box.js").NodeHandlers} on
   */
  constructor(state, on) {
    this.state = state;
    this.on = { ...on, select: (/** @type {string} */ name) => this.select(name) };
    this.container = byId("nodes");
    this.detail = byId("node-detail");
    this.unscheduled = byId("unscheduled");
    this.summary = byId("summary");
    /** @type {Map<string, HTMLElement>} */
    this.elements = new Map();
    this.compact = false;
    /** @type {string | null} */
    this.selected = null;
  }

  /** @param {string} name */
  select(name) {
    const previous = this.selected;
    this.selected = previous === name ? null : name;
    if (previous) this.state.dirtyNodes.add(previous);
    this.state.touchNode(name);
  }

  /** True when the node is drawn as a full box (all of them when few, the selected one of many). @param {string} name */
  showsBox(name) {
    return !this.compact || name === this.selected;
  }

  /** @param {string} name */
  build(name) {
    return this.compact ? nodeTile(this.state, name, this.on, name === this.selected) : nodeBox(this.state, name, this.on);
  }

  /** Apply what changed since the last frame. */
  render() {
    const s = this.state;
    const compact = s.nodes.size > COMPACT_AT;
    if (s.dirtyLayout || compact !== this.compact) {
      this.compact = compact;
      this.container.classList.toggle("compact", compact);
      const names = [...s.nodes.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      this.elements = new Map(names.map((n) => [n, this.build(n)]));
      this.container.replaceChildren(...this.elements.values());
      s.dirtyLayout = false;
      s.dirtyNodes.add("");
      if (this.selected) s.dirtyNodes.add(this.selected);
    } else {
      for (const name of s.dirtyNodes) {
        const old = this.elements.get(name);
        if (!old || !s.nodes.has(name)) continue;
        const el = this.build(name);
        old.replaceWith(el);
        this.elements.set(name, el);
      }
    }
    if (s.dirtyNodes.has("")) this.renderUnscheduled();
    if (this.compact && this.selected && (s.dirtyNodes.has(this.selected) || !this.detail.firstChild)) {
      this.detail.replaceChildren(s.nodes.has(this.selected) ? nodeBox(s, this.selected, this.on) : "");
    } else if (!this.compact || !this.selected) this.detail.replaceChildren();
    s.dirtyNodes.clear();
    this.renderSummary();
  }

  renderUnscheduled() {
    const keys = [...(this.state.podsByNode.get("") ?? [])];
    if (keys.length === 0) return this.unscheduled.replaceChildren();
    const cards = keys.slice(0, 60).map((k) => podCard(this.state.pods.get(k), this.on.openPod));
    this.unscheduled.replaceChildren(
      h("article", { class: "node unscheduled" }, h("header", {}, h("strong", {}, `Not scheduled (${keys.length})`)), h("div", { class: "pods" }, ...cards)),
    );
  }

  renderSummary() {
    let ready = 0;
    for (const n of this.state.nodes.values()) {
      if ((n.status?.conditions ?? []).some((/** @type {any} */ c) => c.type === "Ready" && c.status === "True")) ready++;
    }
    /** @type {Record<string, number>} */
    const phases = {};
    for (const p of this.state.pods.values()) {
      const ph = p.metadata?.deletionTimestamp ? "Terminating" : (p.status?.phase ?? "Pending");
      phases[ph] = (phases[ph] ?? 0) + 1;
    }
    const text = `${this.state.nodes.size} nodes (${ready} Ready) · ${this.state.pods.size} pods: ${Object.entries(phases)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}${this.compact ? " · click a node for its pods" : ""}`;
    if (this.summary.textContent !== text) this.summary.textContent = text;
  }

  /** Once a second: heartbeat ages move without a redraw. */
  tick() {
    const now = Date.now();
    for (const span of document.querySelectorAll("span.heartbeat[data-renew]")) {
      const el = /** @type {HTMLElement} */ (span);
      el.textContent = `heartbeat ${age(now - Number(el.dataset.renew))} ago`;
    }
  }
}
