// Columns for resources without a dedicated printer: NAME and AGE, as kubectl
// shows for a CustomResourceDefinition with no additionalPrinterColumns (the
// apiextensions convertor adds an Age column of type "date" and renders it as
// a human duration). The built-in rest.defaultTableConvertor would instead
// send "Created At" as an RFC3339 string; NAME/AGE reads like every other list.
import type { KubeObject } from "../../model/types";
import { AGE_DESCRIPTION, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, col("Age", "date", AGE_DESCRIPTION)],
  cells(obj: KubeObject, now: number): unknown[] {
    return [obj.metadata.name ?? "", formatAge(obj.metadata.creationTimestamp, now)];
  },
};
