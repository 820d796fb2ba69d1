// apiextensions.k8s.io/v1 CustomResourceDefinition: the shapes the API server, its
// controllers and the custom resource handlers share.
import type { KubeObject } from "./types";

export const CRD_GROUP = "apiextensions.k8s.io";
/** Storage key of the CustomResourceDefinitions themselves. */
export const CRD_RESOURCE = "customresourcedefinitions.apiextensions.k8s.io";
/** Held by every CRD being deleted until its custom objects are gone. */
export const CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

/** A structural OpenAPI v3 schema (JSONSchemaProps), the subset Kubernetes accepts. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, never>; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CRDNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CRDCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CustomResourceDefinition extends KubeObject {
  spec: {
    group: string;
    names: CRDNames;
    scope: string;
    versions: CRDVersion[];
    conversion?: { strategy: string; webhook?: unknown };
    preserveUnknownFields?: boolean;
  };
  status?: {
    conditions?: CRDCondition[];
    acceptedNames?: CRDNames;
    storedVersions?: string[];
  };
}

export function crdCondition(crd: CustomResourceDefinition, type: string): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isCRDConditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return crdCondition(crd, type)?.status === "True";
}

export interface CustomResourceVersion {
  name: string;
  served: boolean;
  schema: JSONSchemaProps;
  columns: PrinterColumn[];
  status: boolean;
  scale?: ScaleSubresource;
  deprecated?: boolean;
  deprecationWarning?: string;
}

/** One CRD as served. */
export interface CustomResourceType {
  crdName: string;
  uid: string;
  group: string;
  names: Required<Pick<CRDNames, "plural" | "singular" | "kind" | "listKind">> & Pick<CRDNames, "shortNames" | "categories">;
  namespaced: boolean;
  storageVersion: string;
  versions: CustomResourceVersion[];
  /** Being deleted: no new objects (upstream answers 405 to a create). */
  terminating: boolean;
  storageKey: string;
}

/** What a ResourceInfo of a custom resource carries besides the usual. */
export interface CustomResourceRef {
  type: CustomResourceType;
  version: CustomResourceVersion;
}

