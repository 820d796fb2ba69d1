// API discovery, derived from the resource table: legacy documents (/api, /apis,
// /api/v1, /apis/G/V) and the aggregated form kubectl asks for first
// (apidiscovery.k8s.io/v2, accepted only with its exact content type).
import { Hono } from "hono";
import { RESOURCES, groupsServed, versionsServed, type ResourceInfo } from "../model/resources";
import { json } from "./negotiate";
import type { AppEnv } from "./context";
import { METRICS_GROUP, METRICS_RESOURCES, METRICS_VERBS, METRICS_VERSION } from "../model/metrics";

const KUBERNETES_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-edgekube" };

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

interface SubresourceInfo {
  verbs: string[];
  kind: { group: string; version: string; kind: string };
}

function subresourceInfo(r: ResourceInfo, sub: string): SubresourceInfo {
  const own = { group: r.group, version: r.version, kind: r.kind };
  switch (sub) {
    case "status":
      return { verbs: ["get", "patch", "update"], kind: own };
    case "scale":
      return { verbs: ["get", "patch", "update"], kind: { group: "autoscaling", version: "v1", kind: "Scale" } };
    case "binding":
      return { verbs: ["create"], kind: { group: "", version: "v1", kind: "Binding" } };
    case "eviction":
      return { verbs: ["create"], kind: { group: "policy", version: "v1", kind: "Eviction" } };
    case "token":
      return { verbs: ["create"], kind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" } };
    case "log":
      return { verbs: ["get"], kind: own };
    case "exec":
      return { verbs: ["create", "get"], kind: { group: "", version: "v1", kind: "PodExecOptions" } };
    case "ephemeralcontainers":
      return { verbs: ["get", "patch", "update"], kind: own };
    case "attach":
      return { verbs: ["create", "get"], kind: { group: "", version: "v1", kind: "PodAttachOptions" } };
    case "proxy":
      return { verbs: ["create", "delete", "get", "patch", "update"], kind: { group: "", version: "v1", kind: "PodProxyOptions" } };
    case "attach":
      return { verbs: ["create", "get"], kind: { group: "", version: "v1", kind: "PodAttachOptions" } };
    case "portforward":
      return { verbs: ["create", "get"], kind: { group: "", version: "v1", kind: "PodPortForwardOptions" } };
    default:
      return { verbs: ["get"], kind: own };
  }
}

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

/** Legacy APIResourceList for /api/v1 or /apis/G/V. */
function apiResourceList(group: string, version: string) {
  const resources: unknown[] = [];
  for (const r of resourcesOf(group, version)) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: "",
    });
    for (const sub of r.subresources) {
      const s = subresourceInfo(r, sub);
      resources.push({
        name: `${r.resource}/${sub}`,
        singularName: "",
        namespaced: r.namespaced,
        ...(s.kind.group !== group ? { group: s.kind.group, version: s.kind.version } : {}),
        kind: s.kind.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

function aggregatedGroup(group: string) {
  return {
    metadata: group ? { name: group } : {},
    // Preferred version first, as the API server lists them.
    versions: (group ? versionsServed(group) : ["v1"]).map((version) => (
      {
        version,
        freshness: "Current",
        resources: resourcesOf(group, version).map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? "Namespaced" : "Cluster",
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          ...(r.categories ? { categories: r.categories } : {}),
          ...(r.subresources.length
            ? {
                subresources: r.subresources.map((sub) => {
                  const s = subresourceInfo(r, sub);
                  return { subresource: sub, responseKind: s.kind, verbs: s.verbs };
                }),
              }
            : {}),
        })),
      }
    )),
  };
}

// metrics.k8s.io is served by metrics-server through an APIService: discovery lists it
// like any group (the aggregated form marks nothing special), with get and list only.
function metricsResourceList() {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    resources: METRICS_RESOURCES.map((r) => ({ name: r.resource, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: METRICS_VERBS })),
  };
}

function metricsAggregatedGroup() {
  return {
    metadata: { name: METRICS_GROUP },
    versions: [
      {
        version: METRICS_VERSION,
        freshness: "Current",
        resources: METRICS_RESOURCES.map((r) => ({
          resource: r.resource,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? "Namespaced" : "Cluster",
          singularResource: "",
          verbs: METRICS_VERBS,
        })),
      },
    ],
  };
}

/** Every group under /apis, the aggregated metrics group last as kube-apiserver orders APIService groups. */
function allGroups(): { group: string; version: string }[] {
  return [...groupsServed(), { group: METRICS_GROUP, version: METRICS_VERSION }];
}

/** An APIGroup: every version served (preferred first) and the preferred one. */
function apiGroup(group: string, preferred: string) {
  const versions = (group === METRICS_GROUP ? [preferred] : versionsServed(group)).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: { groupVersion: `${group}/${preferred}`, version: preferred } };
}

function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.split(",").some((p) => p.replace(/\s/g, "").startsWith(AGGREGATED));
}

function aggregated(items: unknown[]): Response {
  return new Response(JSON.stringify({ kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items }), {
    headers: { "content-type": AGGREGATED, vary: "Accept" },
  });
}

export const discovery = new Hono<AppEnv>();

discovery.get("/version", (c) =>
  c.json({
    ...KUBERNETES_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-11-01T00:00:00Z",
    goVersion: "go1.23.4",
    compiler: "gc",
    platform: "linux/amd64",
  }),
);

discovery.get("/api", (c) => {
  if (wantsAggregated(c.req.header("accept"))) return aggregated([aggregatedGroup("")]);
  const host = new URL(c.req.url).host;
  return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }] }, 200, { vary: "Accept" });
});

discovery.get("/apis", (c) => {
  const groups = allGroups();
  if (wantsAggregated(c.req.header("accept"))) return aggregated(groups.map((g) => (g.group === METRICS_GROUP ? metricsAggregatedGroup() : aggregatedGroup(g.group))));
  return json(
    {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map((g) => apiGroup(g.group, g.version)),
    },
    200,
    { vary: "Accept" },
  );
});

discovery.get("/api/v1", (c) => c.json(apiResourceList("", "v1")));

discovery.get("/apis/:group", (c) => {
  const g = allGroups().find((x) => x.group === c.req.param("group"));
  if (!g) return c.notFound();
  return c.json({ kind: "APIGroup", apiVersion: "v1", ...apiGroup(g.group, g.version) });
});

discovery.get("/apis/:group/:version", (c) => {
  const { group, version } = c.req.param();
  if (group === METRICS_GROUP && version === METRICS_VERSION) return c.json(metricsResourceList());
  if (!versionsServed(group).includes(version) || !groupsServed().some((x) => x.group === group)) return c.notFound();
  return c.json(apiResourceList(group, version));
});

