// API discovery, derived from the resource table: legacy documents (/api, /apis,
// /api/v1, /apis/G/V) and the aggregated form kubectl asks for first
// (apidiscovery.k8s.io/v2, accepted only with its exact content type).
import { Hono, type Context } from "hono";
import { RESOURCES, groupsServed, versionsServed, type ResourceInfo } from "../model/resources";
import { compareKubeVersions } from "../model/custom-resources";
import { json } from "./negotiate";
import { api, type AppEnv } from "./context";
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

/** Everything served now: the built-ins and the custom resources of Established CRDs. */
type Served = readonly ResourceInfo[];

async function served(c: Context<AppEnv>): Promise<Served> {
  const catalog = await api(c).registry.customTypes.catalog();
  return [...RESOURCES, ...catalog.served()];
}

function resourcesOf(all: Served, group: string, version: string): ResourceInfo[] {
  return all.filter((r) => r.group === group && r.version === version);
}

/** Legacy APIResourceList for /api/v1 or /apis/G/V. */
function apiResourceList(all: Served, group: string, version: string) {
  const resources: unknown[] = [];
  for (const r of resourcesOf(all, group, version)) {
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

function aggregatedGroup(all: Served, group: string, versions: string[]) {
  return {
    metadata: group ? { name: group } : {},
    versions: versions.map((version) => ({
        version,
        freshness: "Current",
        resources: resourcesOf(all, group, version).map((r) => ({
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
      })),
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

interface GroupVersions {
  group: string;
  /** Preferred first (for a CRD's group: by Kubernetes version priority, v1 > v1beta1 > v1alpha1). */
  versions: string[];
}

/**
 * Every group under /apis: the built-in groups, the custom resources' groups, then the
 * aggregated metrics group last as kube-apiserver orders APIService groups.
 */
function allGroups(all: Served): GroupVersions[] {
  // A built-in group lists its versions preferred first (autoscaling: v2, then v1).
  const out: GroupVersions[] = groupsServed().map((g) => ({ group: g.group, versions: versionsServed(g.group) }));
  const custom = new Set<GroupVersions>();
  for (const r of all) {
    if (!r.custom) continue;
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push((g = { group: r.group, versions: [] }));
    custom.add(g);
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  for (const g of custom) g.versions.sort(compareKubeVersions);
  out.push({ group: METRICS_GROUP, versions: [METRICS_VERSION] });
  return out;
}

function groupVersionsJson(g: GroupVersions) {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.group}/${version}`, version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
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
  if (wantsAggregated(c.req.header("accept"))) return aggregated([aggregatedGroup(RESOURCES, "", ["v1"])]);
  const host = new URL(c.req.url).host;
  return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }] }, 200, { vary: "Accept" });
});

discovery.get("/apis", async (c) => {
  const all = await served(c);
  const groups = allGroups(all);
  if (wantsAggregated(c.req.header("accept"))) return aggregated(groups.map((g) => (g.group === METRICS_GROUP ? metricsAggregatedGroup() : aggregatedGroup(all, g.group, g.versions))));
  return json(
    {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map(groupVersionsJson),
    },
    200,
    { vary: "Accept" },
  );
});

discovery.get("/api/v1", (c) => c.json(apiResourceList(RESOURCES, "", "v1")));

discovery.get("/apis/:group", async (c) => {
  const g = allGroups(await served(c)).find((x) => x.group === c.req.param("group"));
  if (!g) return c.notFound();
  return c.json({ kind: "APIGroup", apiVersion: "v1", ...groupVersionsJson(g) });
});

discovery.get("/apis/:group/:version", async (c) => {
  const { group, version } = c.req.param();
  if (group === METRICS_GROUP && version === METRICS_VERSION) return c.json(metricsResourceList());
  const all = await served(c);
  if (!allGroups(all).some((x) => x.group === group && x.versions.includes(version))) return c.notFound();
  return c.json(apiResourceList(all, group, version));
});

