// ReplicationController columns as printReplicationController prints them: the
// ReplicaSet's, with the selector a plain label map.
import type { KubeObject, ReplicationController } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge, formatLabelSelector } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col("Desired", "integer", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1."),
  col("Current", "integer", "Replicas is the most recently observed number of replicas."),
  col("Ready", "integer", "The number of ready replicas for this replication controller."),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  col("Selector", "string", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template.", { priority: 1 }),
] as const;

export const replicationControllerPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const rc = obj as ReplicationController;
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata.name ?? "",
      rc.spec?.replicas ?? 1,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      formatAge(rc.metadata.creationTimestamp, now),
      names,
      images,
      // labels.FormatLabels: sorted key=value pairs, <none> when empty.
      formatLabelSelector({ matchLabels: rc.spec?.selector ?? {} }),
    ];
  },
};
