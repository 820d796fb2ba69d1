// What the registry needs from outside its layer, declared here and implemented by the
// wiring (src/controlplane) or by the component that owns the resource (the controller
// manager hosts the Service address allocator), then injected where a Registry is made.
import type { KubeObject, Service } from "../model/types";

export interface ServiceAddresses {
  /** Claim the addresses the Service asks for and pick the rest (filled into its spec), or throw 422 Invalid. */
  allocate(svc: Service, dryRun: boolean): Promise<void>;
  /** A Service is gone: its addresses are free again. Never throws (a repair loop catches up). */
  release(svc: KubeObject): Promise<void>;
}

export interface RegistryHooks {
  /** Absent where no Service is ever written (a kubelet's registry). */
  serviceAddresses?: ServiceAddresses;
}
