// What the dashboard knows of the cluster, kept by the informers and the polls, with
// what changed since the last frame: the view redraws only the nodes whose pods or
// status changed, once per animation frame.

/** @param {any} obj */
export const keyOf = (obj) => `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;

const EVENTS_KEPT = 300;

export class ClusterState {
  constructor() {
    /** @type {Map<string, any>} */
    this.nodes = new Map();
    /** @type {Map<string, any>} pods by namespace/name */
    this.pods = new Map();
    /** @type {Map<string, Set<string>>} pod keys by node name ("" for pods not scheduled) */
    this.podsByNode = new Map();
    /** @type {Map<string, any>} Leases of kube-node-lease by node name */
    this.leases = new Map();
    /** @type {Map<string, any>} */
    this.services = new Map();
    /** @type {Map<string, any>} EndpointSlices by namespace/name */
    this.slices = new Map();
    /** @type {Map<string, any>} */
    this.deployments = new Map();
    /** @type {any[]} the newest events last */
    this.events = [];
    /** @type {Set<string>} */
    this.dirtyNodes = new Set();
    /** @type {Set<string>} */
    this.dirtyPods = new Set();
    this.dirtyLayout = true;
    this.dirtySide = true;
    this.dirtyEvents = true;
    /** @type {() => void} */
    this.onChange = () => undefined;
    /** @type {(type: string, ev: any) => void} */
    this.onEvent = () => undefined;
  }

  /** @param {string} node */
  touchNode(node) {
    this.dirtyNodes.add(node);
    this.onChange();
  }

  /** @param {any[]} pods */
  replacePods(pods) {
    this.pods.clear();
    this.podsByNode.clear();
    for (const p of pods) this.indexPod(p);
    this.dirtyLayout = true;
    this.onChange();
  }

  /**
   * @param {string} type
   * @param {any} pod
   */
  podEvent(type, pod) {
    const key = keyOf(pod);
    const old = this.pods.get(key);
    if (old) {
      const node = old.spec?.nodeName ?? "";
      this.podsByNode.get(node)?.delete(key);
      this.pods.delete(key);
      this.dirtyNodes.add(node);
    }
    if (type !== "DELETED") this.indexPod(pod);
    this.dirtyPods.add(key);
    this.onChange();
  }

  /** @param {any} pod */
  indexPod(pod) {
    const key = keyOf(pod);
    const node = pod.spec?.nodeName ?? "";
    this.pods.set(key, pod);
    let set = this.podsByNode.get(node);
    if (!set) this.podsByNode.set(node, (set = new Set()));
    set.add(key);
    this.dirtyNodes.add(node);
  }

  /** @param {any[]} nodes */
  replaceNodes(nodes) {
    this.nodes = new Map(nodes.map((n) => [n.metadata.name, n]));
    this.dirtyLayout = true;
    this.onChange();
  }

  /**
   * @param {string} type
   * @param {any} node
   */
  nodeEvent(type, node) {
    const name = node.metadata.name;
    const existed = this.nodes.has(name);
    if (type === "DELETED") this.nodes.delete(name);
    else this.nodes.set(name, node);
    if (existed !== (type !== "DELETED")) this.dirtyLayout = true;
    this.touchNode(name);
  }

  /**
   * Leases move every renewal; only a node box shows them (a tile does not), and its
   * age ticks on by itself, so only the nodes `shown` says are drawn again.
   * @param {any[]} leases
   * @param {(node: string) => boolean} shown
   */
  replaceLeases(leases, shown) {
    for (const l of leases) {
      const old = this.leases.get(l.metadata.name);
      if (old?.spec?.renewTime !== l.spec?.renewTime && shown(l.metadata.name)) this.dirtyNodes.add(l.metadata.name);
    }
    this.leases = new Map(leases.map((l) => [l.metadata.name, l]));
    this.onChange();
  }

  /** @param {any[]} services */
  replaceServices(services) {
    this.services = new Map(services.map((s) => [keyOf(s), s]));
    this.dirtySide = true;
    this.onChange();
  }

  /** @param {any[]} deployments */
  replaceDeployments(deployments) {
    this.deployments = new Map(deployments.map((d) => [keyOf(d), d]));
    this.dirtySide = true;
    this.onChange();
  }

  /** @param {any[]} slices */
  replaceSlices(slices) {
    this.slices = new Map(slices.map((s) => [keyOf(s), s]));
    this.dirtySide = true;
    this.onChange();
  }

  /**
   * @param {string} type
   * @param {any} slice
   */
  sliceEvent(type, slice) {
    if (type === "DELETED") this.slices.delete(keyOf(slice));
    else this.slices.set(keyOf(slice), slice);
    this.dirtySide = true;
    this.onChange();
  }

  /** @param {any[]} events */
  replaceEvents(events) {
    this.events = events.slice().sort((a, b) => eventTime(a) - eventTime(b)).slice(-EVENTS_KEPT);
    this.dirtyEvents = true;
    this.onChange();
  }

  /**
   * @param {string} type
   * @param {any} ev
   */
  eventEvent(type, ev) {
    if (type === "DELETED") return;
    this.events.push(ev);
    if (this.events.length > EVENTS_KEPT * 2) this.events = this.events.slice(-EVENTS_KEPT);
    this.dirtyEvents = true;
    this.onEvent(type, ev);
    this.onChange();
  }

  /** The EndpointSlices of a Service. @param {any} svc */
  slicesOf(svc) {
    const out = [];
    for (const s of this.slices.values()) {
      if (s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name) out.push(s);
    }
    return out;
  }
}

/**
 * When an event happened, in milliseconds. Event names end in the recorder's hex
 * nanoseconds (`pod.18f3...`), finer than the timestamps' seconds; eventTime or
 * lastTimestamp otherwise.
 * @param {any} ev
 */
export function eventTime(ev) {
  const name = ev.metadata?.name ?? "";
  const hex = name.slice(name.lastIndexOf(".") + 1);
  if (/^[0-9a-f]{15,17}$/.test(hex)) {
    const ms = Number(BigInt(`0x${hex}`) / 1_000_000n);
    if (ms > 1e12 && ms < 1e13) return ms;
  }
  return Date.parse(ev.eventTime || ev.lastTimestamp || ev.firstTimestamp || ev.metadata?.creationTimestamp || "") || 0;
}
