// Services: defaulted and their type-dependent fields kept consistent (service.ts),
// their cluster IP and node ports allocated before the write and released after the
// delete. A Service being deleted keeps what it has; it only waits for its finalizers.
import type { KubeObject, Service } from "../../model/types";
import { prepareServiceCreate, prepareServiceUpdate } from "../service";
import type { RegistryHooks, ServiceAddresses } from "../hooks";
import type { ResourceStrategy } from "./types";

function addresses(hooks: RegistryHooks): ServiceAddresses {
  if (!hooks.serviceAddresses) throw new Error("this registry has no Service address allocator");
  return hooks.serviceAddresses;
}

export const serviceStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => prepareServiceCreate(obj as Service),
  prepareForUpdate: (next, old) => prepareServiceUpdate(next as Service, old as Service),
  beforeCreate: (obj, hooks, dryRun) => addresses(hooks).allocate(obj as Service, dryRun),
  beforeUpdate: async (obj: KubeObject, _old, hooks, dryRun) => {
    if (!obj.metadata.deletionTimestamp) await addresses(hooks).allocate(obj as Service, dryRun);
  },
  afterDelete: async (obj, hooks) => {
    await hooks.serviceAddresses?.release(obj);
  },
};
