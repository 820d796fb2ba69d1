// ResourceQuota and LimitRange columns as printResourceQuota and printLimitRange print
// them: each tracked name as "used/hard", limits.* in LIMIT and the rest in REQUEST
// (`pods: 1/2, requests.cpu: 500m/1`); a LimitRange shows only when it was made.
import type { KubeObject } from "../../model/types";
import type { ResourceQuota } from "../../model/quota-types";
import { canonicalQuantity, isValidQuantity } from "../../model/quantity";
import { AGE_COLUMN, AGE_DESCRIPTION, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const REQUEST = "Request represents a minimum amount of cpu/memory that a container may consume.";
const LIMIT = "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.";

const shown = (v: unknown) => (typeof v === "string" || typeof v === "number") && isValidQuantity(String(v)) ? canonicalQuantity(String(v)) : "0";

export const resourceQuotaPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN, col("Request", "string", REQUEST), col("Limit", "string", LIMIT)],
  cells(obj: KubeObject, now: number): unknown[] {
    const quota = obj as ResourceQuota;
    const hard = quota.status?.hard ?? {};
    const used = quota.status?.used ?? {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const parts = name.split(".");
      (parts.length > 1 && parts[0] === "limits" ? limit : request).push(`${name}: ${shown(used[name])}/${shown(hard[name])}`);
    }
    return [quota.metadata.name ?? "", formatAge(quota.metadata.creationTimestamp, now), request.join(", "), limit.join(", ")];
  },
};

export const limitRangePrinter: Printer = {
  columns: [NAME_COLUMN, col("Created At", "date", AGE_DESCRIPTION)],
  cells(obj: KubeObject): unknown[] {
    return [obj.metadata.name ?? "", obj.metadata.creationTimestamp ?? ""];
  },
};
