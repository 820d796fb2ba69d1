// HorizontalPodAutoscaler columns as printHorizontalPodAutoscaler prints them: the
// target as Kind/name, each metric as "current/target" (at most two, then "+ N more..."),
// "<unknown>" until the controller has measured it.
import type { HorizontalPodAutoscaler, KubeObject, MetricSpec, MetricStatus } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col("Reference", "string", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
  col("Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used)."),
  col("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod."),
  col("MaxPods", "integer", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
  col("Replicas", "integer", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
  AGE_COLUMN,
] as const;

const MAX_SHOWN = 2;
const pct = (n: number | undefined) => (n === undefined || n === null ? undefined : `${n}%`);

/** One metric's "current/target" (formatHPAMetrics). */
function metricCell(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case "Resource":
    case "ContainerResource": {
      const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
      const current = spec.type === "Resource" ? status?.resource?.current : status?.containerResource?.current;
      const name = source?.name ?? "";
      if (source?.target?.averageValue !== undefined && source.target.averageValue !== null) return `${name}: ${current?.averageValue ?? "<unknown>"}/${source.target.averageValue}`;
      return `${name}: ${pct(current?.averageUtilization) ?? "<unknown>"}/${pct(source?.target?.averageUtilization) ?? "<auto>"}`;
    }
    case "Pods":
      return `${status?.pods?.current.averageValue ?? "<unknown>"}/${spec.pods?.target.averageValue ?? ""}`;
    case "Object": {
      const t = spec.object?.target;
      if (t?.averageValue) return `${status?.object?.current.averageValue ?? "<unknown>"}/${t.averageValue} (avg)`;
      return `${status?.object?.current.value ?? "<unknown>"}/${t?.value ?? ""}`;
    }
    case "External": {
      const t = spec.external?.target;
      if (t?.averageValue) return `${status?.external?.current.averageValue ?? "<unknown>"}/${t.averageValue} (avg)`;
      return `${status?.external?.current.value ?? "<unknown>"}/${t?.value ?? ""}`;
    }
    default:
      return "<unknown type>";
  }
}

export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs?.length) return "<none>";
  const cells = specs.map((s, i) => metricCell(s, statuses?.[i]));
  if (cells.length <= MAX_SHOWN) return cells.join(", ");
  return `${cells.slice(0, MAX_SHOWN).join(", ")} + ${cells.length - MAX_SHOWN} more...`;
}

export const hpaPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const hpa = obj as HorizontalPodAutoscaler;
    const spec = hpa.spec ?? ({} as HorizontalPodAutoscaler["spec"]);
    const ref = spec.scaleTargetRef ?? { kind: "", name: "" };
    return [
      hpa.metadata.name ?? "",
      `${ref.kind}/${ref.name}`,
      formatHPAMetrics(spec.metrics, hpa.status?.currentMetrics),
      spec.minReplicas === undefined || spec.minReplicas === null ? "<unset>" : String(spec.minReplicas),
      spec.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      formatAge(hpa.metadata.creationTimestamp, now),
    ];
  },
};
