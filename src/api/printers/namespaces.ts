// Namespace columns as printNamespace prints them.
import type { KubeObject, Namespace } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col("Status", "string", "The status of the namespace"), AGE_COLUMN],
  cells(obj: KubeObject, now: number): unknown[] {
    const ns = obj as Namespace;
    return [ns.metadata.name ?? "", ns.status?.phase ?? "", formatAge(ns.metadata.creationTimestamp, now)];
  },
};
