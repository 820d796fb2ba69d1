// The cluster network as a pod sees it (its `curl`, a program's outgoing requests):
// what kube-proxy and cluster DNS give a real pod, resolved against the API's objects.
// - a pod IP (10.244.0.0/16) reaches that pod on whichever node runs it;
// - a Service's cluster IP, or its DNS name (`web`, `web.ns`, `web.ns.svc`,
//   `web.ns.svc.cluster.local`), reaches one ready endpoint of the Service, at the
//   target port its EndpointSlice names for the Service port asked for;
// - anything else does not resolve (a name) or does not route (an address).
import type { Pod, Service } from "../model/types";
import { pickOne, readyEndpoints } from "../store/service-endpoints";
import type { HttpOutcome, HttpRequest } from "./images/types";
import type { ObjectStore } from "../store/store";
import { inPodRange, inServiceRange } from "../model/cluster-addresses";

interface PodTarget {
  node: string;
  podIP: string;
  port: number;
}

interface ClusterNetworkDeps {
  store: () => ObjectStore;
  /** Deliver the request to a pod on `target.node` (this node or another). */
  deliver: (target: PodTarget, req: HttpRequest) => Promise<HttpOutcome>;
  /** The namespace of the pod that sends (its short DNS names resolve there). */
  namespaceOf: (sandboxId: string) => string | undefined;
  random?: () => number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SERVICE_NAME = new RegExp(`^(${DNS_LABEL})(\\.(${DNS_LABEL}))?(\\.svc(\\.cluster\\.local)?)?\\.?$`);

/** A Service name a pod in `namespace` may use, or null when it is not one. */
export function serviceName(host: string, namespace: string): { namespace: string; name: string } | null {
  const m = SERVICE_NAME.exec(host.toLowerCase());
  if (!m) return null;
  const ns = m[4];
  return { name: m[1], namespace: ns ?? namespace };
}

export class ClusterNetwork {
  constructor(private readonly d: ClusterNetworkDeps) {}

  /** The runtime's network hook. */
  readonly request = async (from: { sandboxId: string; podIP: string }, host: string, port: number, req: HttpRequest): Promise<HttpOutcome> => {
    const target = await this.resolve(from, host, port);
    if (target.kind !== "target") return target;
    return this.d.deliver(target.target, { ...req, remoteAddr: from.podIP });
  };

  private async resolve(from: { sandboxId: string }, host: string, port: number): Promise<{ kind: "target"; target: PodTarget } | HttpOutcome> {
    const store = this.d.store();
    if (IPV4.test(host)) {
      if (inPodRange(host)) {
        const pod = (await store.list("pods", { filter: (p) => (p as Pod).status?.podIP === host && !!(p as Pod).spec.nodeName })).items[0] as Pod | undefined;
        return pod ? { kind: "target", target: { node: pod.spec.nodeName!, podIP: host, port } } : { kind: "unreachable" };
      }
      if (inServiceRange(host)) {
        const svc = (await store.list("services", { filter: (s) => (s as Service).spec.clusterIP === host })).items[0] as Service | undefined;
        return svc ? this.endpoint(svc, port) : { kind: "unreachable" };
      }
      return { kind: "unreachable" };
    }
    const name = serviceName(host, this.d.namespaceOf(from.sandboxId) ?? "default");
    if (!name) return { kind: "unresolved" };
    const svc = (await store.get("services", name.namespace, name.name)) as Service | null;
    if (!svc || svc.spec.type === "ExternalName") return { kind: "unresolved" };
    return this.endpoint(svc, port);
  }

  /** One ready endpoint of the Service for its port `port` (kube-proxy's random pick). */
  private async endpoint(svc: Service, port: number): Promise<{ kind: "target"; target: PodTarget } | HttpOutcome> {
    const sp = (svc.spec.ports ?? []).find((p) => p.port === port);
    // No such Service port: kube-proxy has no rule for it, so nothing answers.
    if (!sp) return { kind: "refused" };
    const ready = (await readyEndpoints(this.d.store(), svc, sp)).filter((e) => e.nodeName);
    const pick = pickOne(ready, this.d.random);
    // A Service without ready endpoints rejects connections (kube-proxy's REJECT rule).
    if (!pick) return { kind: "refused" };
    return { kind: "target", target: { node: pick.nodeName!, podIP: pick.ip, port: pick.port } };
  }
}
