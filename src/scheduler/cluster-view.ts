// The Scheduler DO's in-memory picture of the cluster (upstream's scheduler cache):
// one NodeInfo per node with every bound, non-terminal pod accounted on it, plus
// the pods it has just decided ("assumed") before their bind is written. It is
// built from a list and kept current from the change log; the store stays the
// truth, so every change from it replaces what the view holds for that key.
//
// Pure: no bindings, no clock. The snapshot array is what schedulePod() walks.

import type { Container, Node, Pod } from "../model/types";
import type { NodeInfo } from "./framework";
import { nodeUpdateEvents, type ClusterEvent } from "./events";
import { addPod, newNodeInfo, podKey, removePod } from "./node-info";

/**
 * What the view keeps of a bound pod: what its PodInfo is computed from
 * (requests, ports, priority), its identity and what preemption weighs (start
 * time, a deletion under way); no env, commands, probes or other status. Thousands of pods live in one DO (128 MB), and no plugin reads more.
 */
function schedulingProjection(pod: Pod): Pod {
  const c = (x: Container): Container => ({ name: x.name, image: x.image, resources: x.resources, ports: x.ports, restartPolicy: x.restartPolicy });
  const { name, namespace, uid, resourceVersion, deletionTimestamp } = pod.metadata;
  const { nodeName, priority, overhead, containers, initContainers } = pod.spec;
  // Preemption reads when a pod started, and whether it is already going because of a preemption.
  const disruption = pod.status?.conditions?.filter((x) => x.type === "DisruptionTarget");
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, uid, resourceVersion, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    spec: { nodeName, priority, overhead, containers: (containers ?? []).map(c), ...(initContainers ? { initContainers: initContainers.map(c) } : {}) },
    status: { phase: pod.status?.phase, startTime: pod.status?.startTime, ...(disruption?.length ? { conditions: disruption } : {}) },
  };
}

interface Placement {
  node: string;
  /** resourceVersion of the pod object the view holds, to skip older changes. */
  rv: number;
  /** Decided by this scheduler, bind not yet confirmed by the store. */
  assumed: boolean;
}

export class ClusterView {
  private readonly nodes = new Map<string, NodeInfo>();
  /** The snapshot in a stable order: the round-robin start index walks it. */
  readonly snapshot: NodeInfo[] = [];
  private readonly position = new Map<string, number>();
  private readonly placed = new Map<string, Placement>();
  /** Bound pods whose node the view does not know (yet): they are accounted when it appears. */
  private readonly orphans = new Map<string, Map<string, Pod>>();
  private namesCache: readonly string[] | undefined;
  private readonly imageCounts = new Map<string, number>();

  /**
   * How many nodes of the snapshot report each image (by every name it has), kept as
   * nodes come, change and go: upstream's scheduler cache keeps the same count
   * (ImageStateSummary.NumNodes) so that ImageLocality does not walk every node for
   * every pod.
   */
  get imageNodes(): ReadonlyMap<string, number> {
    return this.imageCounts;
  }

  get nodeCount(): number {
    return this.snapshot.length;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /** Node names in snapshot order; immutable, so a recorded decision can keep a reference. */
  names(): readonly string[] {
    this.namesCache ??= Object.freeze(this.snapshot.map((n) => n.name));
    return this.namesCache;
  }

  // ---- nodes ----

  /** A node appeared or changed; returns the cluster events that amounts to. */
  upsertNode(node: Node): ClusterEvent[] {
    const name = node.metadata.name ?? "";
    const old = this.nodes.get(name);
    if (!old) {
      const waiting = this.orphans.get(name);
      this.orphans.delete(name);
      const ni = newNodeInfo(node, waiting?.values() ?? []);
      this.countImages(ni, 1);
      this.nodes.set(name, ni);
      this.position.set(name, this.snapshot.length);
      this.snapshot.push(ni);
      this.namesCache = undefined;
      return ["NodeAdd"];
    }
    const events = nodeUpdateEvents(old.node, node);
    // Rebuilt even when no event results: images and conditions feed scoring. PodInfos are reused.
    const ni = newNodeInfo(node, old.pods);
    this.countImages(old, -1);
    this.countImages(ni, 1);
    this.nodes.set(name, ni);
    this.snapshot[this.position.get(name)!] = ni;
    return events;
  }

  /** A node went away: its pods stay bound to it (the node lifecycle controller deals with them). */
  removeNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.countImages(ni, -1);
    this.nodes.delete(name);
    if (ni.pods.length) this.orphans.set(name, new Map(ni.pods.map((p) => [p.key, p.pod])));
    this.snapshot.splice(this.position.get(name)!, 1);
    this.position.clear();
    this.snapshot.forEach((n, i) => this.position.set(n.name, i));
    this.namesCache = undefined;
  }

  private countImages(ni: NodeInfo, by: 1 | -1): void {
    for (const image of ni.images.keys()) {
      const n = (this.imageCounts.get(image) ?? 0) + by;
      if (n > 0) this.imageCounts.set(image, n);
      else this.imageCounts.delete(image);
    }
  }

  // ---- pods ----

  /** Where the view accounts this pod, if anywhere. */
  placement(key: string): Readonly<Placement> | undefined {
    return this.placed.get(key);
  }

  /** Accounts a bound pod (spec.nodeName set) on its node, replacing what was held for its key. */
  place(full: Pod, assumed = false): void {
    const pod = schedulingProjection(full);
    const key = podKey(pod);
    const node = pod.spec.nodeName ?? "";
    this.remove(key);
    this.placed.set(key, { node, rv: Number(pod.metadata.resourceVersion ?? 0), assumed });
    const ni = this.nodes.get(node);
    if (ni) addPod(ni, pod);
    else {
      let m = this.orphans.get(node);
      if (!m) this.orphans.set(node, (m = new Map()));
      m.set(key, pod);
    }
  }

  /** Stops accounting a pod; true when it was accounted (its resources are now free). */
  remove(key: string): boolean {
    const p = this.placed.get(key);
    if (!p) return false;
    this.placed.delete(key);
    const ni = this.nodes.get(p.node);
    if (ni) removePod(ni, key);
    else this.orphans.get(p.node)?.delete(key);
    return true;
  }

  /** Pod keys accounted in the view (bound or assumed). */
  placedKeys(): IterableIterator<string> {
    return this.placed.keys();
  }

  /** Sum of requests per node, for checks and tests. */
  usage(): { node: string; milliCPU: number; memory: number; pods: number; allocatableMilliCPU: number; allocatableMemory: number; allowedPods: number }[] {
    return this.snapshot.map((ni) => ({
      node: ni.name,
      milliCPU: ni.requested.milliCPU,
      memory: ni.requested.memory,
      pods: ni.pods.length,
      allocatableMilliCPU: ni.allocatable.milliCPU,
      allocatableMemory: ni.allocatable.memory,
      allowedPods: ni.allowedPodNumber,
    }));
  }
}
