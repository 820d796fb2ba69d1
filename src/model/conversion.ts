// Conversion between the version a request speaks and the version a resource is stored
// in (the API server decodes into the internal type and encodes the storage version).
// Most resources are served in one version and convert to nothing. Everything after the
// API's edge (registry, store, watch caches, controllers) sees the storage version only.
import type { KubeObject } from "./types";
import { storageKey, type ResourceInfo } from "./resources";
import { badRequest } from "./errors";
import { AnnotationError, hpaFromV1, hpaFromV2, hpaToV1 } from "./hpa-conversion";
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from "./autoscaling-types";

interface Conversion {
  /** A request's object into the storage version. */
  in(obj: KubeObject): KubeObject;
  /** A stored object as this version shows it. */
  out(obj: KubeObject): KubeObject;
}

const same = (o: KubeObject) => o;

/** By storage key, then by the version the request speaks. */
const CONVERSIONS: Record<string, Record<string, Conversion>> = {
  "horizontalpodautoscalers.autoscaling": {
    v2: { in: (o) => hpaFromV2(o as HorizontalPodAutoscaler), out: same },
    v1: { in: (o) => hpaFromV1(o as HorizontalPodAutoscalerV1), out: (o) => hpaToV1(o as HorizontalPodAutoscaler) },
  },
};

function conversionOf(info: ResourceInfo): Conversion | undefined {
  return CONVERSIONS[storageKey(info)]?.[info.version];
}

/** A request body in the storage version; a body that does not convert is a 400, as a decoding error. */
export function toStorageVersion(info: ResourceInfo, obj: KubeObject): KubeObject {
  const c = conversionOf(info);
  if (!c) return obj;
  try {
    return c.in(obj);
  } catch (e) {
    if (e instanceof AnnotationError) throw badRequest(e.message);
    throw e;
  }
}

/** Whether fromStorageVersion changes objects of this version (else they are served as stored). */
export function convertsOnRead(info: ResourceInfo): boolean {
  const c = conversionOf(info);
  return c !== undefined && c.out !== same;
}

/** A stored object in the version the request asked for. */
export function fromStorageVersion(info: ResourceInfo, obj: KubeObject): KubeObject {
  return conversionOf(info)?.out(obj) ?? obj;
}
