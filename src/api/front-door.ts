// Which requests the API server answers and which are the apps' traffic routed by the
// Ingresses. The cluster's own hosts (loopback, the worker's *.workers.dev name and
// API_HOSTS) and the API server's paths always reach the API, whatever an Ingress
// says, so no Ingress (not even a rule without a host) can take kubectl's requests.
// Everything else is a request for an app. The decision reads only the URL: an API
// request pays a few string comparisons for it, never a store read.
import { hostName } from "../model/ingress-match";

/** Hosts a local cluster is reached at (wrangler dev, curl, kubectl). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** A deployed worker's own name: `<worker>.<account>.workers.dev`. */
const WORKERS_DEV = ".workers.dev";

/** The first path segment of everything the API server serves (its routes, health, discovery, the dashboard). */
const API_SEGMENTS = new Set(["api", "apis", "version", "openapi", "healthz", "livez", "readyz", "metrics", "logs", "openid", ".well-known", "edgekube", "ui"]);

let parsedFrom: string | undefined;
let parsedHosts = new Set<string>();

/** API_HOSTS, parsed once per value. */
function apiHosts(value: string | undefined): Set<string> {
  const v = value ?? "";
  if (v !== parsedFrom) {
    parsedHosts = new Set(v.split(",").map((h) => hostName(h)).filter((h) => h !== ""));
    parsedFrom = v;
  }
  return parsedHosts;
}

export function isClusterHost(host: string, configured: string | undefined): boolean {
  return LOOPBACK.has(host) || host.endsWith(WORKERS_DEV) || apiHosts(configured).has(host);
}

export function isApiPath(pathname: string): boolean {
  const end = pathname.indexOf("/", 1);
  return API_SEGMENTS.has(end < 0 ? pathname.slice(1) : pathname.slice(1, end));
}

/** The host a request names: its Host header (what curl -H 'Host: ...' sets), else its URL's. */
export function requestHost(req: Request, url: URL): string {
  return hostName(req.headers.get("host") || url.host);
}

/** True when the API server answers this request; false: it is an app's, for the Ingresses. */
export function isApiRequest(req: Request, url: URL, configuredHosts: string | undefined): boolean {
  return isApiPath(url.pathname) || isClusterHost(requestHost(req, url), configuredHosts);
}
