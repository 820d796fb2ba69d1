// What makes a pod a daemon pod and where it may run (upstream pkg/controller/daemon/util
// and daemon_controller.go NodeShouldRunDaemonPod): the tolerations every daemon pod
// gets, the required node affinity that pins it to one node (the default scheduler
// then places it), the labels that name its revision, and whether a node should run,
// or may keep running, the DaemonSet's pod.
import type { DaemonSet, Node, NodeSelectorTerm, Pod, PodSpec, Toleration } from "../model/types";
import { requiredNodeAffinityMatches } from "../model/node-selector";
import { findUntoleratedTaint } from "../model/tolerations";

/** apps.ControllerRevisionHashLabelKey / DefaultDaemonSetUniqueLabelKey. */
export const REVISION_HASH_LABEL = "controller-revision-hash";
/** extensions.DaemonSetTemplateGenerationKey: the template generation a pod was made from. */
export const TEMPLATE_GENERATION_LABEL = "pod-template-generation";

/**
 * AddOrUpdateDaemonPodTolerations: node problems never evict a daemon pod (not-ready and
 * unreachable NoExecute without tolerationSeconds), and pressure or a cordon does not
 * keep one off its node.
 */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const wanted: Toleration[] = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
  ];
  if (spec.hostNetwork) wanted.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  const out = [...(spec.tolerations ?? [])];
  // AddOrUpdateTolerationInPodSpec: one with the same key, operator, value and effect is replaced.
  for (const t of wanted) {
    const same = out.findIndex((o) => o.key === t.key && (o.operator ?? "Equal") === t.operator && (o.value ?? "") === "" && o.effect === t.effect);
    if (same >= 0) out[same] = t;
    else out.push(t);
  }
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: every required term gets matchFields
 * metadata.name In [node] in place of its own matchFields (no term: one term with it).
 */
export function pinToNode(affinity: PodSpec["affinity"], nodeName: string): NonNullable<PodSpec["affinity"]> {
  const field = { key: "metadata.name", operator: "In" as const, values: [nodeName] };
  const out = structuredClone(affinity ?? {});
  const nodeAffinity = (out.nodeAffinity ??= {});
  const terms: NodeSelectorTerm[] = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: terms.length ? terms.map((t) => ({ ...t, matchFields: [field] })) : [{ matchFields: [field] }],
  };
  return out;
}

/** GetTargetNodeName: the node a pod is bound to, or the one its node affinity pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** The daemon pod's spec before it is pinned to a node (NewPod without the node name). */
export function daemonPodSpec(ds: DaemonSet): PodSpec {
  const spec = structuredClone(ds.spec.template.spec);
  spec.tolerations = daemonTolerations(spec);
  return spec;
}

export interface NodeVerdict {
  /** The node should run the daemon pod (it is created there when missing). */
  shouldRun: boolean;
  /** A daemon pod already there may stay (only NoExecute taints it does not tolerate remove it). */
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod: the template's nodeName, selector and required affinity, then taints. */
export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node, spec: PodSpec = daemonPodSpec(ds)): NodeVerdict {
  const name = node.metadata.name ?? "";
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinityMatches({ spec } as Pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  const blocking = findUntoleratedTaint(taints, spec.tolerations, (t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, spec.tolerations, (t) => t.effect === "NoExecute");
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

/** IsPodUpdated: the pod carries the current revision's hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, templateGeneration: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== "" && labels[REVISION_HASH_LABEL] === hash) || (templateGeneration !== undefined && labels[TEMPLATE_GENERATION_LABEL] === templateGeneration);
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const ab = a.spec.nodeName ? 0 : 1;
  const bb = b.spec.nodeName ? 0 : 1;
  if (ab !== bb) return ab - bb;
  const at = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  if (at !== bt) return at - bt;
  const an = a.metadata.name ?? "";
  const bn = b.metadata.name ?? "";
  return an < bn ? -1 : an > bn ? 1 : 0;
}
