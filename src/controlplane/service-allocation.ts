// The contract of the ControllerManager's allocateService/releaseService RPCs: what
// the registry's allocation step asks the cluster-wide Service allocator for and what
// it answers. src/controllers/service-allocator.ts implements it.
import type { StatusCause } from "../model/types";

export interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

interface PortClaim {
  /** Index in spec.ports (for the error's field path). */
  index: number;
  protocol: string;
  /** 0: allocate one. */
  nodePort: number;
}

export interface AllocationRequest {
  owner: Owner;
  /** "": allocate one; an address: claim it; null: none (headless, ExternalName). */
  clusterIP: string | null;
  nodePorts: PortClaim[];
  /** Pick addresses but record nothing (dryRun=All). */
  dryRun?: boolean;
}

export type AllocationResult = { ok: true; clusterIP: string | null; nodePorts: number[] } | { ok: false; causes: StatusCause[] };
