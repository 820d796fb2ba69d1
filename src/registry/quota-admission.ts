// The ResourceQuota admission plugin over the store: a write that adds usage is checked
// against the quotas of its namespace and charged in the SAME D1 batch as the write
// itself (each quota's status update is conditional on the version read), so two
// creates racing for the last slot can never both commit: the second batch fails on
// the quota's version and is checked again against the new usage. The resourcequota
// controller recounts when objects go away or pods finish.
import type { KubeObject, ResourceList } from "../model/types";
import type { ResourceQuota } from "../model/quota-types";
import { checkQuotas, deltaUsage, objectUsage, quotaMatches, resourcesCounted, usedOf } from "../model/quota-usage";
import { ApiError, forbidden } from "../model/errors";
import type { ObjectStore, WriteOp } from "../store/store";

/** Writes never charged: the events every component writes at a high rate. */
const NOT_CHARGED = new Set(["events", "events.events.k8s.io"]);

/** Times a charged write is checked again after another write moved a quota first. */
export const QUOTA_CHARGE_ATTEMPTS = 10;

function forbiddenBy(resource: string, name: string, why: string): ApiError {
  const dot = resource.indexOf(".");
  const details = { name, kind: dot < 0 ? resource : resource.slice(0, dot), ...(dot < 0 ? {} : { group: resource.slice(dot + 1) }) };
  return forbidden(`${resource} "${name}" is forbidden: ${why}`, details);
}

/** Quotas already charged earlier in one batch, by name: later writes in it see their usage. */
export type PendingQuotas = Map<string, ResourceQuota>;

/** What a write must carry into its batch: the quota charges, or the check that there is still no quota. */
export interface QuotaCharge {
  writes: WriteOp[];
  /** The namespace believed to have no ResourceQuota: the batch holds only while none exists. */
  noQuotaIn?: string;
}

/**
 * Namespaces this isolate last found without a ResourceQuota. A create there reads no
 * quotas: its batch checks that none exists (the store's `absent` guard), and one made
 * meanwhile fails the batch, which is then checked again from a fresh read.
 */
const WITHOUT_QUOTA = new Set<string>();
const WITHOUT_QUOTA_MAX = 10_000;

export function forgetQuotaFree(namespace: string): void {
  WITHOUT_QUOTA.delete(namespace);
}

/**
 * The quota status updates a write needs (none when nothing tracked grows), or the 403
 * the admission answers. `pending` carries the charges of earlier writes of one batch;
 * `fresh` reads the quotas even where this isolate believes there are none (a dry run
 * has no batch to check that belief in).
 */
export async function quotaWrites(store: ObjectStore, resource: string, obj: KubeObject, old: KubeObject | undefined, now: number, opts: { pending?: PendingQuotas; fresh?: boolean } = {}): Promise<QuotaCharge> {
  const namespace = obj.metadata.namespace;
  if (!namespace || NOT_CHARGED.has(resource)) return { writes: [] };
  const delta = deltaUsage(objectUsage(resource, obj, now), old ? objectUsage(resource, old, now) : undefined);
  if (!Object.keys(delta).length) return { writes: [] };
  if (!opts.fresh && WITHOUT_QUOTA.has(namespace)) return { writes: [], noQuotaIn: namespace };
  const stored = (await store.list("resourcequotas", { namespace })).items as ResourceQuota[];
  if (!stored.length) {
    // A namespace's first quota is this write: after it, the namespace has one.
    if (resource === "resourcequotas") return { writes: [] };
    if (WITHOUT_QUOTA.size >= WITHOUT_QUOTA_MAX) WITHOUT_QUOTA.clear();
    WITHOUT_QUOTA.add(namespace);
    return { writes: [], noQuotaIn: namespace };
  }
  WITHOUT_QUOTA.delete(namespace);
  const pending = opts.pending;
  const quotas = stored.map((q) => pending?.get(q.metadata.name ?? "") ?? q);
  const result = checkQuotas(quotas, resource, obj, delta);
  if ("refused" in result) throw forbiddenBy(resource, obj.metadata.name ?? "", result.refused);
  const writes = result.charges.map(({ quota, used }) => {
    const object: ResourceQuota = { ...quota, status: { ...quota.status, used } };
    pending?.set(quota.metadata.name ?? "", object);
    return { op: "update" as const, resource: "resourcequotas", object, expectedRv: Number(quota.metadata.resourceVersion) };
  });
  return { writes };
}

/** The store's guards for a batch whose writes found these namespaces without quotas. */
export function noQuotaGuards(namespaces: Iterable<string>): { resource: string; namespace: string }[] {
  return [...new Set(namespaces)].map((namespace) => ({ resource: "resourcequotas", namespace }));
}

/**
 * A failed batch that another quota charge got ahead of, or that met a quota where none
 * was expected: check and charge again (from a fresh read).
 */
export function isQuotaConflict(e: unknown): boolean {
  return e instanceof ApiError && e.reason === "Conflict" && e.status.details?.kind === "resourcequotas";
}

/**
 * What a quota's status says after a full recount of its namespace: status.hard is
 * spec.hard, status.used every tracked name summed over the objects it applies to.
 */
export async function recountQuota(store: ObjectStore, quota: ResourceQuota, now: number): Promise<{ hard: ResourceList; used: ResourceList }> {
  const hard = { ...(quota.spec?.hard ?? {}) };
  const namespace = quota.metadata.namespace ?? "";
  const usages: ResourceList[] = [];
  for (const resource of resourcesCounted(hard)) {
    const { items } = await store.list(resource, { namespace });
    // A quota being made counts itself among the namespace's quotas.
    if (resource === "resourcequotas" && !items.some((q) => q.metadata.name === quota.metadata.name)) items.push(quota);
    for (const item of items) if (quotaMatches(quota, resource, item)) usages.push(objectUsage(resource, item, now));
  }
  return { hard, used: usedOf(hard, usages) };
}
