// services/proxy: `kubectl proxy` then /api/v1/namespaces/NS/services/NAME[:PORT]/proxy/...
// reaches one ready endpoint of the Service, as the API server's service proxy does
// (it picks an endpoint from the Service's endpoints and proxies to that pod).
import type { ApiContext } from "../context";
import type { RequestInfo } from "../request-info";
import type { EndpointSlice, Pod, Service, ServicePort } from "../../model/types";
import { ApiError } from "../../model/errors";
import { forwardToKubelet } from "./pod-explore";

const SLICES = "endpointslices.discovery.k8s.io";

function unavailable(message: string): ApiError {
  return new ApiError(503, "ServiceUnavailable", message);
}

/** "name", "name:port" or "scheme:name:port" (port: a number or a port name). */
function parseTarget(target: string): { name: string; port: string } {
  const parts = target.split(":");
  if (parts.length === 3) return { name: parts[1], port: parts[2] };
  return { name: parts[0], port: parts[1] ?? "" };
}

function servicePort(svc: Service, port: string): ServicePort | undefined {
  const ports = svc.spec.ports ?? [];
  if (port === "") return ports.length === 1 ? ports[0] : ports.find((p) => !p.name);
  return ports.find((p) => p.name === port || String(p.port) === port);
}

export async function serviceProxy(ctx: ApiContext, ri: RequestInfo, req: Request): Promise<Response> {
  const { name, port } = parseTarget(ri.name!);
  const svc = (await ctx.store.mustGet("services", ri.namespace, name)) as Service;
  const sp = servicePort(svc, port);
  if (!sp) throw unavailable(`no endpoints available for service "${ri.name}"`);
  const slices = (await ctx.store.list(SLICES, { namespace: ri.namespace, labelEquals: { "kubernetes.io/service-name": name } })).items as EndpointSlice[];
  const candidates: { pod: string; port: number }[] = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? "") === (sp.name ?? ""));
    if (!slicePort) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready !== false && ep.targetRef?.kind === "Pod" && ep.targetRef.name) candidates.push({ pod: ep.targetRef.name, port: slicePort.port });
    }
  }
  if (candidates.length === 0) throw unavailable(`no endpoints available for service "${ri.name}"`);
  const pick = candidates[Math.floor(Math.random() * candidates.length)];
  const pod = (await ctx.store.get("pods", ri.namespace, pick.pod)) as Pod | null;
  if (!pod) throw unavailable(`no endpoints available for service "${ri.name}"`);
  return forwardToKubelet(ctx.env, req, pod, "proxy", `${pick.pod}:${pick.port}`, ri.rest ?? "");
}
