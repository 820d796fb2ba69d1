// The Service registry's allocation step: before a Service is stored, its cluster IP
// and node ports are claimed (the ones the writer asked for) or picked (the rest) by
// the cluster-wide allocator, so `kubectl expose` gets a ClusterIP and a NodePort in
// 30000-32767 as on a real cluster, and a taken address answers 422 Invalid.
// In the wiring, not src/registry (which declares the hooks): the allocator lives in
// the controller manager, reached through its stub.
import type { KubeObject, Service } from "../model/types";
import type { AllocationRequest, AllocationResult, Owner } from "./service-allocation";
import type { ServiceAddresses } from "../registry/hooks";
import { controllers } from "./stubs";
import { invalid } from "../model/errors";
import { needsNodePorts } from "../registry/service";

/** Who holds a Service's addresses: the Service, by its uid (a new one of the same name is another owner). */
const ownerOf = (svc: KubeObject): Owner => ({ namespace: svc.metadata.namespace ?? "", name: svc.metadata.name ?? "", uid: svc.metadata.uid ?? "" });

function allocationRequest(svc: Service, dryRun: boolean): AllocationRequest {
  const spec = svc.spec;
  const headless = spec.clusterIP === "None" || spec.type === "ExternalName";
  return {
    owner: ownerOf(svc),
    clusterIP: headless ? null : (spec.clusterIP ?? spec.clusterIPs?.[0] ?? ""),
    nodePorts: needsNodePorts(svc.spec) ? (spec.ports ?? []).map((p, index) => ({ index, protocol: p.protocol ?? "TCP", nodePort: p.nodePort ?? 0 })) : [],
    dryRun,
  };
}

/** The allocator's two calls, wherever it runs (over RPC, or in the controller manager itself). */
interface AllocatorCalls {
  allocate(req: AllocationRequest): Promise<AllocationResult>;
  release(owner: Owner): unknown;
}

/** The registry's Service address hooks over an allocator. */
export function serviceAddresses(allocator: AllocatorCalls): ServiceAddresses {
  return {
    /** Fill in spec.clusterIP(s) and the node ports, or throw 422 with the allocator's causes. */
    async allocate(svc: Service, dryRun: boolean): Promise<void> {
      const result = await allocator.allocate(allocationRequest(svc, dryRun));
      if (!result.ok) throw invalid("Service", svc.metadata.name ?? "", result.causes);
      if (result.clusterIP) {
        svc.spec.clusterIP = result.clusterIP;
        svc.spec.clusterIPs = [result.clusterIP];
      } else if (svc.spec.clusterIP === "None") {
        svc.spec.clusterIPs = ["None"];
      }
      const ports = svc.spec.ports ?? [];
      if (needsNodePorts(svc.spec)) result.nodePorts.forEach((n, i) => (ports[i].nodePort = n));
    },
    /** After a Service is deleted: its addresses go back at once, as the registry's delete does. */
    async release(svc: KubeObject): Promise<void> {
      const owner = ownerOf(svc);
      try {
        await allocator.release(owner);
      } catch (e) {
        // The service controller releases them on its next pass anyway.
        console.error(`releasing the addresses of service ${owner.namespace}/${owner.name} failed:`, e);
      }
    },
  };
}

/** The hooks for a writer outside the controller manager: the allocator through its stub. */
export function remoteServiceAddresses(env: Env): ServiceAddresses {
  return serviceAddresses({ allocate: (req) => controllers(env).allocateService(req), release: (owner) => controllers(env).releaseService(owner) });
}
