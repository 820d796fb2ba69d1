// metrics.k8s.io/v1beta1, as metrics-server serves it behind its APIService: get and
// list of NodeMetrics and PodMetrics, with label and field selectors, in one namespace
// or all. The usage comes fresh from the kubelets (src/controlplane/metrics.ts).
import { Hono, type Context } from "hono";
import { api, type AppEnv } from "./context";
import { json } from "./negotiate";
import { parseListQuery } from "./handlers/list-options";
import { nodeMetricsOf, podMetricsOf } from "../controlplane/metrics";
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION } from "../model/metrics";
import { ApiError, methodNotAllowed, notFound } from "../model/errors";
import type { Node, Pod } from "../model/types";

const BASE = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`;

/** metrics-server implements neither watch nor any write. */
function readOnly(c: Context<AppEnv>): void {
  if (c.req.method !== "GET") throw methodNotAllowed();
  const w = new URL(c.req.url).searchParams.get("watch");
  if (w === "true" || w === "1") throw methodNotAllowed();
}

function list(kind: string, items: unknown[]): Response {
  return json({ kind: `${kind}List`, apiVersion: METRICS_API_VERSION, metadata: {}, items });
}

async function listPods(c: Context<AppEnv>, namespace: string): Promise<Response> {
  readOnly(c);
  const ctx = api(c);
  const { options } = parseListQuery("pods", namespace, new URL(c.req.url).searchParams);
  const pods = (await ctx.store.list("pods", { ...options, limit: undefined, continue: undefined })).items as Pod[];
  return list("PodMetrics", await podMetricsOf(c.env, pods, ctx.now()));
}

export const metricsApi = new Hono<AppEnv>();

metricsApi.all(`${BASE}/nodes`, async (c) => {
  readOnly(c);
  const ctx = api(c);
  const { options } = parseListQuery("nodes", "", new URL(c.req.url).searchParams);
  const nodes = (await ctx.store.list("nodes", { ...options, limit: undefined, continue: undefined })).items as Node[];
  return list("NodeMetrics", await nodeMetricsOf(c.env, nodes, ctx.now()));
});

metricsApi.all(`${BASE}/nodes/:name`, async (c) => {
  readOnly(c);
  const ctx = api(c);
  const name = c.req.param("name");
  const node = (await ctx.store.mustGet("nodes", "", name)) as Node;
  const [m] = await nodeMetricsOf(c.env, [node], ctx.now());
  if (!m) throw notFound(`nodemetrics.${METRICS_GROUP}`, name);
  return json(m);
});

metricsApi.all(`${BASE}/pods`, (c) => listPods(c, ""));
metricsApi.all(`${BASE}/namespaces/:namespace/pods`, (c) => listPods(c, c.req.param("namespace")));

metricsApi.all(`${BASE}/namespaces/:namespace/pods/:name`, async (c) => {
  readOnly(c);
  const ctx = api(c);
  const { namespace, name } = c.req.param();
  const pod = (await ctx.store.mustGet("pods", namespace, name)) as Pod;
  const [m] = await podMetricsOf(c.env, [pod], ctx.now());
  // metrics-server names a pod without metrics by namespace/name.
  if (!m) throw notFound(`podmetrics.${METRICS_GROUP}`, `${namespace}/${name}`);
  return json(m);
});

metricsApi.all(`${BASE}/*`, () => {
  throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
});
