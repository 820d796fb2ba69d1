// DaemonSet columns as printDaemonSet prints them, and ControllerRevision columns as
// printControllerRevision does (CONTROLLER is "kind.group/name" of the controller).
import type { ControllerRevision, DaemonSet, KubeObject } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge, formatLabelSelector } from "./common";
import type { Printer } from "./types";

const DS_COLUMNS = [
  NAME_COLUMN,
  col("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
  col("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
  col("Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
  col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
  col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
  col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  col("Selector", "string", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", { priority: 1 }),
] as const;

/** labels.SelectorFromSet(nodeSelector).String(): "k=v" sorted by key; "<none>" when empty. */
function nodeSelectorCell(sel: Record<string, string> | undefined): string {
  const keys = Object.keys(sel ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${sel![k]}`).join(",") : "<none>";
}

export const daemonSetPrinter: Printer = {
  columns: DS_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const ds = obj as DaemonSet;
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? "",
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      nodeSelectorCell(ds.spec?.template?.spec?.nodeSelector),
      formatAge(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

const CR_COLUMNS = [
  NAME_COLUMN,
  col("Controller", "string", "Controller of the object"),
  col("Revision", "string", "Revision indicates the revision of the state represented by Data."),
  AGE_COLUMN,
] as const;

/** formatResourceName(GroupKind, name, withKind): "daemonset.apps/fluentd". */
function controllerCell(cr: KubeObject): string {
  const ref = cr.metadata.ownerReferences?.find((o) => o.controller === true);
  if (!ref) return "<none>";
  const slash = ref.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : ref.apiVersion.slice(0, slash);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: CR_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const cr = obj as ControllerRevision;
    return [cr.metadata.name ?? "", controllerCell(cr), cr.revision ?? 0, formatAge(cr.metadata.creationTimestamp, now)];
  },
};
