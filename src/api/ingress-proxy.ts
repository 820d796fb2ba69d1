// The apps' traffic: a request for a host that is not the cluster's goes where the
// Ingresses of the cluster's own classes send it (src/model/ingress-match.ts), to a
// ready endpoint of the backend Service, and on to that pod's program through its
// node, as the service proxy reaches pods. No credentials are asked for and the API
// is never involved. The answers an ingress controller gives of its own are
// ingress-nginx's: 404 when nothing matches and there is no default backend, 503
// when the Service has no ready endpoint, 502 when the pod does not answer.
//
// The route table is kept in memory per isolate and rebuilt from the store at most
// once every ROUTES_TTL_MS while app traffic flows (two list reads), so a new or
// changed Ingress routes within about a second.
import type { ApiContext } from "./context";
import type { Pod, Service, ServicePort } from "../model/types";
import type { Ingress, IngressBackend, IngressClass } from "../model/ingress-types";
import { INGRESSES, INGRESS_CLASSES, ingressClassName, ownClasses } from "../model/ingress";
import { buildRouteTable, matchRoute, type RouteTable } from "../model/ingress-match";
import { pickOne, readyEndpoints } from "../store/service-endpoints";
import type { ObjectStore } from "../store/store";
import { forwardToKubelet } from "./handlers/pod-explore";
import { requestHost } from "./front-door";

export const ROUTES_TTL_MS = 1_000;

let routes: { table: RouteTable; at: number } | undefined;
let loading: Promise<RouteTable> | undefined;

async function loadRoutes(store: ObjectStore): Promise<RouteTable> {
  const [ingresses, classes] = await Promise.all([store.list(INGRESSES, {}), store.list(INGRESS_CLASSES, {})]);
  const own = ownClasses(classes.items as IngressClass[]);
  const served = (ingresses.items as Ingress[]).filter((i) => !i.metadata.deletionTimestamp && own.has(ingressClassName(i)));
  return buildRouteTable(served);
}

/** The route table, from memory while fresh; one load at a time per isolate. */
async function routeTable(store: ObjectStore, now: number): Promise<RouteTable> {
  if (routes && now - routes.at < ROUTES_TTL_MS) return routes.table;
  loading ??= loadRoutes(store)
    .then((table) => {
      routes = { table, at: Date.now() };
      return table;
    })
    .finally(() => {
      loading = undefined;
    });
  return loading;
}

/** The page nginx writes for its own errors (the body curl shows). */
function page(status: number, title: string): Response {
  const body = `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>edgekube</center>\r\n</body>\r\n</html>\r\n`;
  return new Response(body, { status, headers: { "content-type": "text/html" } });
}

const notFound = () => page(404, "Not Found");
const unavailable = () => page(503, "Service Temporarily Unavailable");
const badGateway = () => page(502, "Bad Gateway");

function servicePort(svc: Service, backend: NonNullable<IngressBackend["service"]>): ServicePort | undefined {
  const ports = svc.spec.ports ?? [];
  const { name, number } = backend.port ?? {};
  return ports.find((p) => (name ? p.name === name : p.port === number));
}

/** What the client sent, minus anything that would speak to the node for the API server. */
function appRequest(req: Request, host: string, url: URL): Request {
  const headers = new Headers();
  req.headers.forEach((v, k) => {
    if (!k.startsWith("x-edgekube-")) headers.set(k, v);
  });
  // What ingress-nginx tells the app about the original request.
  headers.set("x-forwarded-host", host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  headers.set("x-scheme", url.protocol.replace(":", ""));
  const client = req.headers.get("cf-connecting-ip");
  if (client) {
    headers.set("x-forwarded-for", client);
    headers.set("x-real-ip", client);
  }
  return new Request(req.url, { method: req.method, headers, body: req.body, redirect: "manual" });
}

/** A kubelet's own answer (a Status), not the program's: the pod did not answer. */
async function kubeletFailed(res: Response): Promise<boolean> {
  if (res.status !== 503 || res.headers.get("content-type") !== "application/json") return false;
  const body = (await res.clone().json().catch(() => null)) as { kind?: string } | null;
  return body?.kind === "Status";
}

export async function ingressProxy(ctx: ApiContext, req: Request): Promise<Response> {
  try {
    return await route(ctx, req);
  } catch (e) {
    console.error("ingress routing failed:", e);
    return page(500, "Internal Server Error");
  }
}

async function route(ctx: ApiContext, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const host = requestHost(req, url);
  const match = matchRoute(await routeTable(ctx.store, ctx.now()), host, url.pathname);
  if (match.kind === "none") return notFound();
  const { namespace, backend } = match.target;
  // Resource backends name objects only their own controller understands (ingress-nginx ignores them).
  if (!backend.service) return unavailable();
  const svc = (await ctx.store.get("services", namespace, backend.service.name)) as Service | null;
  const sp = svc && servicePort(svc, backend.service);
  if (!svc || !sp) return unavailable();
  const pick = pickOne((await readyEndpoints(ctx.store, svc, sp)).filter((e) => e.pod));
  const pod = pick ? ((await ctx.store.get("pods", namespace, pick.pod!)) as Pod | null) : null;
  if (!pick || !pod?.spec.nodeName) return unavailable();
  try {
    const res = await forwardToKubelet(ctx.env, appRequest(req, host, url), pod, "proxy", `${pick.pod}:${pick.port}`, url.pathname);
    return (await kubeletFailed(res)) ? badGateway() : res;
  } catch {
    return badGateway();
  }
}
