// core/v1 ResourceQuota and LimitRange: what a namespace may use in all, and what each
// container, pod or claim in it may ask for (with the defaults it gets).
import type { KubeObject, ResourceList } from "./types";

/** The scopes a quota may be narrowed to (ResourceQuotaScope). */
export type QuotaScope = "Terminating" | "NotTerminating" | "BestEffort" | "NotBestEffort" | "PriorityClass" | "CrossNamespacePodAffinity" | string;

export interface ScopedResourceSelectorRequirement {
  scopeName: QuotaScope;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
  values?: string[];
}

export interface ResourceQuotaSpec {
  hard?: ResourceList;
  scopes?: QuotaScope[];
  scopeSelector?: { matchExpressions?: ScopedResourceSelectorRequirement[] };
}

export interface ResourceQuotaStatus {
  hard?: ResourceList;
  used?: ResourceList;
}

export interface ResourceQuota extends KubeObject {
  spec?: ResourceQuotaSpec;
  status?: ResourceQuotaStatus;
}

export type LimitType = "Container" | "Pod" | "PersistentVolumeClaim" | string;

export interface LimitRangeItem {
  type: LimitType;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

export interface LimitRange extends KubeObject {
  spec?: { limits?: LimitRangeItem[] };
}
