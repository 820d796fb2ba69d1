// Lease columns as printLease prints them.
import type { KubeObject, Lease } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."), AGE_COLUMN],
  cells(obj: KubeObject, now: number): unknown[] {
    const lease = obj as Lease;
    return [lease.metadata.name ?? "", lease.spec?.holderIdentity ?? "", formatAge(lease.metadata.creationTimestamp, now)];
  },
};
