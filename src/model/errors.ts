// Kubernetes Status errors. Every failure the API returns is one of these, with the
// reason, message and details the real API server uses, so kubectl prints
// e.g. `Error from server (NotFound): pods "x" not found`.
import type { Status, StatusCause } from "./types";

export class ApiError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: Status["details"]) {
    super(message);
    // The API server's field order: clients that compare the text see the same bytes.
    this.status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? "";
  }
}

/** "pods", "deployments.apps": the qualified resource name used in messages. */
type QualifiedResource = string;

export const notFound = (resource: QualifiedResource, name: string) =>
  new ApiError(404, "NotFound", `${resource} "${name}" not found`, { name, kind: kindOfQualified(resource), ...groupOf(resource) });

export const alreadyExists = (resource: QualifiedResource, name: string) =>
  new ApiError(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: kindOfQualified(resource), ...groupOf(resource) });

export const conflict = (resource: QualifiedResource, name: string, why = "the object has been modified; please apply your changes to the latest version and try again") =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: kindOfQualified(resource), ...groupOf(resource) });

/**
 * 422 with field causes; `kind` is the object kind ("Pod"). The message names the
 * group-qualified kind (`Deployment.apps "x" is invalid`), as NewInvalid's does.
 */
export const invalid = (kind: string, name: string, causes: StatusCause[], group = "") => {
  // field.Error prints "<field>: <body>" even for the empty path of a whole-object error.
  const summary = causes.map((c) => `${c.field !== undefined ? c.field + ": " : ""}${c.message ?? ""}`).join(", ");
  const list = causes.length > 1 ? `[${summary}]` : summary;
  // The kind is qualified by its group as schema.GroupKind prints it: Job.batch, Deployment.apps.
  return new ApiError(422, "Invalid", `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${list}`, { name, kind, ...(group ? { group } : {}), causes });
};

export const badRequest = (message: string, causes?: StatusCause[]) =>
  new ApiError(400, "BadRequest", message, causes ? { causes } : undefined);

export const methodNotAllowed = (message = "the server does not allow this method on the requested resource") =>
  new ApiError(405, "MethodNotAllowed", message);

export const unauthorized = () => new ApiError(401, "Unauthorized", "Unauthorized");

export const forbidden = (message: string, details?: Status["details"]) => new ApiError(403, "Forbidden", message, details);

export const expired = (message: string) => new ApiError(410, "Expired", message);

export const tooLarge = (limitBytes: number) =>
  new ApiError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limitBytes}`);

/** 429 with the seconds a client should wait, in the body and (set by the caller) the Retry-After header. */
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, "TooManyRequests", message, { retryAfterSeconds });

export const serviceUnavailable = (message: string) => new ApiError(503, "ServiceUnavailable", message);

export const internalError = (message: string) =>
  new ApiError(500, "InternalError", `Internal error occurred: ${message}`);

function kindOfQualified(resource: string): string {
  return resource.split(".")[0];
}

function groupOf(resource: string): { group?: string } {
  const dot = resource.indexOf(".");
  return dot > 0 ? { group: resource.slice(dot + 1) } : {};
}

/** A create in a namespace that does not exist, as the NamespaceLifecycle admission answers it. */
export const namespaceNotFound = (namespace: string) => new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });

/** A create in a namespace being deleted; `resource` is the plural ("pods"). */
export const namespaceTerminating = (resource: string, namespace: string) =>
  new ApiError(403, "Forbidden", `${resource} "" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { kind: resource });
