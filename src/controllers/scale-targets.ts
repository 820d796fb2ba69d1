// What an HPA may scale, by group and kind (the RESTMapper lookup the HPA controller does
// before it reads a scale subresource). Each row is a resource with the usual scale
// subresource: spec.replicas, and spec.selector as status.selector. A new scalable
// kind is one row here.
import type { CrossVersionObjectReference, KubeObject, LabelSelector } from "../model/types";
import { formatLabelSelector } from "../model/selectors";
import { ApiError } from "../model/errors";
import type { ScaleView } from "./hpa-plan";

/** "group/Kind" -> storage key. */
const SCALE_TARGETS: Record<string, string> = {
  "apps/Deployment": "deployments.apps",
  "apps/ReplicaSet": "replicasets.apps",
  "apps/StatefulSet": "statefulsets.apps",
};

const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes("/") ? apiVersion.split("/")[0] : "");

/** The storage key of the target, or the mapper's error. */
export function scaleTargetResource(ref: CrossVersionObjectReference): string | { error: string } {
  const group = groupOf(ref.apiVersion);
  const key = SCALE_TARGETS[`${group}/${ref.kind}`];
  return key ?? { error: `unable to determine resource for scale target reference: no matches for kind "${ref.kind}" in group "${group}"` };
}

/** The Scale view of a target object. */
export function scaleOf(obj: KubeObject): ScaleView {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  return { replicas: spec.replicas ?? 1, selector: spec.selector ? formatLabelSelector(spec.selector) : "" };
}

/** The target with its replicas changed, as the scale subresource writes it. */
export function withReplicas(obj: KubeObject, replicas: number): KubeObject {
  const next = structuredClone(obj);
  (next.spec as { replicas?: number }).replicas = replicas;
  return next;
}

/** A read or write error as the scale client reports it. */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String((e as Error)?.message ?? e);
}
