// The scale subresource of deployments, replicasets, replicationcontrollers and
// statefulsets, and of custom resources whose CRD enables it: an autoscaling/v1 Scale
// view of the replicas (what `kubectl scale` patches).
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
import { evalSimpleJsonPath, setSimpleJsonPath } from "../../model/simple-jsonpath";

interface ScalableSpec {
  replicas?: number;
  /** A ReplicationController's is a plain label map. */
  selector?: LabelSelector | Record<string, string>;
}

/** Scale.status.selector: the selector in its string form. */
function selectorText(obj: KubeObject): string {
  const selector = (obj.spec as ScalableSpec).selector;
  if (!selector) return "";
  const asSelector = obj.kind === "ReplicationController" ? { matchLabels: selector as Record<string, string> } : (selector as LabelSelector);
  return formatLabelSelector(asSelector);
}

/**
 * Where a resource keeps its replicas: spec.replicas and status.replicas, or for a
 * custom resource the paths its CRD's scale subresource names.
 */
interface ScalePaths {
  spec: string;
  status: string;
  /** A label selector string (custom resources), else the spec's LabelSelector. */
  selector?: string;
}

function scalePaths(ri: RequestInfo): ScalePaths | undefined {
  const scale = ri.info.custom?.version.scale;
  return scale ? { spec: scale.specReplicasPath, status: scale.statusReplicasPath, selector: scale.labelSelectorPath } : undefined;
}

function toScale(obj: KubeObject, paths?: ScalePaths) {
  const spec = obj.spec as ScalableSpec;
  const status = (obj.status ?? {}) as { replicas?: number };
  const int = (v: unknown) => (typeof v === "number" ? v : 0);
  const replicas = paths ? { spec: int(evalSimpleJsonPath(obj, paths.spec)), status: int(evalSimpleJsonPath(obj, paths.status)) } : { spec: spec?.replicas ?? 0, status: status.replicas ?? 0 };
  const customSelector = paths?.selector ? evalSimpleJsonPath(obj, paths.selector) : undefined;
  const selector = paths ? (typeof customSelector === "string" ? customSelector : "") : selectorText(obj);
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
    spec: { replicas: replicas.spec },
    status: { replicas: replicas.status, selector },
  };
}

export async function getScale(ctx: ApiContext, ri: RequestInfo): Promise<Response> {
  const obj = await ctx.store.mustGet(storageKey(ri.info), ri.namespace, ri.name!);
  return json(toScale(obj, scalePaths(ri)));
}

export async function writeScale(ctx: ApiContext, ri: RequestInfo, req: Request, method: "PUT" | "PATCH"): Promise<Response> {
  const key = storageKey(ri.info);
  const { patchType, patch: body } = method === "PATCH" ? await readPatchBody(req) : { patchType: "", patch: await readBody(req) };
  // Server-side apply is served on the objects themselves, not on their scale.
  if (patchType === APPLY_PATCH_TYPE) throw unsupportedMediaType(PATCH_MEDIA_TYPES.filter((t) => t !== APPLY_PATCH_TYPE));
  const fieldManager = fieldManagerOf(new URL(req.url).searchParams, req, method === "PUT" ? "UpdateOptions" : "PatchOptions");
  // The scale is patched, the parent updated through its strategy (which moves the
  // generation when replicas change); a conflict is retried unless a PUT pinned a version.
  const paths = scalePaths(ri);
  const stored = await ctx.registry.patch(key, ri.namespace, ri.name!, (current) => {
    const scale = toScale(current, paths);
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
    if (!paths) (next.spec as ScalableSpec).replicas = replicas;
    else if (!setSimpleJsonPath(next, paths.spec, replicas)) throw badRequest(`cannot set ${paths.spec} of the object`);
    next.metadata.resourceVersion = pinned;
    return next;
  }, { fieldManager });
  return json(toScale(stored, paths));
}
