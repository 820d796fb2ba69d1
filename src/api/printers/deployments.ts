// Deployment columns as printDeployment prints them (READY is "ready/desired").
import type { Deployment, KubeObject } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge, selectorString } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col("Ready", "string", "Number of the pod with ready state"),
  col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
  col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", { priority: 1 }),
] as const;

export const deploymentPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const d = obj as Deployment;
    // spec.replicas is defaulted to 1 on admission; a stored object without it means 1.
    const desired = d.spec?.replicas ?? 1;
    const st = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? "",
      `${st.readyReplicas ?? 0}/${desired}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      formatAge(d.metadata.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector) ?? "<invalid>",
    ];
  },
};
