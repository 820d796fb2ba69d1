// PodDisruptionBudget columns as printPodDisruptionBudget prints them: a bound that is
// not set shows N/A.
import type { KubeObject, PodDisruptionBudget } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const bound = (v: number | string | undefined | null) => (v === undefined || v === null ? "N/A" : String(v));

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col("Min Available", "string", "The minimum number of pods that must be available."),
    col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    AGE_COLUMN,
  ],
  cells(obj: KubeObject, now: number): unknown[] {
    const pdb = obj as PodDisruptionBudget;
    return [pdb.metadata.name ?? "", bound(pdb.spec?.minAvailable), bound(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, formatAge(pdb.metadata.creationTimestamp, now)];
  },
};
