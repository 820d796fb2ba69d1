// The namespace controller: a namespace with a deletionTimestamp is emptied (every
// namespaced resource, workloads first so nothing is re-created), then its
// "kubernetes" finalizer is removed and the namespace goes. Pods bound to nodes end
// gracefully, so it looks again every few seconds until they are gone; meanwhile the
// status conditions say what remains, as `kubectl describe namespace` shows them.
import type { Condition, KubeObject, Namespace } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { STORED_RESOURCES, storageKey } from "../model/resources";
import { isoSeconds } from "../config";
import type { ControllerContext } from "./context";
import { deletionOps } from "./gc-plan";
import { commitChunked } from "./commit";
import { canonicalJson } from "./hash";
import { namesOf, type Controller, type Result } from "./controller";

const RECHECK_MS = 2_000;
const FIRST = ["cronjobs.batch", "jobs.batch", "deployments.apps", "replicasets.apps", "replicationcontrollers", "pods"];

/**
 * Namespaced resources in deletion order: controllers' objects before what they make,
 * then the custom resources (storage keys) of the CRDs served now.
 */
export function namespacedResources(custom: readonly string[] = []): string[] {
  const all = STORED_RESOURCES.filter((r) => r.namespaced).map(storageKey);
  return [...FIRST.filter((k) => all.includes(k)), ...all.filter((k) => !FIRST.includes(k)), ...custom];
}

export interface Remaining {
  /** "pods" → instances still there. */
  byResource: Map<string, number>;
  /** finalizer → instances carrying it. */
  byFinalizer: Map<string, number>;
}

/** The deletion writes for one resource's objects, and what will still be there after. */
export function planNamespaceContent(resource: string, items: KubeObject[], now: number, remaining: Remaining): WriteOp[][] {
  const groups: WriteOp[][] = [];
  for (const obj of items) {
    const ops = deletionOps(resource, obj, undefined, now);
    if (ops.length) groups.push(ops);
    if (ops.length === 1 && ops[0].op === "delete") continue;
    remaining.byResource.set(resource, (remaining.byResource.get(resource) ?? 0) + 1);
    const after = ops.length ? ops[0].object : obj;
    for (const f of after.metadata.finalizers ?? []) remaining.byFinalizer.set(f, (remaining.byFinalizer.get(f) ?? 0) + 1);
  }
  return groups;
}

/** The conditions upstream's namespaced-resources deleter reports while content remains. */
export function remainingConditions(remaining: Remaining, previous: Condition[] | undefined, now: number): Condition[] {
  const groupResource = (key: string) => {
    const dot = key.indexOf(".");
    return dot < 0 ? { resource: key, group: "" } : { resource: key.slice(0, dot), group: key.slice(dot + 1) };
  };
  const resources = [...remaining.byResource]
    .map(([k, n]) => {
      const gr = groupResource(k);
      return `${gr.resource}.${gr.group} has ${n} resource instances`;
    })
    .sort();
  const finalizers = [...remaining.byFinalizer].map(([f, n]) => `${f} in ${n} resource instances`).sort();
  const want: Omit<Condition, "lastTransitionTime">[] = [
    { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
    { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
    { type: "NamespaceDeletionContentFailure", status: "False", reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
    resources.length
      ? { type: "NamespaceContentRemaining", status: "True", reason: "SomeResourcesRemain", message: `Some resources are remaining: ${resources.join(", ")}` }
      : { type: "NamespaceContentRemaining", status: "False", reason: "ContentRemoved", message: "All content successfully removed" },
    finalizers.length
      ? { type: "NamespaceFinalizersRemaining", status: "True", reason: "SomeFinalizersRemain", message: `Some content in the namespace has finalizers remaining: ${finalizers.join(", ")}` }
      : { type: "NamespaceFinalizersRemaining", status: "False", reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers have been removed" },
  ];
  return want.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
    return same ? old : { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : isoSeconds(now) };
  });
}

async function reconcileNamespace(ctx: ControllerContext, name: string): Promise<Result | void> {
  const ns = (await ctx.store.get("namespaces", "", name)) as Namespace | null;
  if (!ns || !ns.metadata.deletionTimestamp) {
    ctx.terminating.delete(name);
    return;
  }
  ctx.terminating.add(name);
  const now = ctx.now();
  const remaining: Remaining = { byResource: new Map(), byFinalizer: new Map() };
  const catalog = await ctx.registry.customTypes.catalog();
  const custom = catalog.all().filter((t) => t.namespaced).map((t) => t.storageKey);
  for (const resource of namespacedResources(custom)) {
    const { items } = await ctx.store.list(resource, { namespace: name });
    await commitChunked(ctx, planNamespaceContent(resource, items, now, remaining));
  }

  if (remaining.byResource.size > 0) {
    const conditions = remainingConditions(remaining, (ns.status as { conditions?: Condition[] } | undefined)?.conditions, now);
    const status = { ...(ns.status ?? {}), phase: "Terminating" as const, conditions };
    if (canonicalJson(status) !== canonicalJson(ns.status ?? {})) {
      await ctx.registry.commit([{ op: "update", resource: "namespaces", subresource: "status", object: { ...ns, status }, old: ns, expectedRv: Number(ns.metadata.resourceVersion) }]);
    }
    return { requeueAfterMs: RECHECK_MS };
  }

  // Empty: the "kubernetes" finalizer is ours to remove; with none left, the namespace goes.
  const specFinalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== "kubernetes");
  const expectedRv = Number(ns.metadata.resourceVersion);
  if (specFinalizers.length === 0 && !(ns.metadata.finalizers?.length)) {
    await ctx.registry.commit([{ op: "delete", resource: "namespaces", object: ns, expectedRv }]);
    ctx.terminating.delete(name);
    return;
  }
  if (specFinalizers.length !== (ns.spec?.finalizers ?? []).length) {
    await ctx.registry.commit([{ op: "update", resource: "namespaces", object: { ...ns, spec: { ...ns.spec, finalizers: specFinalizers } }, expectedRv }]);
  }
}

/** The namespace controller's row: a namespace's own changes, and any change inside one being deleted. */
export function namespaceController(ctx: ControllerContext): Controller {
  return {
    name: "ns",
    keysFor(ch) {
      const out = ch.resource === "namespaces" ? [{ namespace: "", name: ch.name }] : [];
      // Its own events would keep a namespace that is going away busy for nothing.
      if (ch.namespace && ch.resource !== "events" && ctx.terminating.has(ch.namespace)) out.push({ namespace: "", name: ch.namespace });
      return out;
    },
    reconcile: ({ name }) => reconcileNamespace(ctx, name),
    async resyncKeys() {
      const { items } = await ctx.store.list("namespaces");
      // A namespace that is not being deleted (any more) is not terminating here either.
      for (const ns of items) if (!ns.metadata.deletionTimestamp) ctx.terminating.delete(ns.metadata.name ?? "");
      return namesOf(items.filter((ns) => ns.metadata.deletionTimestamp));
    },
  };
}
