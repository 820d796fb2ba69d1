// ImageLocality: prefers nodes that already hold the pod's images, by their
// size, so big pulls are avoided. Each image's size is scaled by the share of
// nodes that have it (an image present everywhere says nothing about where to
// go, and weighting it fully would pile pods onto the nodes that pulled first).
// The sum is clamped to 23 MiB .. 1000 MiB per container and mapped to 0..100.

import type { Pod } from "../../model/types";
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type ScorePlugin, type Status, success } from "../framework";
import { ImageLocalityName } from "./names";

const MB = 1024 * 1024;
/** Below this nothing counts: small images pull fast anyway. */
const MIN_THRESHOLD = 23 * MB;
/** Per container: above this more bytes add no more score. */
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

const PRE_SCORE_KEY = "PreScore" + ImageLocalityName;

/** Docker's default tag: "nginx" means "nginx:latest" (a digest or tag is kept). */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(":") <= name.lastIndexOf("/") ? `${name}:latest` : name;
}

/** Init containers count too (they are pulled just the same). */
function podImages(pod: Pod): string[] {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c) => normalizedImageName(c.image ?? ""));
}

interface ImageSpread {
  images: string[];
  /** image -> number of nodes of the snapshot that have it */
  numNodes: Map<string, number>;
  totalNumNodes: number;
}

/** Counted from the nodes unless `counted` already holds the count for every image. */
function computeSpread(pod: Pod, allNodes: readonly NodeInfo[], counted?: ReadonlyMap<string, number>): ImageSpread {
  const images = podImages(pod);
  const numNodes = new Map<string, number>();
  for (const img of new Set(images)) {
    let n = 0;
    if (counted) n = counted.get(img) ?? 0;
    else for (const ni of allNodes) if (ni.images.has(img)) n++;
    numNodes.set(img, n);
  }
  return { images, numNodes, totalNumNodes: allNodes.length };
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.floor((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export class ImageLocality implements ScorePlugin {
  readonly name = ImageLocalityName;

  /** The spread is a property of the whole snapshot, so count it once per pod. */
  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, computeSpread(pod, state.allNodes, state.imageNodes));
    return success();
  }

  score(state: CycleState, pod: Pod, ni: NodeInfo): number {
    const spread = state.read<ImageSpread>(PRE_SCORE_KEY) ?? computeSpread(pod, state.allNodes.length ? state.allNodes : [ni]);
    let sum = 0;
    for (const img of spread.images) {
      const size = ni.images.get(img);
      if (size === undefined || spread.totalNumNodes === 0) continue;
      sum += Math.trunc(size * ((spread.numNodes.get(img) ?? 0) / spread.totalNumNodes));
    }
    return calculatePriority(sum, spread.images.length);
  }
}
