// Per-resource create/update rules (the API server's "strategy" objects): what the
// server fills in on create, what a spec update may change, what a status update may
// change, and when metadata.generation moves.
import type { KubeObject, Pod, Deployment, ReplicaSet, Namespace, Service } from "../model/types";
import type { ResourceInfo } from "../model/resources";
import { storageKey } from "../model/resources";
import { defaultDeployment, defaultNamespace, defaultPod, defaultPodSpec, defaultReplicaSet, type DefaultingConfig } from "./defaults";
import { prepareServiceCreate, prepareServiceUpdate } from "./service";
import { isoSeconds } from "../config";

const NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** generateName suffix: 5 characters from the alphabet the API server uses. */
export function randomSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b) => NAME_SUFFIX_ALPHABET[b % NAME_SUFFIX_ALPHABET.length]).join("");
}

export interface StrategyContext {
  now: number;
  defaults: DefaultingConfig;
}

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
  if (hasSpec(info)) meta.generation = 1;
  switch (storageKey(info)) {
    case "pods":
      defaultPod(obj as Pod, ctx.defaults);
      break;
    case "deployments.apps":
      defaultDeployment(obj as Deployment);
      break;
    case "replicasets.apps":
      defaultReplicaSet(obj as ReplicaSet);
      break;
    case "namespaces":
      defaultNamespace(obj as Namespace);
      break;
    case "services":
      prepareServiceCreate(obj as Service);
      break;
  }
  return obj;
}

function hasSpec(info: ResourceInfo): boolean {
  return ["pods", "deployments", "replicasets", "nodes", "namespaces"].includes(info.resource);
}

/**
 * An update of the main resource: status is owned by the status subresource and kept
 * from the old object; server-owned metadata is kept; generation moves when spec did.
 */
export function prepareForUpdate(info: ResourceInfo, next: KubeObject, old: KubeObject): KubeObject {
  keepServerMetadata(next, old);
  // Defaults apply on every write, as the API server decodes with defaulting: a PUT
  // or patch that left out a defaulted template field stores it defaulted again.
  const template = (next.spec as { template?: { spec?: Pod["spec"] } } | undefined)?.template;
  if (template?.spec) defaultPodSpec(template.spec);
  if (storageKey(info) === "services") prepareServiceUpdate(next as Service, old as Service);
  if (info.subresources.includes("status")) {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (hasSpec(info) && JSON.stringify(next.spec ?? null) !== JSON.stringify(old.spec ?? null)) {
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
  // Labels and annotations may be changed by a status writer in Kubernetes too.
  if (next.metadata.labels) out.metadata.labels = next.metadata.labels;
  if (next.metadata.annotations) out.metadata.annotations = next.metadata.annotations;
  return out;
}

function keepServerMetadata(next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  m.uid = o.uid;
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
