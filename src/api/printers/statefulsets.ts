// StatefulSet columns as printStatefulSet prints them: READY is "ready/desired".
import type { KubeObject, StatefulSet } from "../../model/types";
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col, containerCells, formatAge } from "./common";
import type { Printer } from "./types";

const COLUMNS = [NAME_COLUMN, col("Ready", "string", "Number of the pod with ready state"), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN] as const;

export const statefulSetPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const sts = obj as StatefulSet;
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    // spec.replicas is defaulted to 1 on admission; a stored object without it means 1.
    return [sts.metadata.name ?? "", `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, formatAge(sts.metadata.creationTimestamp, now), names, images];
  },
};
