// Tables of CustomResourceDefinitions (NAME, CREATED AT, as the default table
// convertor prints them) and of custom objects: NAME and the CRD's
// additionalPrinterColumns, or NAME and AGE when it names none (apiextensions'
// tableconvertor).
import type { KubeObject } from "../../model/types";
import type { PrinterColumn } from "../../model/crd-types";
import { evalSimpleJsonPath } from "../../model/simple-jsonpath";
import { AGE_DESCRIPTION, NAME_COLUMN, col, formatAge } from "./common";
import { defaultPrinter } from "./default";
import type { Printer } from "./types";

export const crdPrinter: Printer = {
  columns: [NAME_COLUMN, col("Created At", "date", AGE_DESCRIPTION)],
  cells: (obj: KubeObject) => [obj.metadata.name ?? "", obj.metadata.creationTimestamp ?? null],
};

/** A cell as the convertor makes it: dates as ages, numbers and booleans as such, absent as null. */
function cell(c: PrinterColumn, obj: KubeObject, now: number): unknown {
  const v = evalSimpleJsonPath(obj, c.jsonPath);
  if (v === undefined || v === null) return null;
  switch (c.type) {
    case "date":
      return typeof v === "string" ? formatAge(v, now) : null;
    case "integer":
      return typeof v === "number" ? Math.trunc(v) : null;
    case "number":
      return typeof v === "number" ? v : null;
    case "boolean":
      return typeof v === "boolean" ? v : null;
    default:
      return typeof v === "string" ? v : JSON.stringify(v);
  }
}

export function customResourcePrinter(columns: readonly PrinterColumn[]): Printer {
  if (columns.length === 0) return defaultPrinter;
  return {
    columns: [NAME_COLUMN, ...columns.map((c) => col(c.name, c.type, c.description ?? "", { format: c.format, priority: c.priority }))],
    cells: (obj, now) => [obj.metadata.name ?? "", ...columns.map((c) => cell(c, obj, now))],
  };
}
