// The NamespaceLifecycle admission step of a single create: nothing new goes into a
// namespace that does not exist or is being deleted. (A batch checks the same inside
// its own transaction: Registry.commit.)
import type { ObjectStore } from "../store/store";
import type { ResourceInfo } from "../model/resources";
import { namespaceNotFound, namespaceTerminating } from "../model/errors";

export async function ensureNamespaceActive(store: ObjectStore, info: ResourceInfo, namespace: string): Promise<void> {
  const ns = await store.get("namespaces", "", namespace);
  if (!ns) throw namespaceNotFound(namespace);
  if (ns.metadata.deletionTimestamp) throw namespaceTerminating(info.resource, namespace);
}
