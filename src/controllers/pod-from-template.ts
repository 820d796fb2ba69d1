// GetPodFromTemplate (pkg/controller/controller_utils.go): a controller's pod template
// made into a pod it owns, then what the API server does on create (name, uid,
// defaults), so the controller's event can name it. The ReplicaSet, Job, DaemonSet and
// StatefulSet controllers add their own labels, annotations, finalizers or spec changes.
import type { KubeObject, Pod, PodSpec, PodTemplateSpec } from "../model/types";
import type { ControllerContext } from "./context";
import { newControllerRef } from "./pod-state";

/** generateName keeps room for the 5 random characters in a 63-character name. */
const MAX_GENERATE_NAME = 58;

export interface PodAdditions {
  /** A fixed name (a StatefulSet's `web-0`) instead of a generated one. */
  name?: string;
  /** generateName before truncation; the owner's name and "-" by default. */
  prefix?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  /** The spec to use instead of the template's (copied per pod). */
  spec?: PodSpec;
}

/** A new pod; a generated name already `taken` in this batch is drawn again. */
export function podFromTemplate(ctx: ControllerContext, owner: KubeObject, template: PodTemplateSpec, taken: Set<string>, add: PodAdditions = {}): Pod {
  const meta = template.metadata;
  const prefix = (add.prefix ?? `${owner.metadata.name}-`).slice(0, MAX_GENERATE_NAME);
  const annotations = { ...(meta?.annotations ?? {}), ...(add.annotations ?? {}) };
  const finalizers = [...(meta?.finalizers ?? []), ...(add.finalizers ?? [])];
  for (;;) {
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...(add.name ? { name: add.name } : { generateName: prefix }),
        namespace: owner.metadata.namespace,
        labels: { ...(meta?.labels ?? {}), ...(add.labels ?? {}) },
        ...(Object.keys(annotations).length ? { annotations } : {}),
        ...(finalizers.length ? { finalizers } : {}),
        ownerReferences: [newControllerRef(owner)],
      },
      spec: structuredClone(add.spec ?? template.spec),
    };
    ctx.registry.prepareCreate("pods", pod);
    if (taken.has(pod.metadata.name!) && !add.name) continue;
    taken.add(pod.metadata.name!);
    return pod;
  }
}
