// ReplicaSet columns as printReplicaSet prints them.
import type { KubeObject, ReplicaSet } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge, formatLabelSelector } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col("Desired", "integer", "Replicas is the number of desired replicas. Defaults to 1."),
  col("Current", "integer", "Replicas is the most recently observed number of replicas."),
  col("Ready", "integer", "The number of ready replicas for this replica set."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  col("Selector", "string", "Selector is a label query over pods that should match the replica count.", { priority: 1 }),
] as const;

export const replicaSetPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? "",
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      formatAge(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
