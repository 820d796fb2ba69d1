// A small language for the API's published schemas (OpenAPI v3 components): each
// definition is named as upstream names it (io.k8s.api.core.v1.Container) and each
// field carries its type and a description written for someone learning Kubernetes.
// `kubectl explain` reads these; the API builds its OpenAPI documents from them.

export type FieldType =
  | { k: "string" | "boolean" | "number" }
  /** An object of any shape (upstream's RawExtension fields): no schema beyond "object". */
  | { k: "object" }
  | { k: "integer"; format: "int32" | "int64" }
  | { k: "ref"; def: string }
  | { k: "array"; of: FieldType }
  | { k: "map"; of: FieldType };

export interface Field {
  type: FieldType;
  description: string;
  /** Values the field takes, listed in its description as upstream does. */
  enum?: string[];
}

export interface Definition {
  /** Upstream's name, e.g. "io.k8s.api.core.v1.Pod". */
  name: string;
  description: string;
  properties: Record<string, Field>;
  required?: string[];
  /** For top-level kinds: the group, version and kind it is served as. */
  gvk?: { group: string; version: string; kind: string };
  /** Replaced whole by an apply and owned by one manager (upstream's +structType=atomic). */
  atomic?: boolean;
  /** A scalar with a format of its own (Quantity, Time, IntOrString): no properties. */
  scalar?: { type: "string"; format?: string; intOrString?: boolean; oneOf?: string[] };
}

export const CORE = "io.k8s.api.core.v1";
export const APPS = "io.k8s.api.apps.v1";
export const BATCH = "io.k8s.api.batch.v1";
export const RBAC = "io.k8s.api.rbac.v1";
export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;

const field = (type: FieldType, description: string, en?: string[]): Field => ({ type, description, ...(en ? { enum: en } : {}) });

export const str = (d: string, en?: string[]) => field({ k: "string" }, d, en);
export const bool = (d: string) => field({ k: "boolean" }, d);
export const int32 = (d: string) => field({ k: "integer", format: "int32" }, d);
export const int64 = (d: string) => field({ k: "integer", format: "int64" }, d);
export const ref = (def: string, d: string) => field({ k: "ref", def }, d);
export const list = (def: string, d: string) => field({ k: "array", of: { k: "ref", def } }, d);
export const object = (d: string) => field({ k: "object" }, d);
export const strList = (d: string) => field({ k: "array", of: { k: "string" } }, d);
export const int32List = (d: string) => field({ k: "array", of: { k: "integer", format: "int32" } }, d);
export const int64List = (d: string) => field({ k: "array", of: { k: "integer", format: "int64" } }, d);
export const strMap = (d: string) => field({ k: "map", of: { k: "string" } }, d);
export const quantityMap = (d: string) => field({ k: "map", of: { k: "ref", def: QUANTITY } }, d);
export const time = (d: string) => ref(TIME, d);
export const intOrString = (d: string) => ref(INT_OR_STRING, d);

/** The fields every top-level kind starts with. */
export function typeMeta(): Record<string, Field> {
  return {
    apiVersion: str("The versioned schema of this object: which API group and version the server should read it as (v1, apps/v1...)."),
    kind: str("The type of object this is (Pod, Deployment...). Clients send it; the server fills it in on what it returns."),
    metadata: ref(`${META}.ObjectMeta`, "Standard object metadata: name, namespace, labels, annotations, owner references, and what the server records about it."),
  };
}

export function def(name: string, description: string, properties: Record<string, Field>, extra: Partial<Definition> = {}): Definition {
  return { name, description, properties, ...extra };
}

export function kind(group: string, version: string, kindName: string, name: string, description: string, properties: Record<string, Field>): Definition {
  return def(name, description, { ...typeMeta(), ...properties }, { gvk: { group, version, kind: kindName } });
}
