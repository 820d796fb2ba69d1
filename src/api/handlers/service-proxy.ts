// services/proxy: `kubectl proxy` then /api/v1/namespaces/NS/services/NAME[:PORT]/proxy/...
// reaches one ready endpoint of the Service, as the API server's service proxy does
// (it picks an endpoint from the Service's endpoints and proxies to that pod).
import type { ApiContext } from "../context";
import type { RequestInfo } from "../request-info";
import type { Pod, Service, ServicePort } from "../../model/types";
import { pickOne, readyEndpoints } from "../../store/service-endpoints";
import { ApiError } from "../../model/errors";
import { forwardToKubelet } from "./pod-explore";

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
  const pick = pickOne((await readyEndpoints(ctx.store, svc, sp)).filter((e) => e.pod));
  if (!pick) throw unavailable(`no endpoints available for service "${ri.name}"`);
  const pod = (await ctx.store.get("pods", ri.namespace, pick.pod!)) as Pod | null;
  if (!pod) throw unavailable(`no endpoints available for service "${ri.name}"`);
  return forwardToKubelet(ctx.env, req, pod, "proxy", `${pick.pod}:${pick.port}`, ri.rest ?? "");
}
