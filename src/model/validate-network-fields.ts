// Field checks shared by the Service and the Endpoints/EndpointSlice rules, as
// k8s.io/kubernetes/pkg/apis/core/validation (validateProtocol's supported values,
// ValidateQualifiedName for appProtocol) and pkg/apis/discovery/validation apply them.
import type { StatusCause } from "./types";
import { invalidField, notSupported, required, type BadValue } from "./field-errors";
import { isQualifiedName } from "./name-rules";

// Sorted as sets.List prints them in "supported values".
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

/** One Invalid cause per message from a name-rules check. */
export const each = (msgs: string[], path: string, value: BadValue): StatusCause[] => msgs.map((m) => invalidField(path, value, m));

export function appProtocol(value: string | null | undefined, path: string): StatusCause[] {
  return value === undefined || value === null ? [] : each(isQualifiedName(value), path, value);
}

export function protocol(value: string | null | undefined, path: string): StatusCause[] {
  if (!value) return [required(path)];
  return PROTOCOLS.includes(value) ? [] : [notSupported(path, value, PROTOCOLS)];
}
