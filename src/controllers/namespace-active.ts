// Controllers create objects only in a namespace that exists and is not being deleted;
// a namespace found deleting is remembered and handed to the namespace controller.
import type { ControllerContext } from "./context";
import type { NamespacedName } from "./controller";
import { workKey } from "./keys";

/** Every namespace not being deleted, as the keys of a controller keyed by namespace (its resync). */
export async function activeNamespaceKeys(ctx: ControllerContext): Promise<NamespacedName[]> {
  const { items } = await ctx.store.list("namespaces", {});
  return items.filter((ns) => !ns.metadata.deletionTimestamp).map((ns) => ({ namespace: "", name: ns.metadata.name ?? "" }));
}

export async function namespaceActive(ctx: ControllerContext, namespace: string): Promise<boolean> {
  if (ctx.terminating.has(namespace)) return false;
  const ns = await ctx.store.get("namespaces", "", namespace);
  if (ns && !ns.metadata.deletionTimestamp) return true;
  if (ns) {
    ctx.terminating.add(namespace);
    ctx.enqueue(workKey("ns", "", namespace));
  }
  return false;
}
