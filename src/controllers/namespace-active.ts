// Controllers create objects only in a namespace that exists and is not being deleted;
// a namespace found deleting is remembered and handed to the namespace controller.
import type { ControllerContext } from "./context";
import { workKey } from "./keys";

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
