// How an object looks at the version a request addressed: custom objects are stored at
// the CRD's storage version and, with conversion "None", only their apiVersion differs
// between versions; a built-in stored in another version is converted (conversion.ts). Also the per-version Table printer and strict field checks.
import type { ResourceInfo } from "../model/resources";
import { apiVersionOf } from "../model/resources";
import type { KubeObject } from "../model/types";
import { prune } from "../model/schema-defaulting";
import { convertsOnRead, fromStorageVersion } from "../model/conversion";
import { customResourcePrinter } from "./printers/custom-resources";
import type { Printer } from "./printers/types";

/** The stored object as the request's version shows it (a copy when it differs). */
export function asServed(info: ResourceInfo, obj: KubeObject): KubeObject {
  // A built-in stored in another version (autoscaling/v1 HPAs) is converted.
  if (!info.custom) return fromStorageVersion(info, obj);
  const apiVersion = apiVersionOf(info);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

/** Whether asServed hands every object back as stored (a built-in in its storage version). */
export function servedAsStored(info: ResourceInfo): boolean {
  return !info.custom && !convertsOnRead(info);
}

export function listKindOf(info: ResourceInfo): string {
  return info.custom ? info.custom.type.names.listKind : `${info.kind}List`;
}

export function printerOf(info: ResourceInfo): Printer | undefined {
  return info.custom ? customResourcePrinter(info.custom.version.columns) : undefined;
}

/** The fields pruning would drop: unknown fields for fieldValidation=Strict. */
export function unknownCustomFields(info: ResourceInfo, body: unknown): string[] {
  return info.custom ? prune(info.custom.version.schema, structuredClone(body)) : [];
}
