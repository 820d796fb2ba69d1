// Every published schema, by upstream name, and the schema of each served kind.
import type { Definition } from "./dsl";
import { META_DEFINITIONS } from "./meta";
import { POD_DEFINITIONS } from "./pod";
import { WORKLOAD_DEFINITIONS } from "./workloads";
import { CLUSTER_DEFINITIONS } from "./cluster";
import { BATCH_DEFINITIONS } from "./batch";
import { RBAC_DEFINITIONS } from "./rbac";
import { REVIEW_DEFINITIONS } from "./reviews";
import { STORAGE_DEFINITIONS } from "./storage";
import { AUTOSCALING_DEFINITIONS } from "./autoscaling";
import { APIEXTENSIONS_DEFINITIONS } from "./apiextensions";
import { PRIORITY_DEFINITIONS } from "./priority";
import { POLICY_DEFINITIONS } from "./policy";
import { NETWORKING_DEFINITIONS } from "./networking";
import { QUOTA_DEFINITIONS } from "./quota";

export type { Definition, Field, FieldType } from "./dsl";

export const DEFINITIONS: ReadonlyMap<string, Definition> = new Map(
  [...META_DEFINITIONS, ...POD_DEFINITIONS, ...WORKLOAD_DEFINITIONS, ...CLUSTER_DEFINITIONS, ...BATCH_DEFINITIONS, ...RBAC_DEFINITIONS, ...REVIEW_DEFINITIONS, ...STORAGE_DEFINITIONS, ...AUTOSCALING_DEFINITIONS, ...APIEXTENSIONS_DEFINITIONS, ...PRIORITY_DEFINITIONS, ...POLICY_DEFINITIONS, ...NETWORKING_DEFINITIONS, ...QUOTA_DEFINITIONS].map((d) => [d.name, d]),
);

/** The definition of a served kind, found by its group, version and kind. */
export function definitionOfKind(group: string, version: string, kind: string): Definition | undefined {
  for (const d of DEFINITIONS.values()) if (d.gvk && d.gvk.group === group && d.gvk.version === version && d.gvk.kind === kind) return d;
  return undefined;
}
