// The steps every resource shares around a write (the generic registry store's
// BeforeCreate/BeforeUpdate): server-owned metadata on create, what an update of the
// main resource or of /status may change, when metadata.generation moves. What is
// particular to a resource is its strategy in ./strategies.
import type { KubeObject, PodSpec } from "../model/types";
import { defaultEphemeralContainers } from "./defaults";
import type { ResourceInfo } from "../model/resources";
import { strategyForInfo, type StrategyContext } from "./strategies";
import { isoSeconds } from "../config";

import { randomSuffix } from "./name-suffix";

export { randomSuffix };

/** Fill server-owned metadata and defaults on a new object (mutates and returns it). */
export function prepareForCreate(info: ResourceInfo, obj: KubeObject, ctx: StrategyContext): KubeObject {
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
  meta.uid = crypto.randomUUID();
  meta.creationTimestamp = isoSeconds(ctx.now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.managedFields;
  const strategy = strategyForInfo(info);
  if (strategy.tracksGeneration) meta.generation = 1;
  strategy.prepareForCreate?.(obj, ctx);
  return obj;
}

/**
 * An update of the main resource: status is owned by the status subresource and kept
 * from the old object (before the strategy runs, so a strategy may still set what the
 * server owns in it); server-owned metadata is kept; generation moves when spec did.
 */
export function prepareForUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject): KubeObject {
  keepServerMetadata(next, old);
  const strategy = strategyForInfo(info);
  if (info.subresources.includes("status")) {
    if (old.status === undefined) delete next.status;
    else next.status = structuredClone(old.status);
  }
  strategy.prepareForUpdate?.(next, old);
  const changed = strategy.generationChanged ? strategy.generationChanged(next, old) : JSON.stringify(next.spec ?? null) !== JSON.stringify(old.spec ?? null);
  if (strategy.tracksGeneration && changed) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  } else if (old.metadata.generation !== undefined) {
    next.metadata.generation = old.metadata.generation;
  }
  return next;
}

/** An update through /status: only status (and, as upstream, nothing in spec) changes. */
export function prepareForStatusUpdate(next: KubeObject, old: KubeObject): KubeObject {
  const out: KubeObject = { ...old, status: next.status };
  out.metadata = { ...old.metadata };
  // A uid sent must be the object's: validation refuses another (it is immutable).
  if (next.metadata.uid) out.metadata.uid = next.metadata.uid;
  // Labels and annotations may be changed by a status writer in Kubernetes too.
  if (next.metadata.labels) out.metadata.labels = next.metadata.labels;
  if (next.metadata.annotations) out.metadata.annotations = next.metadata.annotations;
  return out;
}

/**
 * An update through pods/NAME/ephemeralcontainers (`kubectl debug`): only
 * spec.ephemeralContainers changes, as upstream's dropNonEphemeralContainerUpdates.
 */
export function prepareForEphemeralContainersUpdate(next: KubeObject, old: KubeObject): KubeObject {
  // Metadata as stored (ResetObjectMetaForStatus); a uid sent must still be the object's.
  const out: KubeObject = { ...old, metadata: { ...old.metadata, ...(next.metadata?.uid ? { uid: next.metadata.uid } : {}) } };
  const containers = (next.spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
  const spec = { ...(old.spec as PodSpec), ephemeralContainers: containers as PodSpec["ephemeralContainers"] };
  if (containers === undefined) delete spec.ephemeralContainers;
  defaultEphemeralContainers(spec);
  out.spec = spec;
  return out;
}

function keepServerMetadata(next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  // The stored uid when none is sent; a different one is refused by validation (immutable).
  if (!m.uid) m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.namespace = o.namespace;
  m.name = o.name;
  if (o.deletionTimestamp) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  delete m.managedFields;
  if (m.generateName === undefined && o.generateName !== undefined) m.generateName = o.generateName;
}
