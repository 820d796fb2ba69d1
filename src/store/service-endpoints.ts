// A Service's ready endpoints for one of its ports, read from its EndpointSlices: what
// kube-proxy programs and the API server's service proxy picks from. Shared by the
// service proxy (src/api) and the pods' cluster network (src/node).
import type { ObjectStore } from "./store";
import type { EndpointSlice, Service, ServicePort } from "../model/types";

interface ReadyEndpoint {
  ip: string;
  /** The target port the slice gives for the Service port. */
  port: number;
  nodeName?: string;
  /** The pod behind the address, when the slice names one. */
  pod?: string;
}

export async function readyEndpoints(store: ObjectStore, svc: Service, servicePort: ServicePort): Promise<ReadyEndpoint[]> {
  const slices = (await store.list("endpointslices.discovery.k8s.io", { namespace: svc.metadata.namespace, labelEquals: { "kubernetes.io/service-name": svc.metadata.name ?? "" } })).items as EndpointSlice[];
  const out: ReadyEndpoint[] = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? "") === (servicePort.name ?? ""));
    if (!slicePort) continue;
    for (const ep of slice.endpoints ?? []) {
      // A nil ready condition means ready, as for every EndpointSlice consumer.
      if (ep.conditions?.ready === false) continue;
      const pod = ep.targetRef?.kind === "Pod" ? ep.targetRef.name : undefined;
      out.push({ ip: ep.addresses[0], port: slicePort.port, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}), ...(pod ? { pod } : {}) });
    }
  }
  return out;
}

/** One of them at random, as kube-proxy spreads connections. */
export function pickOne<T>(items: T[], random: () => number = Math.random): T | undefined {
  return items.length ? items[Math.floor(random() * items.length)] : undefined;
}
