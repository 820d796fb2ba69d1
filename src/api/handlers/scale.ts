// The scale subresource of deployments and replicasets: an autoscaling/v1 Scale
// view of spec.replicas (what `kubectl scale` patches).
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey } from "../../model/resources";
import type { KubeObject, LabelSelector } from "../../model/types";
import { badRequest, invalid } from "../../model/errors";
import { formatLabelSelector } from "../../model/selectors";
import { applyPatch } from "../patch";
import { APPLY_PATCH_TYPE, PATCH_MEDIA_TYPES, readBody, readPatchBody, unsupportedMediaType } from "../body";
import { fieldManagerOf } from "../field-manager";
import { json } from "../negotiate";

interface ScalableSpec {
  replicas?: number;
  selector?: LabelSelector;
}

function toScale(obj: KubeObject) {
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
  const { patchType, patch: body } = method === "PATCH" ? await readPatchBody(req) : { patchType: "", patch: await readBody(req) };
  // Server-side apply is served on the objects themselves, not on their scale.
  if (patchType === APPLY_PATCH_TYPE) throw unsupportedMediaType(PATCH_MEDIA_TYPES.filter((t) => t !== APPLY_PATCH_TYPE));
  const fieldManager = fieldManagerOf(new URL(req.url).searchParams, req, method === "PUT" ? "UpdateOptions" : "PatchOptions");
  // The scale is patched, the parent updated through its strategy (which moves the
  // generation when replicas change); a conflict is retried unless a PUT pinned a version.
  const stored = await ctx.registry.patch(key, ri.namespace, ri.name!, (current) => {
    const scale = toScale(current);
    const wanted = method === "PUT" ? (body as ReturnType<typeof toScale>) : (applyPatch(patchType, scale as unknown as KubeObject, body, "scale") as unknown as ReturnType<typeof toScale>);
    const replicas = wanted?.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas)) throw badRequest("spec.replicas must be an integer");
    if (replicas < 0) {
      throw invalid("Scale", ri.name!, [{ reason: "FieldValueInvalid", message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: "spec.replicas" }], "autoscaling");
    }
    // As for any write: the name is the URL's, and a resourceVersion sent (or patched
    // to another value) is a precondition.
    if (wanted?.metadata?.name !== undefined && wanted.metadata.name !== ri.name) {
      throw badRequest(`the name of the object (${String(wanted.metadata.name)}) does not match the name on the URL (${ri.name})`);
    }
    const sentRv = wanted?.metadata?.resourceVersion;
    const pinned = method === "PUT" || sentRv !== current.metadata.resourceVersion ? sentRv : undefined;
    const next = structuredClone(current);
    (next.spec as ScalableSpec).replicas = replicas;
    next.metadata.resourceVersion = pinned;
    return next;
  }, { fieldManager });
  return json(toScale(stored));
}
