// Wire shapes of meta.k8s.io/v1 Table (k8s.io/apimachinery/pkg/apis/meta/v1
// types.go). Kept apart from index.ts so the per-resource printers can import
// them without an import cycle through the registry.
import type { KubeObject } from "../../model/types";

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0 = shown by default; 1 = only with `kubectl get -o wide`. */
  priority: number;
}

/** metav1.TableRowCondition: the pod printer marks finished pods "Completed". */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: unknown;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export type IncludeObject = "None" | "Metadata" | "Object";

/**
 * One resource's columns and row builder. The apiserver always prints with
 * Wide: true (pkg/printers/storage), so `cells` returns a value for every column,
 * priority 1 included; kubectl hides those unless `-o wide`.
 */
export interface Printer {
  columns: readonly TableColumn[];
  cells(obj: KubeObject, now: number): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
