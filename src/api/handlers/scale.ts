// The scale subresource of deployments and replicasets: an autoscaling/v1 Scale
// view of spec.replicas (what `kubectl scale` patches).
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey } from "../../model/resources";
import type { KubeObject, LabelSelector } from "../../model/types";
import { badRequest, invalid, conflict, ApiError } from "../../model/errors";
import { formatLabelSelector } from "../../model/selectors";
import { applyPatch } from "../patch";
import { readBody } from "../body";
import { json } from "../negotiate";

interface ScalableSpec {
  replicas?: number;
  selector?: LabelSelector;
}

export function toScale(obj: KubeObject) {
  const spec = obj.spec as ScalableSpec;
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: spec.selector ? formatLabelSelector(spec.selector) : "" },
  };
}

export async function getScale(ctx: ApiContext, ri: RequestInfo): Promise<Response> {
  const obj = await ctx.store.mustGet(storageKey(ri.info), ri.namespace, ri.name!);
  return json(toScale(obj));
}

export async function writeScale(ctx: ApiContext, ri: RequestInfo, req: Request, method: "PUT" | "PATCH"): Promise<Response> {
  const key = storageKey(ri.info);
  const body = await readBody(req);
  const contentType = (req.headers.get("content-type") ?? "").split(";")[0].trim();
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.mustGet(key, ri.namespace, ri.name!);
    const scale = toScale(current);
    const wanted = method === "PUT" ? (body as ReturnType<typeof toScale>) : (applyPatch(contentType, scale as unknown as KubeObject, body, "scale") as unknown as ReturnType<typeof toScale>);
    const replicas = wanted?.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas)) throw badRequest("spec.replicas must be an integer");
    if (replicas < 0) {
      throw invalid("Scale", ri.name!, [{ reason: "FieldValueInvalid", message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: "spec.replicas" }], "autoscaling");
    }
    const pinned = wanted.metadata?.resourceVersion;
    if (method === "PUT" && pinned && pinned !== current.metadata.resourceVersion) throw conflict(key, ri.name!);
    const next = structuredClone(current);
    (next.spec as ScalableSpec).replicas = replicas;
    if (replicas !== (current.spec as ScalableSpec).replicas) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    try {
      const stored = await ctx.store.update(key, next, Number(current.metadata.resourceVersion));
      return json(toScale(stored));
    } catch (e) {
      if (e instanceof ApiError && e.reason === "Conflict" && !pinned && attempt < 8) continue;
      throw e;
    }
  }
}
