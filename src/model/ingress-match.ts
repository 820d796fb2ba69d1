// Which backend an HTTP request reaches through the Ingresses: the routing rules an
// ingress controller programs, as a pure function. Servers are chosen by host as
// nginx chooses a server_name (an exact host first, then a `*.` wildcard that stands
// for exactly one DNS label, then the rules without a host); within a server the
// longest matching path wins, Exact before Prefix at equal length; Prefix matches
// element by element ("/foo" matches "/foo" and "/foo/bar", never "/foobar").
// Ingresses that name the same host are merged, the oldest first, so the oldest
// Ingress keeps a host and path two of them claim.
import type { HTTPIngressPath, Ingress, IngressBackend } from "./ingress-types";

export interface RouteTarget {
  namespace: string;
  /** The Ingress the rule (or default backend) came from. */
  ingress: string;
  backend: IngressBackend;
}

interface PathRoute extends RouteTarget {
  path: string;
  exact: boolean;
  /** Path elements of a prefix rule ("/foo/bar/" -> ["foo", "bar"]). */
  elements: string[];
}

interface Server {
  paths: PathRoute[];
  /** The defaultBackend of the first Ingress that names this host and has one. */
  defaultBackend?: RouteTarget;
}

export interface RouteTable {
  exact: Map<string, Server>;
  /** By the part after "*.": "*.foo.com" is kept as "foo.com". */
  wildcard: Map<string, Server>;
  /** Rules without a host. */
  anyHost?: Server;
  /** The oldest Ingress's defaultBackend: what no rule matched reaches. */
  defaultBackend?: RouteTarget;
}

export type RouteMatch =
  | { kind: "rule"; target: RouteTarget; path: string }
  | { kind: "default"; target: RouteTarget }
  | { kind: "none" };

const elementsOf = (path: string): string[] => path.split("/").filter((e) => e !== "");

function pathRoute(ing: Ingress, p: HTTPIngressPath): PathRoute {
  // ImplementationSpecific is a prefix here, as ingress-nginx treats a path without regex.
  const path = p.path || "/";
  const exact = p.pathType === "Exact";
  return { namespace: ing.metadata.namespace ?? "", ingress: ing.metadata.name ?? "", backend: p.backend, path, exact, elements: elementsOf(path) };
}

function byAge(a: Ingress, b: Ingress): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  if (ta !== tb) return ta - tb;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The route table of a set of Ingresses (those of the controller's classes). */
export function buildRouteTable(ingresses: readonly Ingress[]): RouteTable {
  const table: RouteTable = { exact: new Map(), wildcard: new Map() };
  const serverFor = (host: string): Server => {
    if (host === "") return (table.anyHost ??= { paths: [] });
    const [map, key] = host.startsWith("*.") ? [table.wildcard, host.slice(2)] : [table.exact, host];
    let s = map.get(key);
    if (!s) map.set(key, (s = { paths: [] }));
    return s;
  };
  for (const ing of [...ingresses].sort(byAge)) {
    const own: RouteTarget | undefined = ing.spec.defaultBackend
      ? { namespace: ing.metadata.namespace ?? "", ingress: ing.metadata.name ?? "", backend: ing.spec.defaultBackend }
      : undefined;
    if (own) table.defaultBackend ??= own;
    for (const rule of ing.spec.rules ?? []) {
      const server = serverFor((rule.host ?? "").toLowerCase());
      if (own) server.defaultBackend ??= own;
      for (const p of rule.http?.paths ?? []) {
        const route = pathRoute(ing, p);
        // The first Ingress to claim a path and type keeps it.
        if (!server.paths.some((r) => r.path === route.path && r.exact === route.exact)) server.paths.push(route);
      }
    }
  }
  const order = (a: PathRoute, b: PathRoute) => b.path.length - a.path.length || Number(b.exact) - Number(a.exact);
  for (const s of [...table.exact.values(), ...table.wildcard.values(), ...(table.anyHost ? [table.anyHost] : [])]) s.paths.sort(order);
  return table;
}

/** A Host header's name: lower case, without a port or a trailing dot. */
export function hostName(header: string): string {
  let h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(":");
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/** The server a host reaches: exact, then `*.` wildcard (one label), then the host-less rules. */
function serverOf(table: RouteTable, host: string): Server | undefined {
  const exact = table.exact.get(host);
  if (exact) return exact;
  const dot = host.indexOf(".");
  if (dot > 0) {
    const wild = table.wildcard.get(host.slice(dot + 1));
    if (wild) return wild;
  }
  return table.anyHost;
}

export function pathMatches(route: Pick<PathRoute, "path" | "exact" | "elements">, path: string): boolean {
  if (route.exact) return path === route.path;
  const want = route.elements;
  if (want.length === 0) return true;
  const got = elementsOf(path);
  if (got.length < want.length) return false;
  return want.every((e, i) => got[i] === e);
}

/** The backend a request for `host` (a Host header's name) and `path` reaches. */
export function matchRoute(table: RouteTable, host: string, path: string): RouteMatch {
  const server = serverOf(table, host);
  const route = server?.paths.find((r) => pathMatches(r, path));
  if (route) return { kind: "rule", target: { namespace: route.namespace, ingress: route.ingress, backend: route.backend }, path: route.path };
  const fallback = server?.defaultBackend ?? table.defaultBackend;
  return fallback ? { kind: "default", target: fallback } : { kind: "none" };
}
